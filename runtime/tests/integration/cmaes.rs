//! CMA-ES in studies: against random search, reproducibility from the history, warm
//! start, two workers, maximizing, a study reopened from its journal. (The optimiser, the margin, restarts and generated spaces are
//! tested inside the crate: `cargo test -p tunekit-runtime --lib samplers::cmaes`.)

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tunekit_runtime::samplers::{CmaEs, Random, SampleContext, Sampler};
use tunekit_runtime::{Direction, Domain, Params, SearchSpace, StopReason, Study, TrialState};

fn floats(d: usize) -> SearchSpace {
    let mut b = SearchSpace::builder();
    for i in 0..d {
        b = b.add(format!("x{i}"), Domain::float(-5.0, 5.0));
    }
    b.build().unwrap()
}

fn ellipsoid(p: &Params) -> f64 {
    (0..5)
        .map(|i| {
            let x: f64 = p.get(&format!("x{i}")).unwrap();
            (i as f64 + 1.0) * (x - 1.0).powi(2)
        })
        .sum()
}

fn best_value(sampler: impl Sampler + 'static, seed: u64, trials: usize) -> f64 {
    let study = Study::minimize(floats(5))
        .sampler(sampler)
        .seed(seed)
        .build()
        .unwrap();
    study.optimize(trials, ellipsoid).unwrap();
    study.best().unwrap().value
}

/// On a smooth 5-d problem, 200 trials of CMA-ES end far below random search's best, on
/// every seed.
#[test]
fn cmaes_beats_random_by_orders_of_magnitude_on_a_smooth_problem() {
    let mut cma: Vec<f64> = (0..5).map(|s| best_value(CmaEs::new(), s, 200)).collect();
    let mut random: Vec<f64> = (0..5).map(|s| best_value(Random::new(), s, 200)).collect();
    cma.sort_by(f64::total_cmp);
    random.sort_by(f64::total_cmp);
    // Measured: CMA-ES 0.014..0.054 (the Python `cmaes` library, same settings, 20
    // seeds: median 0.038), random search 6.1..18.9; the centre of the space scores 15.
    assert!(cma[4] < random[0] / 50.0, "cma {cma:?} random {random:?}");
    assert!(
        cma[2] < 0.05 && cma[2] < random[2] / 300.0,
        "cma {cma:?} random {random:?}"
    );
}

/// Proposals are a function of the history: a fresh sampler given a sequential study's
/// first `k` trials proposes exactly what the study's (cached) sampler proposed for
/// trial `k`, with floats, log params and ints (whose continuous draws are regenerated).
#[test]
fn proposals_are_reproduced_from_the_history_alone() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(-2.0, 2.0))
        .add("lr", Domain::float(1e-4, 1.0).log())
        .add("k", Domain::int(0, 6))
        .add("p", Domain::float(0.0, 1.0).step(0.25))
        .build()
        .unwrap();
    let study = Study::minimize(space.clone())
        .sampler(CmaEs::new())
        .seed(11)
        .build()
        .unwrap();
    study
        .optimize(60, |p: &Params| {
            let x: f64 = p.get("x").unwrap();
            let lr: f64 = p.get("lr").unwrap();
            let k: i64 = p.get("k").unwrap();
            x * x + lr.log10().powi(2) + (k - 4) as f64 + p.get::<f64>("p").unwrap()
        })
        .unwrap();
    let trials = study.trials().unwrap();
    for k in (0..60).step_by(7) {
        let ctx = SampleContext {
            space: &space,
            trials: &trials[..k],
            direction: Direction::Minimize,
            number: k as u64,
            seed: 11,
        };
        let fresh = CmaEs::new()
            .sample(&ctx, &mut ChaCha8Rng::seed_from_u64(0))
            .unwrap()
            .unwrap();
        assert!(
            fresh.same(&trials[k].params),
            "trial {k}: {fresh:?} vs {:?}",
            trials[k].params
        );
    }
}

