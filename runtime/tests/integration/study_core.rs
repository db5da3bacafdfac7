//! Study behaviour over the dynamic space: outcomes, bookkeeping, budgets, exports.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tunekit_runtime::{
    samplers::{Grid, Random},
    storage::InMemory,
    Budget, Domain, Error, Outcome, Params, SearchSpace, StopReason, Study, TrialContext,
    TrialPruned, TrialState,
};

fn space() -> SearchSpace {
    SearchSpace::builder()
        .add("x", Domain::float(-5.0, 5.0))
        .add("opt", Domain::categorical(["adam", "sgd"]))
        .add_when("momentum", Domain::float(0.0, 0.9), "opt", ["sgd"])
        .build()
        .unwrap()
}

fn quadratic(p: &Params) -> Result<f64, Error> {
    let x: f64 = p.get("x")?;
    Ok(x * x)
}

#[test]
fn errors_panics_and_non_finite_values_fail_only_their_trial() {
    let study = Study::minimize(space()).seed(1).build().unwrap();
    let outcome = study.optimize(40, |p: &Params| -> Result<f64, String> {
        let x: f64 = p.get("x").map_err(|e| e.to_string())?;
        match p.get::<String>("opt").unwrap().as_str() {
            _ if x < -3.0 => Err(format!("diverged at x = {x}")),
            _ if x > 3.0 => panic!("boom at {x}"),
            "sgd" if x < 0.0 => Ok(f64::NAN),
            "sgd" => Ok(f64::INFINITY),
            _ => Ok(x * x),
        }
    });
    assert_eq!(outcome.unwrap(), StopReason::TrialBudget);
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 40);
    let reasons: Vec<&str> = trials.iter().filter_map(|t| t.failure.as_deref()).collect();
    assert!(reasons.iter().any(|r| r.starts_with("diverged at x = ")));
    assert!(reasons.iter().any(|r| r.contains("panicked: boom at")));
    assert!(reasons.iter().any(|r| r.contains("NaN")));
    assert!(reasons.iter().any(|r| r.contains("inf")));
    for trial in &trials {
        assert!(trial.state.is_finished());
        let x: f64 = trial.params.get("x").unwrap();
        let fine =
            (-3.0..=3.0).contains(&x) && trial.params.get::<String>("opt").unwrap() == "adam";
        assert_eq!(trial.state == TrialState::Complete, fine, "{trial:?}");
    }
    let best = study.best().unwrap();
    let true_best = trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .map(|t| t.value.unwrap())
        .fold(f64::INFINITY, f64::min);
    assert_eq!(best.value, true_best);
    // The study is still usable.
    study.optimize(5, quadratic).unwrap();
    assert_eq!(study.trials().unwrap().len(), 45);
}

#[test]
fn failed_trials_are_never_best_even_when_all_fail() {
    let study = Study::maximize(space()).seed(2).build().unwrap();
    study
        .optimize(5, |_: &Params| -> Result<f64, &'static str> {
            Err("always")
        })
        .unwrap();
    assert!(study.best().is_none());
}

