//! Cost of one Grid ask (`Sampler::sample`, the work inside `Study::ask`) against the
//! number of values of a param: time (criterion) and memory (a counting global
//! allocator: bytes and allocations per ask, and the peak of live bytes during it).
//! `cargo bench -p tunekit-runtime --bench grid`; `GRID_BENCH_MEMORY=1` prints only the
//! memory table (no criterion run).
//!
//! Cases: one int param with 10, 10^4, 10^7 and 10^9 values, and a float in `0..=1`
//! with step `1e-12` (10^12 + 1 values); each with an empty history and with the first
//! 9 grid points taken (what a sequential grid study has after 9 trials). Random's ask
//! is measured on the same spaces, as it now checks the history on finite spaces.
//!
//! And Random on 10^9 values with 10 000 trials held (`long_history`): the no-repeat
//! rule's O(history) hash set of taken configs.
//!
//! Measured 2026-12-02 on the 2-core dev machine at load 6-7 (other builds running), so
//! the times are noisy upper bounds; criterion medians per ask:
//!
//! | values of `x` | grid, 0 taken | grid, 9 taken | random, 9 taken |
//! |---|---|---|---|
//! | 10 | 0.57 us | 2.9 us | 4.1 us |
//! | 10^4 | 0.50 us | 4.5 us | 3.3 us |
//! | 10^7 | 0.67 us | 4.4 us | 2.9 us |
//! | 10^9 | 0.72 us | 3.8 us | 3.2 us |
//! | 10^12 + 1 (float step) | 3.0 us | 5.5 us | 4.0 us |
//!
//! The stepped float costs a bisection for its last distinct point (`grid.rs`,
//! `distinct_points`), about 40 `nth` calls at 10^12 values: O(log values), the only
//! dependence on the number of values. Memory per ask (bytes allocated / allocations /
//! peak live bytes), the same for every case: grid 793 B / 8 / 793 B with nothing
//! taken, 2469 B / 20 / 1081 B with 9 taken; random 1445 B / 12 / 1081 B. The one
//! exception is random on the 10-value param with 9 of 10 taken (7646 B / 40 / 1626 B):
//! the near-exhausted path, redraws then a uniform draw among the unseen configs.
//! Random with 10 000 trials held: 3.1 ms, 558 117 B / 22 / 418 072 B per ask (the hash
//! set of taken configs).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use criterion::{criterion_group, BenchmarkId, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tunekit_runtime::{
    samplers::{Grid, Random, SampleContext, Sampler},
    Direction, Domain, Params, SearchSpace, Trial,
};

/// Counts every allocation of the process: bytes, calls and the peak of live bytes.
struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are
// plain atomics and never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Relaxed);
        ALLOCATIONS.fetch_add(1, Relaxed);
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        // SAFETY: same layout as the caller's, which `GlobalAlloc::alloc` requires valid.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` was allocated by `System` with this layout (through `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn cases() -> Vec<(&'static str, Domain)> {
    vec![
        ("int_1e1", Domain::int(0, 9)),
        ("int_1e4", Domain::int(0, 9_999)),
        ("int_1e7", Domain::int(0, 9_999_999)),
        ("int_1e9", Domain::int(0, 999_999_999)),
        ("float_step_1e12", Domain::float(0.0, 1.0).step(1e-12)),
    ]
}

fn space(domain: &Domain) -> SearchSpace {
    SearchSpace::builder()
        .add("x", domain.clone())
        .build()
        .unwrap()
}

/// The first `taken` points of the grid, as running trials.
fn history(space: &SearchSpace, taken: usize) -> Vec<Trial> {
    let mut trials: Vec<Trial> = Vec::new();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for number in 0..taken as u64 {
        let ctx = context(space, &trials);
        let params = Grid::new().sample(&ctx, &mut rng).unwrap().unwrap();
        trials.push(Trial::running(number, params));
    }
    trials
}

/// `n` trials holding `x = 0, 1, ..., n - 1` (an int param), built directly.
fn long_history(n: i64) -> Vec<Trial> {
    (0..n)
        .map(|x| Trial::running(x as u64, Params::new().with("x", x)))
        .collect()
}

fn context<'a>(space: &'a SearchSpace, trials: &'a [Trial]) -> SampleContext<'a> {
    SampleContext {
        space,
        trials,
        direction: Direction::Minimize,
        number: trials.len() as u64,
        seed: 7,
    }
}

/// Bytes allocated, allocations and peak live bytes above the start, for one ask.
fn memory_of(sampler: &dyn Sampler, ctx: &SampleContext<'_>) -> (usize, usize, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (bytes, calls) = (ALLOCATED.load(Relaxed), ALLOCATIONS.load(Relaxed));
    let live = LIVE.load(Relaxed);
    PEAK.store(live, Relaxed);
    let proposal = black_box(sampler.sample(ctx, &mut rng).unwrap());
    let peak = PEAK.load(Relaxed) - live;
    let out = (
        ALLOCATED.load(Relaxed) - bytes,
        ALLOCATIONS.load(Relaxed) - calls,
        peak,
    );
    drop(proposal);
    out
}

fn memory_table() {
    eprintln!("memory per ask: bytes allocated / allocations / peak live bytes");
    eprintln!("| case | grid, 0 taken | grid, 9 taken | random, 9 taken |");
    eprintln!("|---|---|---|---|");
    for (name, domain) in cases() {
        let space = space(&domain);
        let (empty, nine) = (history(&space, 0), history(&space, 9));
        let cell = |sampler: &dyn Sampler, trials: &[Trial]| {
            let (bytes, calls, peak) = memory_of(sampler, &context(&space, trials));
            format!("{bytes} B / {calls} / {peak} B")
        };
        eprintln!(
            "| {name} | {} | {} | {} |",
            cell(&Grid::new(), &empty),
            cell(&Grid::new(), &nine),
            cell(&Random, &nine)
        );
    }
    let space = space(&Domain::int(0, 999_999_999));
    let (bytes, calls, peak) = memory_of(&Random, &context(&space, &long_history(10_000)));
    eprintln!("random on int_1e9 with 10 000 taken: {bytes} B / {calls} / {peak} B");
}

fn bench_ask(c: &mut Criterion) {
    let mut group = c.benchmark_group("grid_ask");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (name, domain) in cases() {
        let space = space(&domain);
        for taken in [0, 9] {
            let trials = history(&space, taken);
            let ctx = context(&space, &trials);
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            group.bench_function(BenchmarkId::new(format!("grid_{name}"), taken), |b| {
                b.iter(|| black_box(Grid::new().sample(black_box(&ctx), &mut rng).unwrap()))
            });
            if taken == 9 {
                group.bench_function(BenchmarkId::new(format!("random_{name}"), taken), |b| {
                    b.iter(|| black_box(Random.sample(black_box(&ctx), &mut rng).unwrap()))
                });
            }
        }
    }
    // The no-repeat rule's O(history) cost: Random on 10^9 values, 10 000 trials held.
    let space = space(&Domain::int(0, 999_999_999));
    let trials = long_history(10_000);
    let ctx = context(&space, &trials);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    group.bench_function(BenchmarkId::new("random_int_1e9", 10_000), |b| {
        b.iter(|| black_box(Random.sample(black_box(&ctx), &mut rng).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench_ask);

fn main() {
    memory_table();
    if std::env::var_os("GRID_BENCH_MEMORY").is_some() {
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
