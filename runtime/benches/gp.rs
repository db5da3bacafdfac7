//! Cost of one GP proposal (`Sampler::sample`, the work inside `Study::ask`) for n
//! complete trials and d float parameters: `cargo bench -p tunekit-runtime --bench gp`.
//!
//! The history is fixed per case (n random trials of a sphere), so every iteration does
//! the full work of an ask at that size: the hyperparameter fit, the posterior and the
//! acquisition search over 2048 candidates (Optuna's defaults).
//!
//! Measured 2026-12-02 with criterion on the 2-core dev machine shared with other builds
//! (load about 6), so upper bounds; time per ask:
//!
//! | d \ n | 50 | 100 |
//! |---|---|---|
//! | 2 | 9.3 ms | 46 ms |
//! | 10 | 28 ms | 52 ms |
//!
//! `GP_BENCH_FIXED=d,n,iters` against Optuna 5.0's `GPSampler` on the same history shape
//! (n random trials of the sphere, d floats in [-5, 5]; Optuna timed by `study.ask()` with
//! its kernel-parameter cache warm, min of 2), same machine and hour, otherwise idle,
//! 2026-12-02; ms per ask, tunekit / Optuna:
//!
//! | d \ n | 50 | 100 | 200 | 500 |
//! |---|---|---|---|---|
//! | 2 | 8.9 / 388 | 32 / 78 | 193 / 226 | 2252 / 710 |
//! | 10 | 19 / 238 | 30 / 215 | 133 / 360 | 1023 / 208 |
//! | 20 | 26 / 163 | 83 / 143 | 283 / 178 | 1238 / 426 |
//!
//! tunekit refits the kernel from its defaults at every ask (no warm start), so its cost
//! grows much faster with n than Optuna's: ahead up to 100 trials, behind at 500.

use std::hint::black_box;
use std::time::Duration;

use chrono::Utc;
use criterion::{criterion_group, BenchmarkId, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tunekit_runtime::{
    samplers::{Gp, Random, SampleContext, Sampler},
    trial::TrialEvent,
    Direction, Domain, Outcome, SearchSpace, Trial,
};

fn space(d: usize) -> SearchSpace {
    let mut b = SearchSpace::builder();
    for i in 0..d {
        b = b.add(format!("p{i:02}"), Domain::float(-5.0, 5.0));
    }
    b.build().unwrap()
}

fn history(space: &SearchSpace, n: usize) -> Vec<Trial> {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    (0..n as u64)
        .map(|number| {
            let params = Random::sample_space(space, &mut rng);
            let value: f64 = params
                .iter()
                .filter_map(|(_, v)| v.as_f64())
                .map(|x| x * x)
                .sum();
            let mut trial = Trial::running(number, params);
            trial
                .apply(&TrialEvent::Finished {
                    number,
                    outcome: Outcome::Complete(value),
                    finished_at: Utc::now(),
                })
                .unwrap();
            trial
        })
        .collect()
}

fn bench_ask(c: &mut Criterion) {
    let mut group = c.benchmark_group("gp_ask");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let gp = Gp::new();
    for (d, n) in [(2, 50), (2, 100), (10, 50), (10, 100)] {
        let space = space(d);
        let trials = history(&space, n);
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("d{d}_n{n}")),
            &trials,
            |b, trials| {
                let mut rng = ChaCha8Rng::seed_from_u64(7);
                b.iter(|| {
                    let ctx = SampleContext {
                        space: &space,
                        trials,
                        direction: Direction::Minimize,
                        number: trials.len() as u64,
                        seed: 7,
                    };
                    black_box(gp.sample(&ctx, &mut rng).unwrap())
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_ask);

/// `GP_BENCH_FIXED=d,n,iters`: that many asks at one size, timed without criterion (for
/// sizes outside the table, such as `10,300,3`).
fn main() {
    if let Ok(spec) = std::env::var("GP_BENCH_FIXED") {
        let v: Vec<usize> = spec.split(',').map(|x| x.trim().parse().unwrap()).collect();
        let (d, n, iters) = (v[0], v[1], v[2]);
        let space = space(d);
        let trials = history(&space, n);
        let ctx = SampleContext {
            space: &space,
            trials: &trials,
            direction: Direction::Minimize,
            number: n as u64,
            seed: 7,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        // The first ask on a new sampler also fits the anchor prefix (as a resumed study's
        // first ask does); later asks at the same size find it cached, as every ask of a
        // running study does between two anchors.
        let gp = Gp::new();
        let started = std::time::Instant::now();
        black_box(gp.sample(&ctx, &mut rng).unwrap());
        let cold = started.elapsed().as_secs_f64() * 1e3;
        let started = std::time::Instant::now();
        for _ in 0..iters {
            black_box(gp.sample(&ctx, &mut rng).unwrap());
        }
        eprintln!(
            "d={d} n={n}: {:.1} ms/ask (wall, mean of {iters}); first ask {cold:.1} ms",
            started.elapsed().as_secs_f64() * 1e3 / iters as f64
        );
        return;
    }
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
