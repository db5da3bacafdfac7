//! Cost of one CMA-ES proposal (`Sampler::sample`, the work inside `Study::ask`) after n
//! trials in d float params: `cargo bench -p tunekit-runtime --bench cmaes`.
//!
//! The history is a real CMA-ES study of n trials on a sphere (so the replay tells real
//! generations). Two cases per size:
//! - `sequential`: the n asks of that study in order on one sampler, as a study makes
//!   them (each reads the one new trial from the cache); criterion reports the time for
//!   all n, divide by n for the amortised cost of an ask;
//! - `cold`: one ask at n trials on a fresh sampler (the whole history replayed, as after
//!   reopening a study or a history that is not the cached one).
//!
//! Measured 2026-12-02 on the 2-core dev machine while other builds ran (load 6-7),
//! criterion wall-clock (median), per ask:
//!
//! | d, n | sequential (amortised) | cold (full replay) |
//! |---|---|---|
//! | 2, 100 | 0.0037 ms | 0.11 ms |
//! | 2, 1000 | 0.0079 ms | 1.45 ms |
//! | 10, 100 | 0.0127 ms | 0.67 ms |
//! | 10, 1000 | 0.0129 ms | 6.3 ms |

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tunekit_runtime::{
    samplers::{CmaEs, SampleContext, Sampler},
    Direction, Domain, Params, SearchSpace, Study, Trial,
};

fn space(d: usize) -> SearchSpace {
    let mut b = SearchSpace::builder();
    for i in 0..d {
        b = b.add(format!("p{i:02}"), Domain::float(-5.0, 5.0));
    }
    b.build().unwrap()
}

fn history(space: &SearchSpace, n: usize) -> Vec<Trial> {
    let study = Study::minimize(space.clone())
        .sampler(CmaEs::new())
        .seed(7)
        .build()
        .unwrap();
    study
        .optimize(n, |p: &Params| {
            p.iter()
                .filter_map(|(_, v)| v.as_f64())
                .map(|x| (x - 1.0) * (x - 1.0))
                .sum::<f64>()
        })
        .unwrap();
    study.trials().unwrap()
}

fn ask(sampler: &CmaEs, space: &SearchSpace, trials: &[Trial], rng: &mut ChaCha8Rng) -> Params {
    let ctx = SampleContext {
        space,
        trials,
        direction: Direction::Minimize,
        number: trials.len() as u64,
        seed: 7,
    };
    sampler.sample(&ctx, rng).unwrap().unwrap()
}

fn bench_ask(c: &mut Criterion) {
    let mut group = c.benchmark_group("cmaes_ask");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for d in [2, 10] {
        let space = space(d);
        for n in [100, 1000] {
            let trials = history(&space, n);
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            group.bench_function(BenchmarkId::new(format!("sequential_d{d}"), n), |b| {
                b.iter(|| {
                    let sampler = CmaEs::new();
                    for k in 0..n {
                        black_box(ask(&sampler, &space, &trials[..k], &mut rng));
                    }
                })
            });
            group.bench_function(BenchmarkId::new(format!("cold_d{d}"), n), |b| {
                b.iter(|| black_box(ask(&CmaEs::new(), &space, &trials, &mut rng)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_ask);
criterion_main!(benches);
