//! The no-repeat rule of finite spaces (issue: TPE re-ran 82 of 100 trials on an 18-point
//! space; Random with 10 trials repeated a config in 8 of 10 seeds): no sampler proposes
//! a config a trial already holds while an unseen one remains, and the study stops with
//! `Exhausted` once every config is held, also with parallel workers and processes.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tunekit_runtime::samplers::{CmaEs, Gp, Grid, Qmc, Random, Sampler, Tpe};
use tunekit_runtime::storage::Journal;
use tunekit_runtime::{
    BoxError, Domain, Error, Params, SearchSpace, StopReason, Study, TrialState,
};

/// 18 configs, conditional: kind a -> x (4) x y (2) = 8; b -> z (5); c -> w (5).
fn space_18() -> SearchSpace {
    SearchSpace::builder()
        .add("kind", Domain::categorical(["a", "b", "c"]))
        .add_when("x", Domain::int(1, 4), "kind", ["a"])
        .add_when("y", Domain::categorical([false, true]), "kind", ["a"])
        .add_when("z", Domain::float(0.0, 1.0).step(0.25), "kind", ["b"])
        .add_when(
            "w",
            Domain::categorical(["p", "q", "r", "s", "t"]),
            "kind",
            ["c"],
        )
        .build()
        .unwrap()
}

/// A smooth objective with one best config, so TPE converges and is tempted to repeat.
fn loss(p: &Params) -> f64 {
    let kind: String = p.get("kind").unwrap();
    match kind.as_str() {
        "a" => {
            let x: i64 = p.get("x").unwrap();
            let y: bool = p.get("y").unwrap();
            ((x - 3) as f64).powi(2) + if y { 0.0 } else { 0.5 }
        }
        "b" => 2.0 + p.get::<f64>("z").unwrap(),
        _ => 4.0,
    }
}

fn keys(study: &Study<SearchSpace>) -> Vec<String> {
    study
        .trials()
        .unwrap()
        .iter()
        .map(|t| serde_json::to_string(&t.params).unwrap())
        .collect()
}

fn distinct(keys: &[String]) -> usize {
    keys.iter().collect::<HashSet<_>>().len()
}

fn study(sampler: impl Sampler + 'static, seed: u64) -> Study<SearchSpace> {
    Study::minimize(space_18())
        .sampler(sampler)
        .seed(seed)
        .build()
        .unwrap()
}

fn ok(p: &Params) -> Result<f64, Error> {
    Ok(loss(p))
}

#[test]
fn random_proposes_all_18_once_then_is_exhausted() {
    for seed in 0..10 {
        let study = study(Random, seed);
        assert_eq!(study.optimize(10, ok).unwrap(), StopReason::TrialBudget);
        assert_eq!(distinct(&keys(&study)), 10, "seed {seed}: the first 10");
        assert_eq!(study.optimize(8, ok).unwrap(), StopReason::TrialBudget);
        let all = keys(&study);
        assert_eq!((all.len(), distinct(&all)), (18, 18), "seed {seed}");
        assert_eq!(study.optimize(5, ok).unwrap(), StopReason::Exhausted);
        assert_eq!(study.trials().unwrap().len(), 18);
        assert!(matches!(study.ask(), Err(Error::Exhausted)));
    }
}

#[test]
fn tpe_with_100_trials_evaluates_the_18_configs_then_stops() {
    for seed in 0..4 {
        for tpe in [Tpe::new(), Tpe::optuna().duplicate_margin(0.0)] {
            let study = study(tpe.clone(), seed);
            assert_eq!(study.optimize(100, ok).unwrap(), StopReason::Exhausted);
            let all = keys(&study);
            assert_eq!((all.len(), distinct(&all)), (18, 18), "{tpe:?} seed {seed}");
            assert_eq!(study.best().unwrap().value, 0.0);
        }
    }
}

/// Qmc's design, Gp's model and CMA-ES's draws follow the rule too: a point some trial holds gives way
/// to an unseen config, and the study ends `Exhausted` after exactly the 18.
#[test]
fn qmc_gp_and_cmaes_evaluate_the_18_configs_once_then_stop() {
    let samplers: [Box<dyn Sampler>; 4] = [
        Box::new(CmaEs::new()),
        Box::new(Qmc::sobol()),
        Box::new(Qmc::halton()),
        Box::new(Gp::new().n_startup_trials(4).n_candidates(64)),
    ];
    for sampler in samplers {
        let name = sampler.name();
        let study = study(sampler, 5);
        assert_eq!(
            study.optimize(40, ok).unwrap(),
            StopReason::Exhausted,
            "{name}"
        );
        let all = keys(&study);
        assert_eq!((all.len(), distinct(&all)), (18, 18), "{name}");
        assert_eq!(study.best().unwrap().value, 0.0, "{name}");
    }
}

