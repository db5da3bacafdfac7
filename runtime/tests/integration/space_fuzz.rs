//! Issue 11: a seeded property test over generated JSON spaces with extreme bounds.
//!
//! Every space is written as JSON and loaded through serde: an invalid one must be
//! refused with an error, a valid one is searched by Random, TPE, CMA-ES, Qmc and Grid for a few
//! trials each (a finite space of at most 8 configs until it is exhausted, and once
//! more). Over the whole run: no panic anywhere, no proposal off its domain or step grid
//! (or with a wrong set of active params), no ask over 1 s, and on finite spaces no
//! repeated config while an unseen one remains, no `None` before all are taken and no
//! proposal after. Asks over 100 ms are counted and reported with the slowest, not
//! asserted (the machine may be loaded).
//!
//! `TUNEKIT_FUZZ_SPACES` sets how many spaces (default below: 20 000 in a release build,
//! about 7 s on 2 shared cores, as CI runs it; 5 000 in a debug build, about 8 s);
//! `TUNEKIT_FUZZ_SEED` the seed.
//!
//! The longer run the hardening issue asks for, 1 000 000 spaces:
//! `TUNEKIT_FUZZ_SPACES=1000000 cargo test --release -p tunekit-runtime --test
//! integration space_fuzz -- --nocapture`.
//! Measured 2026-12-02 with the five samplers above, at load 3-4 on the 2-core dev
//! machine: 515 398 valid spaces, 10 134 228 asks in 370 s wall, 0 panics, 0 invalid
//! proposals, 0 no-repeat breaches, slowest ask 85 ms (Grid on a float step grid spanning
//! `[0, f64::MAX]`). With Random, TPE and Grid only it took 199.5 s; its first two runs
//! found 45 repeated configs and then 11 configs the numbering missed, on degenerate
//! float step grids (points that round to one float; `high` mapped past the grid),
//! fixed in `samplers/grid.rs`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value as Json};
use tunekit_runtime::samplers::{CmaEs, Grid, Qmc, Random, SampleContext, Sampler, Tpe};
use tunekit_runtime::{Direction, Params, SearchSpace, Trial, TrialState};

/// 20 000 in an optimised build (`.ci/run` runs it so, about 7 s); 5 000 in a debug
/// build, where the same 20 000 take about 30 s of the README's test command.
const DEFAULT_SPACES: usize = if cfg!(debug_assertions) {
    5_000
} else {
    20_000
};
const DEFAULT_SEED: u64 = 11;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Float values a bound or step is drawn from: the extremes first.
fn extreme_float(rng: &mut ChaCha8Rng) -> f64 {
    const SPECIAL: [f64; 16] = [
        f64::MAX,
        -f64::MAX,
        1e308,
        -1e308,
        f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        -0.0,
        0.0,
        1.0,
        -1.0,
        1e-300,
        9007199254740992.0,
        1e15,
        f64::MAX / 2.0,
        -f64::MAX / 2.0,
    ];
    match rng.random_range(0..4) {
        0 | 1 => SPECIAL[rng.random_range(0..SPECIAL.len())],
        2 => rng.random_range(-10.0..10.0),
        _ => {
            let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
            sign * 10f64.powi(rng.random_range(-320..=308))
        }
    }
}

fn extreme_int(rng: &mut ChaCha8Rng) -> i64 {
    const SPECIAL: [i64; 12] = [
        i64::MIN,
        i64::MAX,
        i64::MIN + 1,
        i64::MAX - 1,
        0,
        1,
        -1,
        2,
        1 << 53,
        (1 << 53) + 1,
        4_000_000_000,
        4_611_686_018_427_387_904,
    ];
    match rng.random_range(0..4) {
        0 | 1 => SPECIAL[rng.random_range(0..SPECIAL.len())],
        2 => rng.random_range(-20..20),
        _ => rng.random::<i64>() >> rng.random_range(0..63),
    }
}

fn ordered<T: PartialOrd>(a: T, b: T, rng: &mut ChaCha8Rng) -> (T, T) {
    // Mostly valid ranges; sometimes as drawn (reversed ones must be refused).
    if a > b && rng.random_bool(0.9) {
        (b, a)
    } else {
        (a, b)
    }
}