/// Trials enqueued before the search (a warm start) put the first mean at the best one.
#[test]
fn the_first_generation_starts_at_the_best_earlier_trial() {
    let study = Study::minimize(floats(2))
        .sampler(CmaEs::new())
        .seed(5)
        .build()
        .unwrap();
    let f = |p: &Params| {
        let x: f64 = p.get("x0").unwrap();
        let y: f64 = p.get("x1").unwrap();
        (x - 4.0).powi(2) + (y + 3.0).powi(2)
    };
    for (x, y) in [(0.0, 0.0), (3.5, -3.5), (-4.0, 4.0)] {
        study
            .enqueue(Params::new().with("x0", x).with("x1", y))
            .unwrap();
    }
    study.optimize(3 + 6, f).unwrap();
    let trials = study.trials().unwrap();
    let proposed = &trials[3..];
    let mean = |name: &str| {
        proposed
            .iter()
            .map(|t| t.params.get::<f64>(name).unwrap())
            .sum::<f64>()
            / proposed.len() as f64
    };
    // Centred on (3.5, -3.5), step 10/6: the centre of the space is far outside.
    assert!(
        mean("x0") > 2.0 && mean("x1") < -2.0,
        "{} {}",
        mean("x0"),
        mean("x1")
    );
}

/// Two workers in one study: every trial completes and the search still converges.
#[test]
fn two_workers_complete_a_study() {
    let study = Study::minimize(floats(5))
        .sampler(CmaEs::new())
        .seed(2)
        .workers(2)
        .build()
        .unwrap();
    study.optimize(200, ellipsoid).unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 200);
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    // Sequentially 200 trials reach 0.014..0.054 (above); random search 6.1..18.9.
    assert!(
        study.best().unwrap().value < 0.5,
        "{}",
        study.best().unwrap().value
    );
}

/// Maximizing works the same way (the sampler minimizes the negated values).
#[test]
fn maximize_converges_too() {
    let study = Study::maximize(floats(5))
        .sampler(CmaEs::new())
        .seed(3)
        .build()
        .unwrap();
    study.optimize(200, |p: &Params| -ellipsoid(p)).unwrap();
    let best = study.best().unwrap().value;
    assert!(best > -0.1, "{best}");
}

/// A study stopped after 30 trials and reopened from its journal goes on exactly as one
/// that never stopped: the state is rebuilt from the stored trials alone.
#[test]
fn a_reopened_journal_study_continues_the_same_search() {
    use tunekit_runtime::storage::Journal;
    let f = |p: &Params| {
        let k: i64 = p.get("k").unwrap();
        ellipsoid(p) + (k - 3).abs() as f64
    };
    let space = || {
        let mut b = SearchSpace::builder();
        for i in 0..5 {
            b = b.add(format!("x{i}"), Domain::float(-5.0, 5.0));
        }
        b.add("k", Domain::int(0, 9)).build().unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cmaes.jsonl");
    let open = || {
        Study::minimize(space())
            .sampler(CmaEs::new())
            .seed(9)
            .storage(Journal::open(&path).unwrap())
            .build()
            .unwrap()
    };
    open().optimize(30, f).unwrap();
    let resumed = open();
    resumed.optimize(50, f).unwrap();
    let resumed = resumed.trials().unwrap();

    let straight = Study::minimize(space())
        .sampler(CmaEs::new())
        .seed(9)
        .build()
        .unwrap();
    straight.optimize(80, f).unwrap();
    let straight = straight.trials().unwrap();
    assert_eq!(resumed.len(), 80);
    for (a, b) in resumed.iter().zip(&straight) {
        assert!(a.params.same(&b.params), "trial {}", a.number);
    }
}

/// On a finite space CMA-ES never repeats a config and the study ends exhausted.
#[test]
fn a_finite_space_is_searched_without_repeats() {
    let space = SearchSpace::builder()
        .add("a", Domain::int(0, 4))
        .add("b", Domain::float(0.0, 1.0).step(0.25))
        .build()
        .unwrap();
    let study = Study::minimize(space)
        .sampler(CmaEs::new())
        .seed(1)
        .build()
        .unwrap();
    let stop = study
        .optimize(40, |p: &Params| {
            let a: i64 = p.get("a").unwrap();
            let b: f64 = p.get("b").unwrap();
            (a - 3).pow(2) as f64 + b
        })
        .unwrap();
    assert_eq!(stop, StopReason::Exhausted);
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 25);
    assert_eq!(study.best().unwrap().value, 0.0);
    for (i, t) in trials.iter().enumerate() {
        assert!(
            trials[..i].iter().all(|u| !u.params.same(&t.params)),
            "trial {i}"
        );
    }
}
