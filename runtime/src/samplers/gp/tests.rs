//! The GP sampler end to end: proposals always valid, degenerate histories, parallel
//! workers, and better than random search on a smooth problem.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Gp;
use crate::samplers::{check_proposal, Qmc, Random, SampleContext, Sampler};
use crate::space::{Domain, Params, SearchSpace, Value};
use crate::trial::{Direction, Trial, TrialState};
// The module is compiled for tests only (by its `mod` line); this attribute also marks
// what follows as test code for the layering check (`module_graph.rs`), as tests may
// reach any module.
#[cfg(test)]
use crate::Study;

fn trial(number: u64, params: Params, state: TrialState, value: Option<f64>) -> Trial {
    let mut t = Trial::running(number, params);
    t.state = state;
    t.value = value;
    t
}

fn propose(gp: &Gp, space: &SearchSpace, trials: &[Trial], seed: u64) -> Params {
    propose_in(Direction::Minimize, gp, space, trials, seed)
}

fn propose_in(
    direction: Direction,
    gp: &Gp,
    space: &SearchSpace,
    trials: &[Trial],
    seed: u64,
) -> Params {
    let ctx = SampleContext {
        space,
        trials,
        direction,
        number: trials.len() as u64,
        seed,
    };
    let params = gp
        .sample(&ctx, &mut ChaCha8Rng::seed_from_u64(seed))
        .unwrap()
        .unwrap();
    check_proposal("gp", space, &params).unwrap();
    params
}

/// A cheap sampler for tests that need many asks.
fn small() -> Gp {
    Gp::new()
        .n_startup_trials(4)
        .n_candidates(128)
        .n_local_search(3)
}

/// Some value of each active param, so histories have structure.
fn objective(params: &Params) -> f64 {
    params
        .iter()
        .map(|(_, v)| match v {
            Value::Float(x) => x.abs().min(1e6).sqrt(),
            Value::Int(x) => (*x as f64).abs().min(1e6).sqrt(),
            _ => 0.3,
        })
        .sum()
}

/// A random space of 1 to 4 params of every kind, extreme bounds included, sometimes
/// with a param conditional on a categorical.
fn generated_space(rng: &mut ChaCha8Rng) -> SearchSpace {
    let mut builder = SearchSpace::builder();
    let n = rng.random_range(1..=4);
    for i in 0..n {
        let domain = match rng.random_range(0..16) {
            0 => Domain::float(-1.0, rng.random_range(-0.5..10.0)),
            1 => Domain::float(1e-6, rng.random_range(1e-5..1e3)).log(),
            2 => Domain::float(0.0, 1.0).step([0.1, 0.25, 0.3, 1e-300][rng.random_range(0..4)]),
            3 => Domain::int(-5, rng.random_range(-4..40)),
            4 => Domain::int(0, 100).step(f64::from(rng.random_range(1..=7u8))),
            5 => Domain::int(1, rng.random_range(1..100_000)).log(),
            6 => Domain::categorical(["a", "b", "c"]),
            7 => Domain::categorical([1i64, 7, 9, 11]),
            8 => Domain::float(-f64::MAX, f64::MAX),
            9 => Domain::int(i64::MIN, i64::MAX),
            10 => Domain::float(-f64::MAX, f64::MAX).step(1e290),
            11 => Domain::int(1, i64::MAX).log(),
            12 => Domain::float(5e-324, f64::MAX).log(),
            13 => Domain::int(1 << 53, (1 << 53) + 1),
            14 => Domain::categorical((0..100i64).collect::<Vec<_>>()),
            _ => Domain::float(-0.0, 5e-324),
        };
        builder = builder.add(format!("p{i}"), domain);
    }
    if rng.random_bool(0.5) {
        builder = builder
            .add("branch", Domain::categorical(["left", "right"]))
            .add_when("left.x", Domain::float(0.0, 1.0), "branch", ["left"])
            .add_when("right.k", Domain::int(0, 200), "branch", ["right"]);
    }
    builder.build().unwrap()
}

