//! Pruners in whole studies: decisions against Optuna's on the same learning curves,
//! steps saved without losing the best config, and worker processes pruning against each
//! other's reports through a journal (and PostgreSQL, when a server is given).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use tunekit_runtime::pruners::{
    Hyperband, MedianPruner, Nop, Patient, Percentile, PruneContext, Pruner, SuccessiveHalving,
};
use tunekit_runtime::samplers::{Grid, Random};
use tunekit_runtime::storage::{Journal, Storage};
use tunekit_runtime::{Domain, Params, SearchSpace, Study, TrialContext, TrialState};

/// Trial `i`'s value at step `s`: the same arithmetic as the Optuna script that made the
/// tables below, so both libraries see bit-identical reports (with many ties: 17 levels).
fn curve(i: u64, s: u64) -> f64 {
    let base = ((i * 37) % 17) as f64 / 17.0 + 0.1;
    let noise = ((i * s * 13) % 7) as f64 * 0.01;
    base * (1.0 + 1.0 / (s as f64 + 1.0)) + noise
}

fn unit_space() -> SearchSpace {
    SearchSpace::builder()
        .add("x", Domain::float(0.0, 1.0))
        .build()
        .unwrap()
}

/// Runs 40 trials of 28 steps (`curve`) under `pruner`, sequentially; per trial the number
/// of reports, negative for a pruned trial.
fn reports_per_trial(pruner: impl Pruner + 'static, maximize: bool) -> Vec<i64> {
    let builder = if maximize {
        Study::maximize(unit_space())
    } else {
        Study::minimize(unit_space())
    };
    let study = builder
        .name("study")
        .sampler(Random::new())
        .seed(0)
        .pruner(pruner)
        .build()
        .unwrap();
    study
        .optimize(40, |_: &Params, trial: &mut TrialContext| {
            let mut value = 0.0;
            for step in 0..28 {
                value = curve(trial.number(), step);
                trial.report(step, value)?;
            }
            Ok::<f64, tunekit_runtime::Error>(value)
        })
        .unwrap();
    study
        .trials()
        .unwrap()
        .iter()
        .map(|t| {
            let n = t.intermediate.len() as i64;
            match t.state {
                TrialState::Pruned => -n,
                TrialState::Complete => n,
                other => panic!("trial {} is {other:?}", t.number),
            }
        })
        .collect()
}

