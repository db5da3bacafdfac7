//! Cost of one GP proposal (`Sampler::sample`, the work inside `Study::ask`) for n
//! complete trials and d float parameters: `cargo bench -p tunekit-runtime --bench gp`.
//!
//! The history is fixed per case (n random trials of a sphere), so every iteration does
//! the full work of an ask at that size: the hyperparameter fit, the posterior and the
//! acquisition search over 2048 candidates (Optuna's defaults).
//!
//! `GP_BENCH_FIXED=d,n,iters` against Optuna 5.0's `GPSampler` on the same history shape
//! (n random trials of the sphere, d floats in [-5, 5]), both sides by one command,
//! cell after cell so they share the load: `$PY bench/gp_cost.py` (see its docstring;
//! results in `bench/results/gp-cost-2026-12-06.json`). tunekit: mean of 3 asks with the
//! anchor prefix fit cached, as in a running study (the first ask on a new sampler, which
//! also fits the prefix, in parentheses); Optuna: mean of 3 asks after one that filled
//! its kernel cache on the same history. Measured 2026-12-06 14:17-14:25 UTC on the
//! 2-core dev machine at load average 12 (shared with other builds), so absolute times
//! are several times an idle machine's; ms per ask, tunekit / Optuna (Optuna's time is
//! how many times tunekit's):
//!
//! | d \ n | 50 | 100 | 200 | 500 |
//! |---|---|---|---|---|
//! | 2 | 7.0 (13.5) / 768 (110x) | 20.8 (38) / 684 (33x) | 53 (154) / 1145 (21x) | 543 (1188) / 3307 (6.1x) |
//! | 10 | 28.6 (21.8) / 1439 (50x) | 48.6 (124) / 1370 (28x) | 229 (537) / 1577 (6.9x) | 485 (967) / 1951 (4.0x) |
//! | 20 | 50.4 (67.3) / 1663 (33x) | 55.0 (134) / 1445 (26x) | 206 (510) / 1707 (8.3x) | 969 (1833) / 3096 (3.2x) |
//!
//! Before (2026-12-02, fit refitted from defaults each ask, nalgebra): 8.9 / 388, 32 / 78,
//! 193 / 226 and 2252 / 710 ms at d = 2, the same pattern at d = 10 and 20. What changed:
//! faer for the Cholesky and inverse (8x nalgebra's at n = 500), the fit warm-started from
//! the cached anchor-prefix fit (13-22 marginal-likelihood evaluations at n = 500; 59-67
//! on a first ask, which also fits the prefix from defaults), the pair distance terms computed once per fit, the 2048 candidates
//! scored by one triangular solve, and the acquisition search's looser tolerance
//! (Optuna's `pgtol` 1e-2 in lengthscale units instead of 1e-6). At n = 500 the fit is
//! still about two thirds of an ask.

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