/// A property test over generated spaces: every proposal a point of its space (every
/// value in its domain and on its grid, exactly the active params) from histories with
/// failed, pruned and running trials.
#[test]
fn proposals_are_always_points_of_generated_spaces() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let gp = small();
    for case in 0..40u64 {
        let space = generated_space(&mut rng);
        let mut trials = Vec::new();
        for number in 0..9u64 {
            let params = Random::sample_space(&space, &mut rng);
            let value = objective(&params);
            let state = match number % 9 {
                7 => TrialState::Failed,
                8 => TrialState::Pruned,
                _ => TrialState::Complete,
            };
            trials.push(trial(number, params, state, Some(value)));
        }
        let running = Random::sample_space(&space, &mut rng);
        trials.push(trial(9, running, TrialState::Running, None));
        for round in 0..3 {
            let ctx = SampleContext {
                space: &space,
                trials: &trials,
                direction: Direction::Minimize,
                number: trials.len() as u64,
                seed: case * 10 + round,
            };
            let mut rng = ChaCha8Rng::seed_from_u64(case * 10 + round);
            let Some(params) = gp.sample(&ctx, &mut rng).unwrap() else {
                // Only a finite space whose configs are all taken may end the search.
                let finite = space
                    .params()
                    .iter()
                    .all(|p| p.domain.value_count().is_some());
                assert!(finite, "case {case}: no proposal on an infinite space");
                break;
            };
            check_proposal("gp", &space, &params).unwrap();
            let value = objective(&params);
            trials.push(trial(
                trials.len() as u64,
                params,
                TrialState::Complete,
                Some(value),
            ));
        }
    }
}

/// Histories that break naive GPs: none or one trial, constant values, duplicates,
/// infinite and NaN values, values near f64::MAX.
#[test]
fn degenerate_histories_give_valid_proposals() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(-2.0, 2.0))
        .add("n", Domain::int(1, 64).log())
        .add("c", Domain::categorical(["a", "b"]))
        .build()
        .unwrap();
    let point = Params::new().with("x", 0.5).with("n", 8i64).with("c", "a");
    let gp = Gp::new().n_startup_trials(1).n_candidates(64);
    let histories: Vec<Vec<Option<f64>>> = vec![
        vec![],
        vec![Some(1.0)],
        vec![Some(3.0); 6],
        vec![
            Some(f64::INFINITY),
            Some(1.0),
            Some(f64::NEG_INFINITY),
            Some(2.0),
        ],
        vec![Some(f64::NAN), Some(f64::NAN)],
        vec![Some(f64::NAN), Some(1.0), None],
        vec![Some(f64::MAX), Some(-f64::MAX), Some(1e300), Some(0.0)],
        vec![Some(f64::INFINITY); 3],
    ];
    for (h, values) in histories.iter().enumerate() {
        // All at the same point (duplicates), then the same again at random points.
        for duplicated in [true, false] {
            let mut rng = ChaCha8Rng::seed_from_u64(h as u64);
            let trials: Vec<Trial> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let params = if duplicated {
                        point.clone()
                    } else {
                        Random::sample_space(&space, &mut rng)
                    };
                    trial(i as u64, params, TrialState::Complete, v)
                })
                .collect();
            propose(&gp, &space, &trials, 1);
            propose(
                &gp.clone().deterministic_objective(true),
                &space,
                &trials,
                1,
            );
        }
    }
    // Trials from another version of the space (unknown param, value out of domain) are
    // skipped, not a failure.
    let stale = vec![
        trial(
            0,
            point.clone().with("gone", 1i64),
            TrialState::Complete,
            Some(1.0),
        ),
        trial(
            1,
            point.clone().with("x", 9.0),
            TrialState::Complete,
            Some(1.0),
        ),
        trial(2, point.clone(), TrialState::Complete, Some(0.5)),
    ];
    propose(&gp, &space, &stale, 2);
}

#[test]
fn an_empty_space_gives_empty_params() {
    let space = SearchSpace::empty();
    let trials = vec![trial(0, Params::new(), TrialState::Complete, Some(1.0))];
    assert!(propose(&Gp::new(), &space, &trials, 0).is_empty());
}

/// The GP phase starts after `n_startup_trials` complete trials; before, trial `k` is
/// exactly point `k` of the seeded Sobol design.
#[test]
fn startup_trials_follow_the_sobol_design() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(0.0, 1.0))
        .build()
        .unwrap();
    let mut trials = Vec::new();
    for i in 0..3u64 {
        let p = Params::new().with("x", 0.1 * (i + 1) as f64);
        trials.push(trial(i, p, TrialState::Complete, Some(i as f64)));
    }
    let gp = Gp::new().n_startup_trials(4);
    let design = Qmc::sobol().point(&space, 3, 3);
    assert!(propose(&gp, &space, &trials, 3).same(&design));
    let gp = Gp::new().n_startup_trials(3);
    assert!(!propose(&gp, &space, &trials, 3).same(&design));
}