/// Optuna's pruner, ours, whether to maximize, and Optuna's reports per trial.
type OptunaCase = (&'static str, Box<dyn Pruner>, bool, [i64; 40]);

/// What Optuna 5.0.0 (bench venv) decided on the same curves: reports per trial, negative
/// when pruned. The script: for each pruner, `optuna.create_study(study_name="study",
/// pruner=..., sampler=RandomSampler(seed=0))`, 40 trials, each reporting `curve(number,
/// s)` for s in 0..28 and raising `TrialPruned` when `should_prune()`.
#[test]
fn decisions_match_optunas_on_the_same_learning_curves() {
    #[rustfmt::skip]
    let cases: Vec<OptunaCase> = vec![
        ("SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)",
         Box::new(SuccessiveHalving::new().min_resource(1).reduction_factor(3)), false,
         [28, -2, -2, -2, -2, -2, -4, -2, -2, -2, -2, -2, -4, -2, -2, -2, -2, -4, -4, -2,
          -2, -2, -2, -4, -2, -2, -2, -2, -2, -4, -2, -2, -2, -2, -10, -4, -2, -2, -2, -2]),
        ("the same, maximizing",
         Box::new(SuccessiveHalving::new().min_resource(1).reduction_factor(3)), true,
         [28, 28, 28, 28, 28, 28, -2, -2, -2, -4, 28, 28, -2, -2, -2, -4, 28, -2, -2, -2,
          -2, -4, 28, -2, -2, -2, -2, -4, 28, -2, -2, -2, -4, -10, -2, -2, -2, -2, -4, 28]),
        // Automatic min_resource: the first complete trial ran 28 steps, so 1, as Optuna
        // computes it. Optuna's trial 0 ran before that was known and never entered a
        // rung; tunekit reads rungs from the stored reports, trial 0's included, which is
        // what Optuna does with min_resource=1 given: the table compared is that one.
        ("SuccessiveHalvingPruner(min_resource=1, reduction_factor=4) (for the automatic one)",
         Box::new(SuccessiveHalving::new().reduction_factor(4)), false,
         [28, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -5, -2, -2, -2, -2, -5, -2, -2,
          -2, -2, -2, -5, -2, -2, -2, -2, -2, -5, -2, -2, -2, -2, -5, -5, -2, -2, -2, -2]),
        ("SuccessiveHalvingPruner(min_resource=2, reduction_factor=3, \
          min_early_stopping_rate=1, bootstrap_count=2)",
         Box::new(SuccessiveHalving::new().min_resource(2).reduction_factor(3)
             .min_early_stopping_rate(1).bootstrap_count(2)), false,
         [-7, -7, -7, -7, -7, -7, -19, -7, -7, -7, -7, -7, -19, -7, -7, -7, -7, 28, -19, -7,
          -7, -7, -7, -19, -7, -7, -7, -7, -7, -19, -7, -7, -7, -7, 28, -19, -7, -7, -7, -7]),
        ("HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)",
         Box::new(Hyperband::new().max_resource(27)), false,
         [28, 28, -4, -2, -2, -4, -4, -2, -2, 28, -4, 28, -4, -4, -2, -4, -28, 28, -4, -4,
          -2, -2, -2, -10, 28, -2, -4, -4, 28, -10, -4, -2, -4, -2, -10, -4, -2, -2, -2, -2]),
        // Automatic max_resource (28, from the first complete trial): likewise against
        // Optuna's table with it given.
        ("HyperbandPruner(min_resource=1, max_resource=28, reduction_factor=2) (for the \
          automatic one)",
         Box::new(Hyperband::new().reduction_factor(2)), false,
         [28, 28, 28, 28, -2, -9, 28, 28, -17, -17, -3, -5, 28, -2, -2, -9, -17, 28, -3, -2,
          -17, -5, -5, 28, -3, -2, -17, -3, -2, -3, -9, -2, -9, -3, 28, -17, -2, -2, -2, -3]),
        ("PercentilePruner(25.0, n_startup_trials=3, n_warmup_steps=2, interval_steps=2)",
         Box::new(Percentile::new(25.0).startup_trials(3).warmup_steps(2).interval_steps(2)),
         false,
         [28, 28, 28, -3, -3, -3, -7, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, 28, -3, -3,
          -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3]),
        ("MedianPruner()",
         Box::new(MedianPruner::new()), false,
         [28, 28, 28, 28, 28, -1, 28, 28, -1, -1, -1, -1, 28, -1, -1, -1, -1, 28, -3, -1,
          -1, -1, -1, 28, -1, -1, -1, -1, -1, 28, -1, -1, -1, -1, 28, -1, -1, -1, -1, -1]),
        ("PatientPruner(MedianPruner(n_startup_trials=2), patience=1)",
         Box::new(Patient::new(1).wrap(MedianPruner::new().startup_trials(2))), false,
         [28, 28, -10, -14, -10, -10, -7, 28, -10, -10, -17, -10, 28, -10, 28, -10, -10, 28,
          -12, -7, -10, 28, -10, 28, -10, -10, -10, -11, 28, 28, -10, -12, -10, -10, 28, 28,
          -10, -10, -14, -10]),
    ];
    let mut differ = Vec::new();
    for (optuna, pruner, maximize, expected) in cases {
        let ours = reports_per_trial(pruner, maximize);
        if ours != expected {
            differ.push(format!(
                "{optuna}:\n  ours   {ours:?}\n  Optuna {expected:?}"
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// A synthetic learning-curve problem: config `c` converges to `final_loss(c)` from 2.0,
/// at its own speed, with the curves never crossing, so the best config is also best at
/// every step.
fn final_loss(c: i64) -> f64 {
    0.1 + ((c * 7) % 24) as f64 * 0.02
}

fn learning_curve(c: i64, epoch: u64) -> f64 {
    let target = final_loss(c);
    target + (2.0 - target) * (-(epoch as f64 + 1.0) / 6.0).exp()
}

/// Runs every config of the grid for up to 27 epochs under `pruner`; returns the best
/// config and the epochs run in all.
fn sweep(pruner: impl Pruner + 'static) -> (i64, usize) {
    let space = SearchSpace::builder()
        .add("c", Domain::int(0, 47))
        .build()
        .unwrap();
    let study = Study::minimize(space)
        .sampler(Grid::shuffled())
        .seed(3)
        .pruner(pruner)
        .build()
        .unwrap();
    study
        .optimize(48, |p: &Params, trial: &mut TrialContext| {
            let c: i64 = p.get("c")?;
            let mut loss = f64::NAN;
            for epoch in 0..27 {
                loss = learning_curve(c, epoch);
                trial.report(epoch, loss)?;
            }
            Ok::<f64, tunekit_runtime::Error>(loss)
        })
        .unwrap();
    let epochs = study
        .trials()
        .unwrap()
        .iter()
        .map(|t| t.intermediate.len())
        .sum();
    let best = study.best().unwrap();
    (best.params.get::<i64>("c").unwrap(), epochs)
}

#[test]
fn pruning_saves_epochs_and_keeps_the_best_config() {
    let (best, epochs) = sweep(Nop);
    assert_eq!(epochs, 48 * 27);
    assert_eq!(final_loss(best), 0.1);
    // The share of the epochs each may run at most: successive halving stops most
    // configs at its first rungs; the median rule keeps the better half going.
    for (name, (pruned_best, pruned_epochs), at_most) in [
        (
            "ASHA",
            sweep(SuccessiveHalving::new().min_resource(1).reduction_factor(3)),
            0.3,
        ),
        (
            "Hyperband",
            sweep(Hyperband::new().max_resource(27).sampler_per_bracket(false)),
            0.5,
        ),
        ("median", sweep(MedianPruner::new()), 0.6),
    ] {
        assert_eq!(pruned_best, best, "{name} lost the best config");
        assert!(
            (pruned_epochs as f64) < at_most * epochs as f64,
            "{name} ran {pruned_epochs} of {epochs} epochs"
        );
        println!("{name}: {pruned_epochs} of {epochs} epochs");
    }
}

#[test]
fn hyperband_shows_the_sampler_the_bracket_of_the_trial_it_proposes() {
    use tunekit_runtime::samplers::{SampleContext, Sampler};

    /// Random search that notes which trial numbers each proposal saw.
    struct NotingSampler(Mutex<BTreeMap<u64, Vec<u64>>>);
    impl Sampler for &'static NotingSampler {
        fn name(&self) -> &'static str {
            "noting"
        }
        fn sample(
            &self,
            ctx: &SampleContext<'_>,
            rng: &mut dyn rand::RngCore,
        ) -> tunekit_runtime::Result<Option<Params>> {
            let seen = ctx.trials.iter().map(|t| t.number).collect();
            self.0.lock().unwrap().insert(ctx.number, seen);
            Random::new().sample(ctx, rng)
        }
    }
    let noting: &'static NotingSampler =
        Box::leak(Box::new(NotingSampler(Mutex::new(BTreeMap::new()))));
    let hyperband = Hyperband::new().max_resource(9);
    let study = Study::minimize(unit_space())
        .name("brackets")
        .sampler(noting)
        .pruner(hyperband)
        .seed(1)
        .build()
        .unwrap();
    study
        .optimize(30, |p: &Params, trial: &mut TrialContext| {
            let x: f64 = p.get("x")?;
            for step in 0..9 {
                trial.report(step, x + 1.0 / (step as f64 + 1.0))?;
            }
            Ok::<f64, tunekit_runtime::Error>(x)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    let bracket = |n: u64| hyperband.bracket(n, &trials, "brackets").unwrap();
    let seen = noting.0.lock().unwrap();
    let mut brackets_seen = std::collections::BTreeSet::new();
    for (&number, seen) in seen.iter() {
        let expected: Vec<u64> = (0..number)
            .filter(|&n| bracket(n) == bracket(number))
            .collect();
        assert_eq!(seen, &expected, "trial {number}");
        brackets_seen.insert(bracket(number));
    }
    assert!(brackets_seen.len() >= 2, "{brackets_seen:?}");
}

// ----- worker processes ---------------------------------------------------------------

/// When set, `pruning_worker` is a worker process: storage kind, location, seed and the
/// file whose creation starts it, one per line.
const WORKER_VAR: &str = "TUNEKIT_TEST_PRUNING_WORKER";
const TRIALS_PER_WORKER: usize = 20;
const STEPS: u64 = 10;

/// Successive halving that notes, for each trial it prunes, how many trials of another
/// process had reported at or past the step it was pruned at (their `pid` attribute).
struct Noting {
    inner: SuccessiveHalving,
    pruned: Mutex<Vec<(u64, usize)>>,
}

impl Pruner for Noting {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        let prune = self.inner.should_prune(ctx);
        if prune {
            let step = *ctx.trial.intermediate.keys().next_back().unwrap();
            let me = serde_json::json!(std::process::id());
            let foreign = ctx
                .trials
                .iter()
                .filter(|t| t.user_attrs.get("pid").is_some_and(|pid| *pid != me))
                .filter(|t| t.intermediate.range(step..).next().is_some())
                .count();
            self.pruned
                .lock()
                .unwrap()
                .push((ctx.trial.number, foreign));
        }
        prune
    }
}

/// Not a test of its own: the entry point of the worker processes the tests below start.
#[test]
fn pruning_worker() {
    let Ok(spec) = std::env::var(WORKER_VAR) else {
        return;
    };
    let lines: Vec<&str> = spec.lines().collect();
    let storage: Box<dyn Storage> = match lines[0] {
        "journal" => Box::new(Journal::open(lines[1]).unwrap()),
        #[cfg(feature = "postgres")]
        "postgres" => Box::new(
            tunekit_runtime::storage::Postgres::connect(lines[1])
                .unwrap()
                .schema(lines[2])
                .unwrap(),
        ),
        other => panic!("unknown storage {other}"),
    };
    let seed: u64 = lines[lines.len() - 2].parse().unwrap();
    let go = Path::new(lines[lines.len() - 1]);
    while !go.exists() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let noting: &'static Noting = Box::leak(Box::new(Noting {
        inner: SuccessiveHalving::new().min_resource(1).reduction_factor(3),
        pruned: Mutex::new(Vec::new()),
    }));
    let study = Study::minimize(unit_space())
        .name("pruning-race")
        .sampler(Random::new())
        .seed(seed)
        .storage(storage)
        .pruner(ForwardTo(noting))
        .build()
        .unwrap();
    study
        .optimize(TRIALS_PER_WORKER, |p: &Params, trial: &mut TrialContext| {
            trial.set_user_attr("pid", std::process::id())?;
            let x: f64 = p.get("x")?;
            for step in 0..STEPS {
                std::thread::sleep(Duration::from_millis(3));
                trial.report(step, (x - 0.3).powi(2) + 1.0 / (step as f64 + 1.0))?;
            }
            Ok::<f64, tunekit_runtime::Error>((x - 0.3).powi(2))
        })
        .unwrap();
    for (number, foreign) in noting.pruned.lock().unwrap().iter() {
        println!("pruned {number} {foreign}");
    }
}

/// A `&'static Noting` as a pruner (the builder takes ownership).
struct ForwardTo(&'static Noting);

impl Pruner for ForwardTo {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        self.0.should_prune(ctx)
    }
}

/// Starts two workers on one study (`spec`: storage kind and location), together; checks
/// that each pruned trials against the other's reports; returns the stored trials.
fn two_workers_prune_against_each_other(spec: &[&str], dir: &Path) -> Vec<tunekit_runtime::Trial> {
    let go = dir.join("go");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2u64)
        .map(|seed| {
            let mut lines: Vec<String> = spec.iter().map(|s| s.to_string()).collect();
            lines.push(seed.to_string());
            lines.push(go.to_str().unwrap().to_owned());
            Command::new(&exe)
                .args([
                    "--exact",
                    "pruners::pruning_worker",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(WORKER_VAR, lines.join("\n"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::fs::write(&go, b"").unwrap();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "worker failed: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let pruned: Vec<(u64, usize)> = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("pruned "))
            .map(|l| {
                let (n, f) = l.split_once(' ').unwrap();
                (n.parse().unwrap(), f.parse().unwrap())
            })
            .collect();
        assert!(
            pruned.iter().any(|&(_, foreign)| foreign > 0),
            "a worker never pruned against the other's reports: {pruned:?}"
        );
    }
    let reader = match spec[0] {
        "journal" => Study::minimize(unit_space())
            .name("pruning-race")
            .storage(Journal::open(spec[1]).unwrap())
            .build()
            .unwrap(),
        #[cfg(feature = "postgres")]
        "postgres" => Study::minimize(unit_space())
            .name("pruning-race")
            .storage(
                tunekit_runtime::storage::Postgres::connect(spec[1])
                    .unwrap()
                    .schema(spec[2])
                    .unwrap(),
            )
            .build()
            .unwrap(),
        other => panic!("unknown storage {other}"),
    };
    let trials = reader.trials().unwrap();
    assert_eq!(trials.len(), 2 * TRIALS_PER_WORKER);
    let pids: std::collections::BTreeSet<_> = trials
        .iter()
        .map(|t| t.user_attrs["pid"].to_string())
        .collect();
    assert_eq!(pids.len(), 2);
    for t in &trials {
        match t.state {
            TrialState::Complete => assert_eq!(t.intermediate.len() as u64, STEPS),
            // Pruned right after a rung (steps 1, 3 or 9).
            TrialState::Pruned => assert!([2, 4, 10].contains(&t.intermediate.len())),
            other => panic!("trial {} is {other:?}", t.number),
        }
    }
    assert!(trials.iter().any(|t| t.state == TrialState::Pruned));
    trials
}

#[test]
fn two_processes_on_one_journal_prune_against_each_others_reports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.jsonl");
    two_workers_prune_against_each_other(&["journal", path.to_str().unwrap()], dir.path());
}

#[cfg(feature = "postgres")]
#[test]
fn two_processes_on_postgres_prune_against_each_others_reports() {
    use crate::postgres_support::{url_or_skip, Schema};
    let Some(url) = url_or_skip("two_processes_on_postgres_prune_against_each_others_reports")
    else {
        return;
    };
    let schema = Schema::new(&url, "tunekit_pruning");
    let dir = tempfile::tempdir().unwrap();
    two_workers_prune_against_each_other(&["postgres", &url, &schema.name], dir.path());
}

#[cfg(feature = "plots")]
#[test]
fn the_report_draws_learning_curves_with_pruned_trials_marked() {
    let study = Study::minimize(unit_space())
        .sampler(Random::new())
        .seed(5)
        .pruner(MedianPruner::new().startup_trials(3).warmup_steps(1))
        .build()
        .unwrap();
    study
        .optimize(20, |p: &Params, trial: &mut TrialContext| {
            let x: f64 = p.get("x")?;
            for step in 0..6 {
                trial.report(step, x + 1.0 / (step as f64 + 1.0))?;
            }
            Ok::<f64, tunekit_runtime::Error>(x)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    let pruned = trials
        .iter()
        .filter(|t| t.state == TrialState::Pruned)
        .count();
    assert!(pruned > 0 && pruned < trials.len());
    let dir = tempfile::tempdir().unwrap();
    let files = study.write_report(dir.path()).unwrap();
    let svg = std::fs::read_to_string(files.intermediate_svg.unwrap()).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("intermediate.svg is well-formed XML");
    let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
    // One dot where each pruned trial stopped, plus the legend's.
    assert_eq!(count("circle"), pruned + 1);
    // A line per trial in its state's colour, the best one again in red, and a legend
    // line for each (axes and ticks are black polylines).
    let lines = |stroke: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some(stroke))
            .count()
    };
    assert_eq!(lines("#1F77B4"), trials.len() - pruned + 1, "complete");
    assert_eq!(lines("#7F7F7F"), pruned + 1, "pruned");
    assert_eq!(lines("#D62728"), 2, "best");
    let text: String = doc
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("pruned trial") && text.contains("best trial"),
        "{text}"
    );

    // A study whose trials reported nothing has no learning curves to draw.
    let silent = Study::minimize(unit_space()).seed(1).build().unwrap();
    silent
        .optimize(3, |p: &Params| p.get::<f64>("x").unwrap())
        .unwrap();
    let files = silent.write_report(dir.path().join("silent")).unwrap();
    assert!(files.intermediate_svg.is_none());
    assert!(!dir.path().join("silent/intermediate.svg").exists());
}