#[test]
fn same_seed_same_configs_and_different_seeds_differ() {
    let run = |seed| {
        let study = Study::minimize(space()).seed(seed).build().unwrap();
        study.optimize(20, quadratic).unwrap();
        study
            .trials()
            .unwrap()
            .into_iter()
            .map(|t| t.params)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn ask_and_tell_records_outcomes_and_refuses_double_or_unknown_tells() {
    let study = Study::minimize(space()).seed(3).build().unwrap();
    let first = study.ask().unwrap();
    let second = study.ask().unwrap();
    assert_eq!((first.number(), second.number()), (0, 1));
    study.tell(&first, 2.5).unwrap();
    let err = study.tell(&first, 1.0).unwrap_err();
    assert!(
        matches!(err, Error::TrialAlreadyFinished { number: 0, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("told exactly once"));
    assert!(matches!(study.tell(99, 1.0), Err(Error::UnknownTrial(99))));
    study
        .tell(second, Outcome::Failed("out of memory".into()))
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials[0].value, Some(2.5));
    assert_eq!(trials[1].failure.as_deref(), Some("out of memory"));
    assert_eq!(study.best().unwrap().number, 0);
}

#[test]
fn enqueued_configs_run_first_and_are_checked() {
    let study = Study::minimize(space()).seed(4).build().unwrap();
    let warm = Params::new().with("x", 0.25).with("opt", "adam");
    study.enqueue(warm.clone()).unwrap();
    let bad = Params::new()
        .with("x", 0.25)
        .with("opt", "adam")
        .with("momentum", 0.1);
    let err = study.enqueue(bad).unwrap_err().to_string();
    assert!(err.contains("`momentum` is inactive"), "{err}");
    let err = study
        .enqueue(Params::new().with("x", 9.0).with("opt", "adam"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`x` = 9 is outside -5..=5; give a float in -5..=5"),
        "{err}"
    );
    // Hardening item 7: a missing or unknown choice names the param and the choices.
    let err = study
        .enqueue(Params::new().with("x", 1.0))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`opt` is active but has no value; give it one of \"adam\", \"sgd\""),
        "{err}"
    );
    let err = study
        .enqueue(Params::new().with("x", 1.0).with("opt", "rmsprop"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`opt` = \"rmsprop\" is not among the choices; give one of \"adam\", \"sgd\""),
        "{err}"
    );
    study.optimize(3, quadratic).unwrap();
    assert_eq!(study.trials().unwrap()[0].params, warm);
}

#[test]
fn exhausted_grid_ends_optimize_cleanly_and_ask_says_so() {
    let space = SearchSpace::builder()
        .add("n", Domain::int(1, 3))
        .add("opt", Domain::categorical(["adam", "sgd"]))
        .add_when(
            "momentum",
            Domain::float(0.0, 0.9).step(0.3),
            "opt",
            ["sgd"],
        )
        .build()
        .unwrap();
    // 3 * (1 + 4) = 15 points.
    let study = Study::minimize(space).sampler(Grid::new()).build().unwrap();
    let stop = study.optimize(100, |_: &Params| 1.0).unwrap();
    assert_eq!(stop, StopReason::Exhausted);
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 15);
    let distinct: HashSet<String> = trials
        .iter()
        .map(|t| serde_json::to_string(&t.params).unwrap())
        .collect();
    assert_eq!(distinct.len(), 15);
    assert!(matches!(study.ask(), Err(Error::Exhausted)));
}

#[test]
fn grid_with_parallel_workers_runs_each_point_once() {
    let space = SearchSpace::builder()
        .add("a", Domain::int(0, 9))
        .add("b", Domain::int(0, 9))
        .build()
        .unwrap();
    let study = Study::minimize(space)
        .sampler(Grid::shuffled())
        .seed(5)
        .workers(4)
        .build()
        .unwrap();
    study
        .optimize(1000, |p: &Params| -> Result<f64, Error> {
            std::thread::sleep(Duration::from_micros(200));
            Ok(p.get::<f64>("a")? + p.get::<f64>("b")?)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 100);
    let distinct: HashSet<(i64, i64)> = trials
        .iter()
        .map(|t| (t.params.get("a").unwrap(), t.params.get("b").unwrap()))
        .collect();
    assert_eq!(distinct.len(), 100);
    assert_eq!(study.best().unwrap().value, 0.0);
}

#[test]
fn continuous_float_in_a_grid_fails_the_build() {
    let err = Study::minimize(space())
        .sampler(Grid::new())
        .build()
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("param `x`") && err.contains("step"), "{err}");
}

#[test]
fn time_budget_stops_starting_trials() {
    let study = Study::minimize(space()).sampler(Random).build().unwrap();
    let stop = study
        .optimize(Duration::from_millis(150), |p: &Params| {
            std::thread::sleep(Duration::from_millis(20));
            quadratic(p)
        })
        .unwrap();
    assert_eq!(stop, StopReason::TimeBudget);
    let n = study.trials().unwrap().len();
    assert!(
        (2..=10).contains(&n),
        "{n} trials in 150 ms of 20 ms trials"
    );
    // Both limits: the trial count wins when it comes first.
    let stop = study
        .optimize(
            Budget::trials(2).with_time(Duration::from_secs(60)),
            quadratic,
        )
        .unwrap();
    assert_eq!(stop, StopReason::TrialBudget);
    assert_eq!(study.trials().unwrap().len(), n + 2);
}

#[test]
fn context_records_intermediate_values_attrs_and_pruning() {
    let study = Study::minimize(space()).seed(6).build().unwrap();
    study
        .optimize(
            4,
            |p: &Params,
             trial: &mut TrialContext|
             -> Result<f64, Box<dyn std::error::Error + Send + Sync>> {
                let x: f64 = p.get("x")?;
                for step in 0..3 {
                    trial.report(step, x * x + (3 - step) as f64)?;
                }
                trial.set_user_attr("folds", [1.0, 2.0, 3.0])?;
                if trial.number() == 2 {
                    return Err(TrialPruned.into());
                }
                Ok(x * x)
            },
        )
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials[0].intermediate.len(), 3);
    assert_eq!(
        trials[0].user_attrs["folds"],
        serde_json::json!([1.0, 2.0, 3.0])
    );
    assert_eq!(trials[2].state, TrialState::Pruned);
    assert_eq!(trials[2].value, trials[2].intermediate.get(&2).copied());
}