fn float_param(name: &str, rng: &mut ChaCha8Rng) -> Json {
    let (low, high) = ordered(extreme_float(rng), extreme_float(rng), rng);
    let mut param = json!({"name": name, "type": "float", "low": low, "high": high});
    match rng.random_range(0..5) {
        0 => param["log"] = json!(true),
        1 | 2 => {
            let width = high - low;
            let step = match rng.random_range(0..5) {
                0 => width / f64::from(rng.random_range(1..50)),
                1 => width * (1.0 - 1e-15),
                2 => 1e-300,
                3 => extreme_float(rng).abs(),
                _ => width / 1e7,
            };
            param["step"] = json!(step);
        }
        _ => {}
    }
    param
}

fn int_param(name: &str, rng: &mut ChaCha8Rng) -> Json {
    let (low, high) = ordered(extreme_int(rng), extreme_int(rng), rng);
    let mut param = json!({"name": name, "type": "int", "low": low, "high": high});
    match rng.random_range(0..5) {
        0 => {
            param["log"] = json!(true);
            if rng.random_bool(0.7) {
                param["low"] = json!(low.max(1));
            }
        }
        1 | 2 => {
            let width = i128::from(high) - i128::from(low);
            let step: i128 = match rng.random_range(0..4) {
                0 => width / rng.random_range(1..50),
                1 => width,
                2 => rng.random_range(1..10),
                _ => i128::from(extreme_int(rng)).abs(),
            };
            param["step"] = json!(i64::try_from(step).unwrap_or(i64::MAX));
        }
        _ => {}
    }
    param
}

fn choice_value(rng: &mut ChaCha8Rng) -> Json {
    match rng.random_range(0..4) {
        0 => json!(format!("c{}", rng.random_range(0..6))),
        1 => json!(rng.random_range(-3..3)),
        2 => json!(extreme_float(rng)),
        _ => json!(rng.random_bool(0.5)),
    }
}

fn categorical_param(name: &str, rng: &mut ChaCha8Rng) -> Json {
    let n = rng.random_range(1..6);
    let choices: Vec<Json> = (0..n).map(|_| choice_value(rng)).collect();
    json!({"name": name, "type": "categorical", "choices": choices})
}

/// A space: a few params of every kind, conditions on earlier categoricals (values
/// sometimes listed twice or not among the parent's choices), now and then a deep
/// conditional chain or a mistyped key.
fn space_json(rng: &mut ChaCha8Rng) -> Json {
    let mut params: Vec<Json> = Vec::new();
    if rng.random_range(0..40) == 0 {
        let depth = if rng.random_range(0..10) == 0 {
            rng.random_range(500..2_000)
        } else {
            rng.random_range(2..100)
        };
        params.push(json!({"name": "c0", "type": "categorical", "choices": ["a", "b"]}));
        for d in 1..depth {
            params.push(json!({
                "name": format!("c{d}"), "type": "categorical", "choices": ["a", "b"],
                "condition": {"parent": format!("c{}", d - 1), "values": ["a"]}
            }));
        }
    }
    for i in 0..rng.random_range(1..5) {
        let name = format!("p{i}");
        let mut param = match rng.random_range(0..3) {
            0 => float_param(&name, rng),
            1 => int_param(&name, rng),
            _ => categorical_param(&name, rng),
        };
        let parents: Vec<&Json> = params
            .iter()
            .filter(|p| p["type"] == "categorical")
            .collect();
        if !parents.is_empty() && rng.random_bool(0.5) {
            let parent = parents[rng.random_range(0..parents.len())];
            let choices = parent["choices"].as_array().unwrap();
            let mut values = vec![choices[rng.random_range(0..choices.len())].clone()];
            match rng.random_range(0..6) {
                0 => values.push(values[0].clone()),
                1 => values.push(choice_value(rng)),
                2 => values.push(choices[rng.random_range(0..choices.len())].clone()),
                _ => {}
            }
            param["condition"] = json!({"parent": parent["name"], "values": values});
        }
        if rng.random_range(0..50) == 0 {
            param["stpe"] = json!(2);
        }
        params.push(param);
    }
    Json::Array(params)
}