fn x_of(params: &Params) -> f64 {
    params.get("x").unwrap()
}

/// On a 1-d quadratic, the proposal lands near the minimum; with a running trial there
/// (constant liar), another worker is sent elsewhere.
#[test]
fn constant_liar_moves_parallel_proposals_apart() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(-3.0, 3.0))
        .build()
        .unwrap();
    let mut trials = Vec::new();
    for (i, x) in [-3.0, -2.0, -1.0, -0.2, 1.5, 2.5, 3.0]
        .into_iter()
        .enumerate()
    {
        let p = Params::new().with("x", x);
        trials.push(trial(
            i as u64,
            p,
            TrialState::Complete,
            Some((x - 0.4f64).powi(2)),
        ));
    }
    let gp = Gp::new().n_startup_trials(5);
    let first = propose(&gp, &space, &trials, 9);
    assert!((x_of(&first) - 0.4).abs() < 0.5, "{first:?}");
    let mut with_running = trials.clone();
    with_running.push(trial(7, first.clone(), TrialState::Running, None));
    let second = propose(&gp, &space, &with_running, 9);
    assert!(
        (x_of(&second) - x_of(&first)).abs() > 0.05,
        "{first:?} then {second:?}"
    );
    // Without the liar the same seed proposes the same point again.
    let no_liar = gp.clone().constant_liar(false);
    let again = propose(&no_liar, &space, &with_running, 9);
    assert!(
        (x_of(&again) - x_of(&first)).abs() < 1e-6,
        "{first:?} then {again:?}"
    );
}

/// Ints and steps are proposed on their grid, and the GP finds the grid point nearest a
/// minimum between grid points.
#[test]
fn grid_params_are_optimised_on_the_grid() {
    let space = SearchSpace::builder()
        .add("k", Domain::int(0, 20).step(4.0))
        .add("s", Domain::float(0.0, 1.0).step(0.25))
        .build()
        .unwrap();
    // Minimum at k = 9.0 (nearest grid point 8), s = 0.7 (nearest 0.75).
    let f = |p: &Params| {
        let k: i64 = p.get("k").unwrap();
        let s: f64 = p.get("s").unwrap();
        (k as f64 - 9.0).powi(2) / 40.0 + (s - 0.7).powi(2) * 4.0
    };
    let gp = Gp::new().n_startup_trials(6);
    let mut trials = Vec::new();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for i in 0..16u64 {
        let p = if i < 6 {
            Random::sample_space(&space, &mut rng)
        } else {
            propose(&gp, &space, &trials, i)
        };
        let v = f(&p);
        trials.push(trial(i, p, TrialState::Complete, Some(v)));
    }
    let best = trials
        .iter()
        .min_by(|a, b| a.value.unwrap().total_cmp(&b.value.unwrap()))
        .unwrap();
    assert_eq!(
        best.params.value("k"),
        Some(&Value::Int(8)),
        "{:?}",
        best.params
    );
    assert_eq!(
        best.params.value("s"),
        Some(&Value::Float(0.75)),
        "{:?}",
        best.params
    );
}

/// A conditional space: the GP searches both branches, and finds the better one's
/// optimum.
#[test]
fn conditional_params_are_modelled_not_dropped() {
    let space = SearchSpace::builder()
        .add("branch", Domain::categorical(["a", "b"]))
        .add_when("a.x", Domain::float(0.0, 1.0), "branch", ["a"])
        .add_when("b.y", Domain::float(0.0, 1.0), "branch", ["b"])
        .build()
        .unwrap();
    let f = |p: &Params| match p.value("branch").and_then(Value::as_str) {
        Some("a") => 1.0 + (p.get::<f64>("a.x").unwrap() - 0.3).powi(2),
        _ => (p.get::<f64>("b.y").unwrap() - 0.8).powi(2),
    };
    let gp = Gp::new().n_startup_trials(6);
    let mut trials = Vec::new();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for i in 0..18u64 {
        let p = if i < 6 {
            Random::sample_space(&space, &mut rng)
        } else {
            propose(&gp, &space, &trials, i)
        };
        let v = f(&p);
        trials.push(trial(i, p, TrialState::Complete, Some(v)));
    }
    let best = trials
        .iter()
        .map(|t| t.value.unwrap())
        .fold(f64::INFINITY, f64::min);
    assert!(best < 1e-3, "best {best}");
}