#[test]
fn trials_export_as_json_lines_and_csv() {
    let study = Study::minimize(space()).seed(9).build().unwrap();
    study
        .optimize(
            6,
            |p: &Params, trial: &mut TrialContext| -> Result<f64, Error> {
                trial.set_user_attr("note", "hi")?;
                quadratic(p)
            },
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("trials.jsonl");
    let csv = dir.path().join("trials.csv");
    study.write_jsonl(&jsonl).unwrap();
    study.write_csv(&csv).unwrap();
    let parsed: Vec<tunekit_runtime::Trial> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(parsed, study.trials().unwrap());
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "number,state,value,started_at,finished_at,duration_s,x,opt,momentum,attr.note,intermediate,failure"
    );
    assert_eq!(lines.count(), 6);
}

#[test]
fn a_finished_trial_takes_no_user_attribute() {
    let study = Study::minimize(space()).seed(3).build().unwrap();
    let mut asked = study.ask().unwrap();
    asked.context().set_user_attr("before", 1).unwrap();
    study.tell(&asked, 1.0).unwrap();
    let err = asked.context().set_user_attr("after", 2).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TrialAlreadyFinished {
                number: 0,
                state: TrialState::Complete
            }
        ),
        "{err:?}"
    );
    let trial = &study.trials().unwrap()[0];
    assert_eq!(
        trial.user_attrs.keys().collect::<Vec<_>>(),
        ["before"],
        "the finished trial is unchanged"
    );
}

