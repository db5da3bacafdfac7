//! Cost of the Pareto machinery (`tunekit::pareto`) at 1 000, 10 000 and 100 000
//! points: non-dominated sorting on uniform random points (many fronts), hypervolume
//! and exclusive contributions on points of the unit sphere's positive orthant (every
//! point on the front: the hard case).
//!
//! `cargo bench -p tunekit-runtime --bench pareto` runs criterion (10 samples each).
//! `PARETO_BENCH_TABLE=1` instead prints one JSON line per case (median milliseconds
//! over repeated runs, and the result) for `bench/pareto_compare.py`, which times
//! Optuna 5's and moocore's code on the same point sets: both sides draw them from the
//! same counter-based SplitMix64 stream with the same arithmetic, so the sets are
//! bit-identical (the script checks the results agree). The measured table is in
//! README.md ("Pareto machinery").

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, BenchmarkId, Criterion};
use tunekit_runtime::pareto::{hypervolume, hypervolume_contributions, non_dominated_ranks};

/// SplitMix64's output number `index` of the stream `seed` (counter-based, so numpy
/// can draw the same numbers vectorised).
fn splitmix64(seed: u64, index: u64) -> u64 {
    let mut z = seed.wrapping_add((index + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of a point set: the same formula in `bench/pareto_compare.py`.
fn seed(kind: &str, dim: usize, n: usize) -> u64 {
    let base = if kind == "uniform" { 1 } else { 2 };
    base * 1_000_000_007 + dim as u64 * 1_000_003 + n as u64
}

/// `n` points uniform in `[0, 1)^dim`: value `j` of point `i` is draw `i * dim + j`.
fn uniform(dim: usize, n: usize) -> Vec<Vec<f64>> {
    let s = seed("uniform", dim, n);
    (0..n)
        .map(|i| {
            (0..dim)
                .map(|j| (splitmix64(s, (i * dim + j) as u64) >> 11) as f64 * 2f64.powi(-53))
                .collect()
        })
        .collect()
}

/// `n` points on the unit sphere's positive orthant: uniform draws divided by their
/// Euclidean norm (squares summed in objective order). No point dominates another.
fn sphere(dim: usize, n: usize) -> Vec<Vec<f64>> {
    let s = seed("sphere", dim, n);
    (0..n)
        .map(|i| {
            let u: Vec<f64> = (0..dim)
                .map(|j| (splitmix64(s, (i * dim + j) as u64) >> 11) as f64 * 2f64.powi(-53))
                .collect();
            let mut sum = 0.0;
            for v in &u {
                sum += v * v;
            }
            let norm = sum.sqrt();
            u.iter().map(|v| v / norm).collect()
        })
        .collect()
}

/// One measured operation on one point set.
struct Case {
    op: &'static str,
    dim: usize,
    n: usize,
}

/// What is measured: sorting up to five objectives at every size; hypervolume and
/// contributions where they finish in seconds.
/// Every case, or those whose name (`sort_3d_1000`) contains one of the
/// comma-separated `PARETO_BENCH_FILTER` parts (`=sort_3d_1000` for that name only).
fn cases() -> Vec<Case> {
    let filter = std::env::var("PARETO_BENCH_FILTER").unwrap_or_default();
    all_cases()
        .into_iter()
        .filter(|c| {
            let name = format!("{}_{}d_{}", c.op, c.dim, c.n);
            filter.split(',').any(|part| match part.strip_prefix('=') {
                Some(exact) => name == exact,
                None => name.contains(part),
            })
        })
        .collect()
}

fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let sizes = [1_000, 10_000, 100_000];
    for dim in 2..=5 {
        for n in sizes {
            cases.push(Case { op: "sort", dim, n });
        }
    }
    for (dim, largest) in [(2, 100_000), (3, 100_000), (4, 10_000), (5, 1_000)] {
        for n in sizes.into_iter().filter(|&n| n <= largest) {
            cases.push(Case { op: "hv", dim, n });
        }
    }
    for (dim, largest) in [(2, 100_000), (3, 100_000)] {
        for n in sizes.into_iter().filter(|&n| n <= largest) {
            cases.push(Case { op: "hvc", dim, n });
        }
    }
    cases
}

/// Runs the case once; returns a number that identifies the result (the sum of ranks,
/// the hypervolume, the sum of contributions) for the comparison script.
fn run(case: &Case, points: &[Vec<f64>]) -> f64 {
    let reference = vec![1.1; case.dim];
    match case.op {
        "sort" => non_dominated_ranks(points).map(|r| r.iter().sum::<usize>() as f64),
        "hv" => hypervolume(points, &reference),
        "hvc" => hypervolume_contributions(points, &reference).map(|c| c.iter().sum()),
        _ => unreachable!("unknown case {}", case.op),
    }
    .expect("the bench's point sets are valid")
}

fn points(case: &Case) -> Vec<Vec<f64>> {
    if case.op == "sort" {
        uniform(case.dim, case.n)
    } else {
        sphere(case.dim, case.n)
    }
}

/// The JSON lines for `bench/pareto_compare.py`: median of at least 3 runs, more while
/// under a second in total (at most 15).
fn table() {
    for case in cases() {
        let points = points(&case);
        let check = run(&case, &points);
        let mut times = Vec::new();
        let started = Instant::now();
        while times.len() < 3 || (started.elapsed() < Duration::from_secs(1) && times.len() < 15) {
            let t = Instant::now();
            black_box(run(&case, black_box(&points)));
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        let checksum: f64 = points.iter().flatten().sum();
        println!(
            "{{\"op\": \"{}\", \"dim\": {}, \"n\": {}, \"ms\": {:.4}, \"result\": {:e}, \"checksum\": {:e}}}",
            case.op,
            case.dim,
            case.n,
            times[times.len() / 2],
            check,
            checksum
        );
    }
}

fn bench_pareto(c: &mut Criterion) {
    let mut group = c.benchmark_group("pareto");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    for case in cases() {
        let points = points(&case);
        let id = BenchmarkId::new(format!("{}_{}d", case.op, case.dim), case.n);
        group.bench_function(id, |b| b.iter(|| black_box(run(&case, &points))));
    }
    group.finish();
}

criterion_group!(benches, bench_pareto);

fn main() {
    if std::env::var_os("PARETO_BENCH_TABLE").is_some() {
        table();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
