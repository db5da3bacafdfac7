//! Cost of one TPE proposal (`Sampler::sample`, the work inside `Study::ask`) for n
//! finished trials and d parameters: `cargo bench -p tunekit-runtime --bench tpe`.
//!
//! The history is fixed per case (n random trials of a sphere), so every iteration does
//! the full work of an ask at that size. `mixed` cases use a quarter each of continuous,
//! log, int and categorical parameters.
//!
//! Measured 2026-12-06 on the 2-core dev machine at load 8 (other sessions' builds and
//! benchmarks), as CPU time per ask (`TPE_BENCH_FIXED=d,n,iters perf stat -e
//! task-clock`, minus a zero-iteration run); criterion's wall-clock times on that busy
//! machine were 5-8x higher. `g(x)` is bounded at 1 024 kernels (`max_above_kernels`);
//! the last row is without the bound (`TPE_BENCH_FIXED=10,n,iters,0,1`):
//!
//! | d \ n | 100 | 1 000 | 10 000 | 100 000 |
//! |---|---|---|---|---|
//! | 2 | 0.027 ms | 0.098 ms | 0.32 ms | 3.3 ms |
//! | 10 | 0.088 ms | 0.40 ms | 0.53 ms | 3.6 ms |
//! | 50 | 0.41 ms | 1.66 ms | 2.19 ms | |
//! | 10, no bound | | 0.34 ms | 3.1 ms | 44 ms |
//!
//! What still grows past the bound is one pass over the trial records (about 30 ns per
//! trial). 50 params at 100 000 trials would hold gigabytes of `Params`: not run.
//!
//! `TPE_LONGRUN=problem,trials,seeds[,sampler]` runs long studies instead (see
//! `tpe/longrun.rs`).

#[path = "tpe/longrun.rs"]
mod longrun;

use std::hint::black_box;
use std::time::Duration;

use chrono::Utc;
use criterion::{criterion_group, BenchmarkId, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tunekit_runtime::{
    samplers::{Random, SampleContext, Sampler, Tpe},
    trial::TrialEvent,
    Direction, Domain, Outcome, SearchSpace, Trial,
};

fn space(d: usize, mixed: bool) -> SearchSpace {
    let mut b = SearchSpace::builder();
    for i in 0..d {
        let domain = match (mixed, i % 4) {
            (false, _) | (true, 0) => Domain::float(-5.0, 5.0),
            (true, 1) => Domain::float(1e-5, 1.0).log(),
            (true, 2) => Domain::int(0, 100),
            _ => Domain::categorical(["a", "b", "c", "d"]),
        };
        b = b.add(format!("p{i:02}"), domain);
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
    let mut group = c.benchmark_group("tpe_ask");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let tpe = Tpe::new();
    // 100 000 trials of 50 params would hold 5 million values in `Params` maps (gigabytes
    // with their names): d = 50 stops at 10 000.
    let cases = [2, 10, 50]
        .iter()
        .flat_map(|&d| [100, 1000, 10_000, 100_000].map(|n| (d, n, false)))
        .filter(|&(d, n, _)| d < 50 || n <= 10_000)
        .chain([(10, 1000, true), (50, 1000, true)]);
    for (d, n, mixed) in cases {
        let space = space(d, mixed);
        let trials = history(&space, n);
        let ctx = SampleContext {
            space: &space,
            trials: &trials,
            direction: Direction::Minimize,
            number: n as u64,
            seed: 7,
        };
        let kind = if mixed { "mixed" } else { "float" };
        let id = BenchmarkId::new(format!("{kind}_d{d}"), n);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        group.bench_function(id, |b| {
            b.iter(|| black_box(tpe.sample(black_box(&ctx), &mut rng).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_ask);

/// `TPE_BENCH_FIXED=d,n,iters[,mixed[,kernels]]` runs exactly `iters` asks of one case
/// instead of criterion, for CPU-time measurements on a busy machine:
/// `TPE_BENCH_FIXED=10,1000,500 perf stat -e task-clock target/release/deps/tpe-*`.
fn main() {
    if let Ok(spec) = std::env::var("TPE_LONGRUN") {
        longrun::main(&spec);
        return;
    }
    if let Ok(spec) = std::env::var("TPE_BENCH_FIXED") {
        let v: Vec<usize> = spec.split(',').map(|x| x.trim().parse().unwrap()).collect();
        let (d, n, iters) = (v[0], v[1], v[2]);
        let space = space(d, v.get(3) == Some(&1));
        let trials = history(&space, n);
        let ctx = SampleContext {
            space: &space,
            trials: &trials,
            direction: Direction::Minimize,
            number: n as u64,
            seed: 7,
        };
        // A fifth field: 1 for `g(x)` over every trial (no kernel bound, the cost before
        // issue 13), K > 1 for at most K kernels, 0 or none for the default.
        let tpe = match v.get(4) {
            Some(&1) => Tpe::new().max_above_kernels(None),
            Some(&k) if k > 1 => Tpe::new().max_above_kernels(Some(k)),
            _ => Tpe::new(),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let started = std::time::Instant::now();
        for _ in 0..iters {
            black_box(tpe.sample(&ctx, &mut rng).unwrap());
        }
        eprintln!(
            "{:.1} us/ask (wall)",
            started.elapsed().as_secs_f64() * 1e6 / iters as f64
        );
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
