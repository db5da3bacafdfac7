//! Tests of the whole sampler: the margin on a real search, generated spaces and
//! histories. Tests in studies are in `runtime/tests/integration/cmaes.rs`.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::margin::Bins;
use super::restart::{keyed_rng, Restarts, Search, SearchOptions};
use super::CmaEs;
use crate::samplers::unseen::Taken;
use crate::samplers::{sample_guarded, Qmc, Random, SampleContext, Sampler, Tpe};
use crate::space::{Condition, Domain, Param, SearchSpace, Value};
use crate::trial::{Direction, Trial, TrialState};

/// Three floats that converge fast and an int with 10 values whose slope (towards value
/// 9) is a thousand times weaker: by the time the int matters, the floats have shrunk the
/// step size far below one int value.
fn slow_int(u: &[f64], bins: Bins) -> f64 {
    let floats: f64 = u[..3].iter().map(|x| 100.0 * (x - 0.3).powi(2)).sum();
    floats + 1e-3 * (9.0 - bins.index(u[3]))
}

/// The int values drawn in the last 500 of 3000 evaluations, and the best int found.
fn int_search(margin: bool, seed: u64) -> (Vec<f64>, f64) {
    let bins = Bins::new(10.0);
    let options = SearchOptions {
        sigma0: 1.0 / 6.0,
        population: None,
        restarts: Restarts::None,
        population_growth: 2,
        margin,
    };
    let mut search = Search::new(
        vec![0.5; 4],
        vec![None, None, None, Some(bins)],
        options,
        seed,
    );
    let mut rng = keyed_rng(seed, 77);
    let (mut late, mut best) = (Vec::new(), (f64::INFINITY, 0.0));
    for i in 0..3000 {
        let x = search.cma().ask(&mut rng as &mut dyn RngCore);
        let eval = search.cma().eval_point(&x);
        let v = slow_int(&eval, bins);
        let z = bins.index(eval[3]);
        if i >= 2500 {
            late.push(z);
        }
        if v < best.0 {
            best = (v, z);
        }
        search.tell(x, v);
    }
    late.sort_by(f64::total_cmp);
    late.dedup();
    (late, best.1)
}

/// The margin keeps the int dimension explored; without it the int freezes on a value
/// that is not the best.
#[test]
fn the_integer_margin_keeps_exploring_an_int() {
    for seed in 0..5 {
        let (late, best) = int_search(true, seed);
        assert_eq!(best, 9.0, "seed {seed}: with the margin, best int {best}");
        assert!(
            late.len() >= 2,
            "seed {seed}: with the margin, late ints {late:?}"
        );
    }
    let frozen = (0..5)
        .filter(|&seed| {
            let (late, best) = int_search(false, seed);
            late.len() == 1 && best < 9.0
        })
        .count();
    assert!(
        frozen >= 4,
        "without the margin only {frozen} of 5 runs froze"
    );
}

/// A random valid domain, huge ones included.
fn domain(rng: &mut ChaCha8Rng) -> Domain {
    match rng.random_range(0..12) {
        0 => Domain::float(-1.0, rng.random_range(-0.5..10.0)),
        1 => Domain::float(1e-6, rng.random_range(1e-5..1e3)).log(),
        2 => Domain::int(-3, rng.random_range(-2..40)),
        3 => Domain::int(1, rng.random_range(2..5000)).log(),
        4 => Domain::int(0, 30).step(f64::from(rng.random_range(1..7))),
        5 => Domain::float(0.0, 1.0).step([0.1, 0.3, 0.25, 1.0][rng.random_range(0..4)]),
        6 => Domain::categorical(["a", "b", "c"]),
        7 => Domain::float(-f64::MAX, f64::MAX),
        8 => Domain::int(i64::MIN, i64::MAX),
        9 => Domain::float(-1e300, 1e300).step(1e290),
        10 => Domain::int(0, 1),
        _ => Domain::categorical([Value::Int(1)]),
    }
}

fn generated_space(rng: &mut ChaCha8Rng) -> SearchSpace {
    let mut params = vec![Param::new("root", Domain::categorical(["u", "v"]))];
    for i in 0..rng.random_range(1..7) {
        let mut param = Param::new(format!("p{i}"), domain(rng));
        if rng.random_bool(0.3) {
            param.condition = Some(Condition::equals("root", "u"));
        }
        params.push(param);
    }
    SearchSpace::new(params).unwrap()
}

/// The sampler of a generated case: every option in turn.
fn sampler_for(case: usize) -> CmaEs {
    let sampler = CmaEs::new().population(4 + case % 3);
    match case % 5 {
        0 => sampler,
        1 => sampler.restarts(Restarts::Bipop),
        2 => sampler.startup_design(Qmc::sobol()).n_startup_trials(3),
        3 => sampler.independent_sampler(Tpe::new().n_startup_trials(2)),
        _ => sampler.n_startup_trials(2).restarts(Restarts::None),
    }
}