#[derive(Default)]
struct Tally {
    spaces: usize,
    valid: usize,
    asks: usize,
    panics: Vec<String>,
    invalid_proposals: Vec<String>,
    sampler_errors: usize,
    slow_asks: usize,
    slowest: (Duration, String),
    /// Breaches of the no-repeat rule of finite spaces: a repeated config while an unseen
    /// one remained, or no proposal while one did, or a proposal after all were taken.
    repeats: Vec<String>,
    /// Finite spaces run until every config was taken, per sampler.
    exhausted: usize,
    /// Time spent asking, per sampler name.
    time_by_sampler: std::collections::BTreeMap<&'static str, Duration>,
}

impl Tally {
    fn ask(
        &mut self,
        sampler: &dyn Sampler,
        space: &SearchSpace,
        json: &str,
        trials: &[Trial],
    ) -> Option<Params> {
        let ctx = SampleContext {
            space,
            trials,
            direction: Direction::Minimize,
            number: trials.len() as u64,
            seed: 3,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(trials.len() as u64);
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| sampler.sample(&ctx, &mut rng)));
        let took = started.elapsed();
        self.asks += 1;
        *self.time_by_sampler.entry(sampler.name()).or_default() += took;
        if took > Duration::from_millis(100) {
            self.slow_asks += 1;
        }
        if took > self.slowest.0 {
            self.slowest = (took, format!("{} on {}", sampler.name(), cut(json)));
        }
        match outcome {
            Err(_) => {
                self.panics
                    .push(format!("{} panicked on {}", sampler.name(), cut(json)));
                None
            }
            Ok(Err(_)) => {
                self.sampler_errors += 1;
                None
            }
            Ok(Ok(None)) => None,
            Ok(Ok(Some(params))) => {
                if let Err(e) = space.check(&params) {
                    self.invalid_proposals.push(format!(
                        "{}: {e} ({params:?}) on {}",
                        sampler.name(),
                        cut(json)
                    ));
                    return None;
                }
                Some(params)
            }
        }
    }

    /// `trials` asks of `sampler`, each finished with a deterministic value; on a finite
    /// space of at most 8 configs, asks until every config is taken and once more. Checks
    /// the no-repeat rule on finite spaces the grid numbers (`Grid::len`).
    fn run(&mut self, sampler: &dyn Sampler, space: &SearchSpace, json: &str, trials: usize) {
        let finite = space
            .params()
            .iter()
            .all(|p| p.domain.cardinality().is_some());
        let configs = finite.then(|| Grid::len(space).ok()).flatten();
        let trials = match configs {
            Some(n) if n <= 8 => n as usize + 1,
            _ => trials,
        };
        let mut history: Vec<Trial> = Vec::new();
        for number in 0..trials {
            let unseen_left = configs.is_some_and(|n| (number as u128) < n);
            let proposal = self.ask(sampler, space, json, &history);
            let Some(params) = proposal else {
                if unseen_left {
                    self.repeats.push(format!(
                        "{}: no proposal at trial {number} of {configs:?} configs on {}",
                        sampler.name(),
                        cut(json)
                    ));
                } else if configs.is_some() {
                    self.exhausted += 1;
                }
                return;
            };
            if configs.is_some() && !unseen_left {
                self.repeats.push(format!(
                    "{}: a proposal after all {configs:?} configs were taken on {}",
                    sampler.name(),
                    cut(json)
                ));
            } else if unseen_left && history.iter().any(|t| t.params.same(&params)) {
                self.repeats.push(format!(
                    "{}: repeated {params:?} at trial {number} of {configs:?} configs on {}",
                    sampler.name(),
                    cut(json)
                ));
            }
            let value = params
                .iter()
                .map(|(_, v)| v.as_f64().map_or(0.3, |x| (x.abs() + 1.0).ln().cos()))
                .sum::<f64>();
            let mut trial = Trial::running(number as u64, params);
            trial.state = TrialState::Complete;
            trial.value = Some(value);
            history.push(trial);
        }
    }
}

fn cut(json: &str) -> String {
    json.chars().take(400).collect()
}