/// Failed trials count as evaluated: a config that fails is not retried, so a space
/// where some configs always fail still ends `Exhausted`, not in `TooManyFailures`.
#[test]
fn failed_configs_are_not_retried() {
    for sampler in [Box::new(Random) as Box<dyn Sampler>, Box::new(Tpe::new())] {
        let name = sampler.name();
        let study = Study::minimize(space_18())
            .sampler(sampler)
            .seed(3)
            .max_consecutive_failures(3)
            .build()
            .unwrap();
        let reason = study
            .optimize(100, |p: &Params| -> Result<f64, BoxError> {
                if p.get::<String>("kind")? == "c" {
                    return Err("kind c always fails".into());
                }
                Ok(loss(p))
            })
            .unwrap();
        assert_eq!(reason, StopReason::Exhausted, "{name}");
        let trials = study.trials().unwrap();
        let all = keys(&study);
        assert_eq!((all.len(), distinct(&all)), (18, 18), "{name}");
        let failed = trials
            .iter()
            .filter(|t| t.state == TrialState::Failed)
            .count();
        assert_eq!(failed, 5, "{name}");
    }
}

/// Parallel workers: every ask sees the running trials of the others (storages create a
/// trial atomically with the history its proposal was made from), so there are no
/// duplicates among concurrent asks either. The objective sleeps so that asks really do
/// overlap with running trials; the test checks that they did.
#[test]
fn four_workers_never_share_a_config() {
    let samplers: [fn() -> Box<dyn Sampler>; 3] = [
        || Box::new(Random),
        || Box::new(Tpe::new().n_startup_trials(4)),
        || Box::new(Grid::shuffled()),
    ];
    for make in samplers {
        let name = make().name();
        for seed in 0..3 {
            let study = Study::minimize(space_18())
                .sampler(make())
                .seed(seed)
                .workers(4)
                .build()
                .unwrap();
            let (now, max) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let reason = study
                .optimize(100, |p: &Params| -> Result<f64, Error> {
                    let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(running, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(3));
                    now.fetch_sub(1, Ordering::SeqCst);
                    Ok(loss(p))
                })
                .unwrap();
            assert_eq!(reason, StopReason::Exhausted, "{name} seed {seed}");
            let all = keys(&study);
            assert_eq!((all.len(), distinct(&all)), (18, 18), "{name} seed {seed}");
            assert!(max.load(Ordering::SeqCst) > 1, "{name}: no overlap");
        }
    }
}

/// Two study values (two processes, as far as the journal knows) on one file, with two
/// workers each: still each config once.
#[test]
fn two_processes_on_one_journal_never_share_a_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.jsonl");
    let open = || {
        Study::minimize(space_18())
            .sampler(Random)
            .seed(5)
            .workers(2)
            .storage(Journal::open(&path).unwrap())
            .build()
            .unwrap()
    };
    let (a, b) = (open(), open());
    let slow = |p: &Params| -> Result<f64, Error> {
        std::thread::sleep(Duration::from_millis(3));
        Ok(loss(p))
    };
    let reasons = std::thread::scope(|scope| {
        let one = scope.spawn(|| a.optimize(100, slow).unwrap());
        let two = scope.spawn(|| b.optimize(100, slow).unwrap());
        [one.join().unwrap(), two.join().unwrap()]
    });
    assert_eq!(reasons, [StopReason::Exhausted; 2]);
    let all = keys(&open());
    assert_eq!((all.len(), distinct(&all)), (18, 18));
}

/// A finite space far too large to enumerate: asks stay cheap and distinct.
#[test]
fn huge_finite_spaces_are_not_enumerated() {
    let space = SearchSpace::builder()
        .add("a", Domain::int(0, 999_999_999))
        .add("b", Domain::float(0.0, 1.0).step(1e-12))
        .add("c", Domain::categorical(["x", "y"]))
        .build()
        .unwrap();
    for sampler in [Box::new(Random) as Box<dyn Sampler>, Box::new(Tpe::new())] {
        let name = sampler.name();
        let study = Study::minimize(space.clone())
            .sampler(sampler)
            .seed(1)
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        study
            .optimize(30, |p: &Params| -> Result<f64, Error> {
                Ok(p.get::<f64>("b")? + p.get::<i64>("a")? as f64 * 1e-9)
            })
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(20), "{name}");
        let all = keys(&study);
        assert_eq!(distinct(&all), 30, "{name}");
    }
}