/// 2-d sphere on [-5, 5]^2, 30 trials, three seeds: the GP's best is below 0.01 every
/// time. Random search (30 uniform draws) gets below 0.01 with probability
/// 1 - (1 - 0.01 pi / 100)^30 < 1% per seed, so a sampler that does not model the
/// history passes all three with probability below 1e-6; the test also checks the GP
/// beats Random's best on each seed.
#[test]
fn gp_beats_random_on_the_sphere() {
    let space = || {
        SearchSpace::builder()
            .add("x", Domain::float(-5.0, 5.0))
            .add("y", Domain::float(-5.0, 5.0))
            .build()
            .unwrap()
    };
    let sphere = |p: &Params| {
        let x: f64 = p.get("x").unwrap();
        let y: f64 = p.get("y").unwrap();
        x * x + y * y
    };
    for seed in [1, 2, 3] {
        let gp = Study::minimize(space())
            .sampler(Gp::new())
            .seed(seed)
            .build()
            .unwrap();
        gp.optimize(30, sphere).unwrap();
        let random = Study::minimize(space())
            .sampler(Random)
            .seed(seed)
            .build()
            .unwrap();
        random.optimize(30, sphere).unwrap();
        let (g, r) = (gp.best().unwrap().value, random.best().unwrap().value);
        assert!(g < 0.01 && g < r, "seed {seed}: gp {g}, random {r}");
    }
}

/// Maximisation models the values as they are (minimisation their negation): on the same
/// history the two directions go to opposite ends. Also: the same seed, the same
/// proposal; and the options that shrink the search still give good proposals.
#[test]
fn directions_seeds_and_options() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(0.0, 1.0))
        .build()
        .unwrap();
    // Values increase with x: minimise near 0, maximise near 1.
    let trials: Vec<Trial> = [0.1, 0.3, 0.5, 0.7, 0.9]
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            trial(
                i as u64,
                Params::new().with("x", x),
                TrialState::Complete,
                Some(x),
            )
        })
        .collect();
    let gp = Gp::new().n_startup_trials(5);
    let low = x_of(&propose_in(Direction::Minimize, &gp, &space, &trials, 1));
    let high = x_of(&propose_in(Direction::Maximize, &gp, &space, &trials, 1));
    assert!(low < 0.1 && high > 0.9, "{low} {high}");
    assert_eq!(
        low,
        x_of(&propose_in(Direction::Minimize, &gp, &space, &trials, 1))
    );
    for gp in [
        gp.clone().n_local_search(0),
        gp.clone().n_candidates(0),
        gp.clone().n_candidates(1).n_local_search(0),
        gp.clone().deterministic_objective(true),
    ] {
        let x = x_of(&propose(&gp, &space, &trials, 2));
        assert!(x < 0.3, "{gp:?}: {x}");
    }
}

/// Three workers asking one after the other while the earlier ones still run (the
/// order a parallel study asks in), each with its own seed: with the constant liar the
/// three points are spread out; without, they are the same acquisition maximum.
#[test]
fn constant_liar_spreads_concurrent_asks() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(-3.0, 3.0))
        .add("y", Domain::float(-3.0, 3.0))
        .build()
        .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut trials = Vec::new();
    for i in 0..8u64 {
        let p = Random::sample_space(&space, &mut rng);
        let v = (x_of(&p) - 0.7).powi(2) + (p.get::<f64>("y").unwrap() + 0.4).powi(2);
        trials.push(trial(i, p, TrialState::Complete, Some(v)));
    }
    let point = |p: &Params| [x_of(p), p.get::<f64>("y").unwrap()];
    let gap = |a: [f64; 2], b: [f64; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    for liar in [true, false] {
        let gp = Gp::new().n_startup_trials(5).constant_liar(liar);
        let mut history = trials.clone();
        let mut points = Vec::new();
        for worker in 0..3u64 {
            let p = propose(&gp, &space, &history, 100 + worker);
            points.push(point(&p));
            history.push(trial(history.len() as u64, p, TrialState::Running, None));
        }
        for i in 0..3 {
            for j in i + 1..3 {
                let d = gap(points[i], points[j]);
                if liar {
                    assert!(d > 0.05, "liar: workers {i} and {j} at {d}: {points:?}");
                } else {
                    assert!(d < 1e-3, "no liar: workers {i} and {j} at {d}: {points:?}");
                }
            }
        }
    }
}