#[test]
fn generated_spaces_never_panic_or_propose_off_the_domain() {
    let count: usize = env_or("TUNEKIT_FUZZ_SPACES", DEFAULT_SPACES);
    let seed: u64 = env_or("TUNEKIT_FUZZ_SEED", DEFAULT_SEED);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tpe = Tpe::new().n_startup_trials(2);
    let cmaes = CmaEs::new();
    let mut tally = Tally::default();
    let started = Instant::now();
    for _ in 0..count {
        let json = space_json(&mut rng).to_string();
        tally.spaces += 1;
        let space = match catch_unwind(|| SearchSpace::from_json(&json)) {
            Err(_) => {
                tally
                    .panics
                    .push(format!("loading panicked on {}", cut(&json)));
                continue;
            }
            Ok(Err(_)) => continue, // refused with an error: fine
            Ok(Ok(space)) => space,
        };
        tally.valid += 1;
        tally.run(&Random, &space, &json, 3);
        tally.run(&tpe, &space, &json, 4);
        tally.run(&cmaes, &space, &json, 8);
        tally.run(&Qmc::sobol(), &space, &json, 3);
        let grid = Grid::new();
        if matches!(catch_unwind(|| grid.check_space(&space)), Ok(Ok(()))) {
            tally.run(&grid, &space, &json, 3);
        }
    }
    eprintln!(
        "space fuzz (seed {seed}): {} spaces ({} valid) in {:.1?}, {} asks, {} sampler errors, \
         {} asks over 100 ms, slowest {:.1?} ({}), {} panics, {} invalid proposals, \
         {} finite runs exhausted, {} no-repeat breaches",
        tally.spaces,
        tally.valid,
        started.elapsed(),
        tally.asks,
        tally.sampler_errors,
        tally.slow_asks,
        tally.slowest.0,
        tally.slowest.1,
        tally.panics.len(),
        tally.invalid_proposals.len(),
        tally.exhausted,
        tally.repeats.len(),
    );
    eprintln!("  time asking, per sampler: {:.1?}", tally.time_by_sampler);
    let problems = tally.panics.iter().chain(&tally.invalid_proposals);
    for line in problems.chain(&tally.repeats).take(20) {
        eprintln!("  {line}");
    }
    assert!(tally.panics.is_empty(), "{} panics", tally.panics.len());
    assert!(
        tally.invalid_proposals.is_empty(),
        "{} invalid proposals",
        tally.invalid_proposals.len()
    );
    assert!(
        tally.repeats.is_empty(),
        "{} no-repeat breaches",
        tally.repeats.len()
    );
    assert!(
        tally.exhausted > 0,
        "no finite space was run to exhaustion: the no-repeat check saw nothing"
    );
    assert!(
        tally.slowest.0 < Duration::from_secs(1),
        "slowest ask {:?}",
        tally.slowest
    );
    assert!(
        tally.valid * 4 > tally.spaces,
        "too few valid spaces to mean much"
    );
}

/// Issue 11, item 1: 30 TPE trials on a conditional chain 100 000 deep took 329 s.
/// Ignored by default (about 1.7 s per ask in a debug build); in release:
/// `cargo test --release -p tunekit-runtime --all-features --test integration
/// deep_chain -- --ignored --nocapture`.
#[test]
#[ignore = "slow in debug builds; run in release"]
fn deep_chain_tpe_30_trials() {
    let mut params = vec![json!({"name": "c0", "type": "categorical", "choices": ["a", "b"]})];
    for d in 1..100_000 {
        params.push(json!({
            "name": format!("c{d}"), "type": "categorical", "choices": ["a", "b"],
            "condition": {"parent": format!("c{}", d - 1), "values": ["a"]}
        }));
    }
    let json = Json::Array(params).to_string();
    let space = SearchSpace::from_json(&json).unwrap();
    let mut tally = Tally::default();
    let started = Instant::now();
    tally.run(&Tpe::new(), &space, "chain 100 000 deep", 30);
    eprintln!(
        "30 TPE trials at depth 100 000: {:.1?} in all, slowest ask {:.1?}",
        started.elapsed(),
        tally.slowest.0
    );
    assert_eq!(tally.asks, 30);
    assert!(tally.panics.is_empty() && tally.invalid_proposals.is_empty());
}