/// Over generated spaces (ints, steps, logs, categoricals, conditional and huge params)
/// and histories with every trial state and NaN, infinite and huge values, every proposal
/// of every option set is a valid point of the space, on its step grid; no proposal
/// repeats a config on a finite space, and nothing panics.
#[test]
fn proposals_are_always_valid_points() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    for case in 0..200 {
        let space = generated_space(&mut rng);
        let sampler = sampler_for(case);
        let direction = if case % 2 == 0 {
            Direction::Minimize
        } else {
            Direction::Maximize
        };
        let mut trials: Vec<Trial> = Vec::new();
        for number in 0..rng.random_range(0..40u64) {
            let ctx = SampleContext {
                space: &space,
                trials: &trials,
                direction,
                number,
                seed: case as u64,
            };
            let Some(params) = sample_guarded(&sampler, &ctx, &mut rng)
                .unwrap_or_else(|e| panic!("case {case}, trial {number}: {e}"))
            else {
                // Only a finite space whose every config is taken may be exhausted.
                let taken = Taken::of(&ctx);
                assert!(
                    taken.is_some_and(|t| t.exhausted()),
                    "case {case}: no proposal"
                );
                break;
            };
            if let Some(taken) = Taken::of(&ctx) {
                assert!(
                    !taken.is_seen(&params),
                    "case {case}, trial {number}: a repeat"
                );
            }
            // Some trials come from elsewhere (random, as if enqueued).
            let params = if rng.random_bool(0.1) {
                Random::sample_space(&space, &mut rng)
            } else {
                params
            };
            let mut trial = Trial::running(number, params);
            let (state, value) = match rng.random_range(0..10) {
                0 => (TrialState::Failed, None),
                1 => (TrialState::Pruned, Some(rng.random::<f64>())),
                2 => (TrialState::Running, None),
                3 => (TrialState::Complete, Some(f64::NAN)),
                4 => (TrialState::Complete, Some(f64::INFINITY)),
                5 => (TrialState::Complete, Some(-1e308)),
                _ => (TrialState::Complete, Some(rng.random_range(-10.0..10.0))),
            };
            trial.state = state;
            trial.value = value;
            // Finish times as a study records them, some missing, some out of order.
            if state.is_finished() && rng.random_bool(0.9) {
                let jitter = chrono::Duration::milliseconds(rng.random_range(-5..50));
                trial.finished_at = Some(trial.started_at + jitter);
            }
            trials.push(trial);
        }
        // The same sampler again (cache hit) and a fresh one agree on the next trial.
        let ctx = SampleContext {
            space: &space,
            trials: &trials,
            direction,
            number: trials.len() as u64,
            seed: case as u64,
        };
        let cached = sample_guarded(&sampler, &ctx, &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
        let fresh =
            sample_guarded(&sampler_for(case), &ctx, &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
        match (cached, fresh) {
            (Some(a), Some(b)) => assert!(a.same(&b), "case {case}"),
            (a, b) => assert!(a.is_none() && b.is_none(), "case {case}"),
        }
    }
}

#[test]
fn invalid_options_are_config_errors() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(0.0, 1.0))
        .build()
        .unwrap();
    for sampler in [
        CmaEs::new().sigma0(0.0),
        CmaEs::new().sigma0(f64::NAN),
        CmaEs::new().population(3),
        CmaEs::new().population_growth(0),
    ] {
        let message = sampler.check_space(&space).unwrap_err().to_string();
        assert!(message.contains("CMA-ES"), "{message}");
    }
    assert!(CmaEs::new().check_space(&space).is_ok());
}

/// Failed and pruned trials are not told: after a first generation of them, the next
/// proposal is still a draw of the first distribution; after complete ones it is not.
#[test]
fn failed_and_pruned_trials_are_drawn_again() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(-1.0, 1.0))
        .add("y", Domain::int(0, 50))
        .build()
        .unwrap();
    let sampler = CmaEs::new();
    let ask = |trials: &[Trial], number: u64| {
        let ctx = SampleContext {
            space: &space,
            trials,
            direction: Direction::Minimize,
            number,
            seed: 4,
        };
        CmaEs::new()
            .sample(&ctx, &mut ChaCha8Rng::seed_from_u64(0))
            .unwrap()
            .unwrap()
    };
    let lambda = 5; // 4 + floor(3 ln 2)
    let history = |state: TrialState| -> Vec<Trial> {
        let mut trials = Vec::new();
        for number in 0..2 * lambda {
            let ctx = SampleContext {
                space: &space,
                trials: &trials,
                direction: Direction::Minimize,
                number,
                seed: 4,
            };
            let params = sampler
                .sample(&ctx, &mut ChaCha8Rng::seed_from_u64(number))
                .unwrap()
                .unwrap();
            let mut trial = Trial::running(number, params);
            trial.state = state;
            trial.value = (state != TrialState::Failed).then_some(number as f64);
            trial.finished_at = Some(trial.started_at);
            trials.push(trial);
        }
        trials
    };
    let untold = ask(&[], 2 * lambda);
    for state in [TrialState::Failed, TrialState::Pruned] {
        assert!(ask(&history(state), 2 * lambda).same(&untold), "{state}");
    }
    assert!(!ask(&history(TrialState::Complete), 2 * lambda).same(&untold));
}