/// A real parallel study (three worker threads): running trials in the history, asks
/// racing tells, and it still converges.
#[test]
fn a_parallel_study_converges() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(-3.0, 3.0))
        .build()
        .unwrap();
    let study = Study::minimize(space)
        .sampler(Gp::new().n_startup_trials(5).n_candidates(256))
        .workers(3)
        .seed(8)
        .build()
        .unwrap();
    study
        .optimize(21, |p: &Params| {
            std::thread::sleep(std::time::Duration::from_millis(30));
            (x_of(p) - 0.7).powi(2)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 21);
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    assert!(study.best().unwrap().value < 0.01);
}

/// The fit is warm-started from a fit on a prefix of the history that the sampler caches:
/// a sampler that has seen the earlier asks (cache hit) and a fresh one, as a resumed
/// study has (miss), propose exactly the same point; and the cache is really used.
#[test]
fn a_resumed_study_proposes_what_an_uninterrupted_one_does() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(-3.0, 3.0))
        .add("n", Domain::int(0, 40))
        .add("c", Domain::categorical(["a", "b", "c"]))
        .build()
        .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let history: Vec<Trial> = (0..29)
        .map(|k| {
            let params = Random::sample_space(&space, &mut rng);
            let value = objective(&params) + rng.random::<f64>();
            trial(k, params, TrialState::Complete, Some(value))
        })
        .collect();
    let uninterrupted = small();
    // Asks at 25 and 27 observations fill the cache with the fit of the first 24
    // (the anchor of 25..=31).
    for n in [25, 27] {
        propose(&uninterrupted, &space, &history[..n], 5);
    }
    let encoding = super::encoding::Encoding::new(&space);
    let prefix: Vec<Vec<f64>> = history[..24]
        .iter()
        .map(|t| encoding.encode(&space, &t.params).unwrap())
        .collect();
    let scores: Vec<f64> = history[..24].iter().map(|t| -t.value.unwrap()).collect();
    let categorical = encoding.categorical_mask();
    assert!(uninterrupted.anchors.holds(&prefix, &scores, &categorical));
    let resumed = small();
    assert!(!resumed.anchors.holds(&prefix, &scores, &categorical));
    for n in [28, 29] {
        let hit = propose(&uninterrupted, &space, &history[..n], 5 + n as u64);
        let miss = propose(&small(), &space, &history[..n], 5 + n as u64);
        assert_eq!(hit, miss, "{n} observations");
    }
    // The history decides the warm start, not what the sampler saw: a sampler whose cache
    // holds another prefix proposes the same too.
    let other = small();
    propose(&other, &space, &history[1..26], 1);
    assert_eq!(
        propose(&other, &space, &history[..28], 33),
        propose(&small(), &space, &history[..28], 33)
    );
}

/// The scored candidates are a shifted Sobol design: every point decodes to a valid
/// proposal, each coordinate is stratified (2048 points put exactly 512 in each quarter of
/// a float's range and on each of four choices, which random points would almost never
/// do), a new rng gives a new shift, and conditional spaces leave inactive params out.
#[test]
fn candidates_are_a_stratified_design_of_valid_points() {
    use super::encoding::Encoding;
    use super::sampler::candidates;
    let space = SearchSpace::builder()
        .add("x", Domain::float(-2.0, 6.0))
        .add("k", Domain::int(1, 1000).log())
        .add("c", Domain::categorical(["a", "b", "c", "d"]))
        .build()
        .unwrap();
    let encoding = Encoding::new(&space);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let points = candidates(&space, &encoding, 2048, &mut rng);
    assert_eq!(points.len(), 2048);
    let mut quarters = [0; 4];
    let mut choices = [0; 4];
    for p in &points {
        check_proposal("gp", &space, &encoding.decode(&space, p)).unwrap();
        quarters[((p[0] * 4.0) as usize).min(3)] += 1;
        choices[p[2] as usize] += 1;
    }
    assert_eq!(quarters, [512; 4]);
    assert_eq!(choices, [512; 4]);
    let again = candidates(&space, &encoding, 2048, &mut rng);
    assert_ne!(points[0], again[0]);

    let conditional = SearchSpace::builder()
        .add("optimizer", Domain::categorical(["adam", "sgd"]))
        .add_when("momentum", Domain::float(0.0, 0.9), "optimizer", ["sgd"])
        .build()
        .unwrap();
    let encoding = Encoding::new(&conditional);
    let points = candidates(&conditional, &encoding, 64, &mut rng);
    let inactive = points.iter().filter(|p| p[1].is_nan()).count();
    assert_eq!(inactive, 32);
    for p in &points {
        assert_eq!(p[1].is_nan(), p[0] == 0.0, "{p:?}");
        check_proposal("gp", &conditional, &encoding.decode(&conditional, p)).unwrap();
    }
}