#[test]
fn telling_a_trial_of_another_study_is_an_error_and_changes_nothing() {
    let a = Study::minimize(space()).seed(1).build().unwrap();
    let b = Study::minimize(space()).seed(2).build().unwrap();
    let from_a = a.ask().unwrap();
    let from_b = b.ask().unwrap();
    assert_eq!((from_a.number(), from_b.number()), (0, 0));
    let err = b.tell(&from_a, 1.0).unwrap_err();
    assert!(
        matches!(err, Error::ForeignTrial { number: 0, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("trial 0 was asked from another study"),
        "{message}"
    );
    assert!(message.contains("the study that asked it"), "{message}");
    assert_eq!(b.trials().unwrap()[0].state, TrialState::Running);
    assert_eq!(a.trials().unwrap()[0].state, TrialState::Running);
    a.tell(&from_a, 1.0).unwrap();
    // A bare number names a trial of the study it is told to.
    b.tell(0, 2.0).unwrap();
    assert_eq!(b.trials().unwrap()[0].value, Some(2.0));
    assert_eq!(a.trials().unwrap()[0].value, Some(1.0));
}

#[test]
fn best_skips_trials_that_do_not_decode_into_the_current_space() {
    let storage = Arc::new(InMemory::new());
    let wide = Study::minimize(space())
        .storage(Arc::clone(&storage))
        .build()
        .unwrap();
    for (x, value) in [(1.0, 1.0), (4.5, 0.0), (-0.5, 0.5)] {
        wide.enqueue(Params::new().with("x", x).with("opt", "adam"))
            .unwrap();
        let asked = wide.ask().unwrap();
        wide.tell(&asked, value).unwrap();
    }
    assert_eq!(wide.best().unwrap().number, 1);
    let narrow_space = SearchSpace::builder()
        .add("x", Domain::float(-2.0, 2.0))
        .add("opt", Domain::categorical(["adam", "sgd"]))
        .add_when("momentum", Domain::float(0.0, 0.9), "opt", ["sgd"])
        .build()
        .unwrap();
    let narrow = Study::minimize(narrow_space)
        .storage(Arc::clone(&storage))
        .allow_space_change()
        .build()
        .unwrap();
    // Trial 1 (x = 4.5) has the lowest value but is outside the current space.
    let best = narrow.best().expect("valid trials exist");
    assert_eq!((best.number, best.value), (2, 0.5));
    assert_eq!(best.config.get::<f64>("x").unwrap(), -0.5);
}

#[test]
fn an_objective_that_always_fails_stops_after_max_consecutive_failures() {
    let study = Study::minimize(space())
        .seed(1)
        .max_consecutive_failures(7)
        .build()
        .unwrap();
    let err = study
        .optimize(Budget::unlimited(), |_: &Params| -> Result<f64, String> {
            Err("no GPU found".into())
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyFailures {
                count: 7,
                trial: 6,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("7 trials in a row failed"), "{message}");
    assert!(
        message.contains("the last one, trial 6, failed with: no GPU found"),
        "{message}"
    );
    assert!(message.contains("max_consecutive_failures"), "{message}");
    assert_eq!(study.trials().unwrap().len(), 7);
}

#[test]
fn the_default_failure_limit_stops_an_unlimited_budget_and_successes_reset_it() {
    let study = Study::minimize(space()).seed(2).build().unwrap();
    let err = study
        .optimize(Budget::time(Duration::from_secs(60)), |_: &Params| f64::NAN)
        .unwrap_err();
    assert!(
        matches!(err, Error::TooManyFailures { count: 50, .. }),
        "{err:?}"
    );
    assert_eq!(study.trials().unwrap().len(), 50);
    // Failures between successes never stop a study.
    let study = Study::minimize(space())
        .seed(3)
        .max_consecutive_failures(3)
        .build()
        .unwrap();
    let stop = study
        .optimize(
            30,
            |_: &Params, trial: &mut TrialContext| -> Result<f64, &'static str> {
                match trial.number() % 3 {
                    2 => Ok(1.0),
                    _ => Err("flaky"),
                }
            },
        )
        .unwrap();
    assert_eq!(stop, StopReason::TrialBudget);
    assert_eq!(study.trials().unwrap().len(), 30);
    let err = Study::minimize(space())
        .max_consecutive_failures(0)
        .build()
        .err()
        .expect("0 is refused");
    assert!(
        err.to_string().contains("max_consecutive_failures"),
        "{err}"
    );
}

#[test]
fn objectives_can_print_without_breaking_the_progress_bar() {
    let study = Study::minimize(space())
        .seed(4)
        .progress_bar(true)
        .build()
        .unwrap();
    study
        .optimize(3, |p: &Params, trial: &mut TrialContext| {
            let shown = trial.suspend_progress(|| {
                println!("trial {} starts", trial.number());
                trial.number()
            });
            assert_eq!(shown, trial.number());
            quadratic(p)
        })
        .unwrap();
    // Outside optimize (ask and tell), there is no bar: the closure just runs.
    let mut asked = study.ask().unwrap();
    assert_eq!(asked.context().suspend_progress(|| 7), 7);
    study.tell(&asked, 1.0).unwrap();
}

/// A sampler that panics on every other trial, and proposes `x` off its domain otherwise.
struct Broken;

impl tunekit_runtime::samplers::Sampler for Broken {
    fn name(&self) -> &'static str {
        "broken"
    }
    fn sample(
        &self,
        ctx: &tunekit_runtime::samplers::SampleContext<'_>,
        _: &mut dyn rand::RngCore,
    ) -> tunekit_runtime::Result<Option<Params>> {
        if ctx.trials.len() % 2 == 0 {
            panic!("the sampler broke");
        }
        Ok(Some(Params::new().with("x", 99.0).with("opt", "adam")))
    }
}

#[test]
fn a_sampler_that_panics_or_leaves_the_domain_fails_the_ask_and_records_nothing() {
    let study = Study::minimize(space()).sampler(Broken).build().unwrap();
    match study.ask() {
        Err(Error::UnsupportedSpace {
            sampler, message, ..
        }) => {
            assert_eq!(sampler, "broken");
            assert!(message.contains("the sampler broke"), "{message}");
        }
        other => panic!(
            "expected the panic as an error, got {:?}",
            other.map(|t| t.number())
        ),
    }
    assert!(study.trials().unwrap().is_empty(), "nothing was recorded");
    // The study goes on: an enqueued config still runs, and the next proposal (off the
    // domain) is refused naming the param.
    study
        .enqueue(Params::new().with("x", 1.0).with("opt", "adam"))
        .unwrap();
    let trial = study.ask().unwrap();
    study.tell(&trial, 1.0).unwrap();
    match study.ask() {
        Err(Error::UnsupportedSpace { param, .. }) => assert_eq!(param, "x"),
        other => panic!(
            "expected an off-domain error, got {:?}",
            other.map(|t| t.number())
        ),
    }
    assert_eq!(study.trials().unwrap().len(), 1);
}

/// Hardening item 7: an off-step enqueued value is called off the grid, with the grid
/// values nearest to it.
#[test]
fn an_off_step_enqueue_names_the_nearest_grid_values() {
    let space = SearchSpace::builder()
        .add("dropout", Domain::float(0.0, 0.5).step(0.1))
        .build()
        .unwrap();
    let study = Study::minimize(space).build().unwrap();
    let err = study
        .enqueue(Params::new().with("dropout", 0.25))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "`dropout` = 0.25 is off the step grid 0..=0.5, step = 0.1; \
             the nearest grid values are 0.2 and 0.3"
        ),
        "{err}"
    );
}
