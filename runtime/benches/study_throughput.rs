//! Trials per second of `optimize`, and what the journal costs per trial.
//!
//! `cargo bench -p tunekit-runtime --bench study_throughput`
//!
//! 1. A CPU-bound objective (about a millisecond of arithmetic) on 1 and 2 worker threads:
//!    the ratio shows how well workers use the cores (2.0 is perfect on 2 idle cores).
//! 2. An objective that returns at once, in memory and in a journal under each fsync
//!    policy: the difference per trial is the journal's overhead (lock, catch up, two
//!    appended lines, and the syncs the policy asks for).
//!
//! Each figure is the best of several repetitions, which filters out noise from other
//! processes on a shared machine. Journals are written under Cargo's target directory,
//! on the same disk as the build, not on a RAM disk.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tunekit_runtime::{
    samplers::Random,
    storage::{FsyncPolicy, InMemory, Journal, Storage},
    Domain, Params, SearchSpace, Study,
};

const REPEATS: usize = 3;

fn space() -> SearchSpace {
    SearchSpace::builder()
        .add("x", Domain::float(-5.0, 5.0))
        .add("lr", Domain::float(1e-5, 1e-1).log())
        .add("depth", Domain::int(1, 8))
        .add("kind", Domain::categorical(["a", "b", "c"]))
        .build()
        .expect("a valid space")
}

/// Work that keeps one core busy for `rounds` iterations and depends on the params.
fn burn(params: &Params, rounds: u64) -> f64 {
    let x: f64 = params.get("x").unwrap_or(0.0);
    let mut acc = x;
    for i in 0..rounds {
        acc = (acc + i as f64 * 1e-9).sin() * 0.999 + x;
    }
    black_box(acc).abs()
}

/// Rounds of `burn` that take about `target` on this machine.
fn calibrate(target: Duration) -> u64 {
    let params = Params::new().with("x", 0.5);
    let mut rounds = 1_000;
    loop {
        // The fastest of a few runs: the one least slowed by other processes.
        let took = (0..5)
            .map(|_| {
                let start = Instant::now();
                burn(&params, rounds);
                start.elapsed()
            })
            .min()
            .unwrap_or_default();
        if took >= Duration::from_millis(20) {
            return (rounds as f64 * target.as_secs_f64() / took.as_secs_f64()) as u64;
        }
        rounds *= 2;
    }
}

/// Seconds per `optimize(trials)` call, best of `REPEATS`.
fn time_optimize(
    trials: usize,
    storage: impl Fn(usize) -> Box<dyn FnOnce() -> Study<SearchSpace>>,
    objective: impl Fn(&Params) -> f64 + Sync,
) -> Duration {
    (0..REPEATS)
        .map(|repeat| {
            let study = storage(repeat)();
            let start = Instant::now();
            study.optimize(trials, &objective).expect("optimize");
            let took = start.elapsed();
            assert_eq!(study.trials().expect("trials").len(), trials);
            took
        })
        .min()
        .expect("at least one repeat")
}

/// One CPU-bound `optimize` call: wall time, the share of the workers' time spent inside
/// the objective (the rest is the loop's own overhead: sampling, locks, storage), and how
/// many cores the process actually got (CPU time over wall time; on a busy machine this,
/// not the loop, caps the speed-up).
fn cpu_bound_run(trials: usize, workers: usize, rounds: u64) -> (Duration, f64, f64) {
    let study = build(workers, InMemory::new());
    let inside = AtomicU64::new(0);
    let cpu_before = process_cpu_time();
    let start = Instant::now();
    study
        .optimize(trials, |p: &Params| {
            let clock = Instant::now();
            let value = burn(p, rounds);
            inside.fetch_add(clock.elapsed().as_nanos() as u64, Ordering::Relaxed);
            value
        })
        .expect("optimize");
    let took = start.elapsed();
    let cpu = match (cpu_before, process_cpu_time()) {
        (Some(before), Some(after)) => (after - before).as_secs_f64() / took.as_secs_f64(),
        _ => f64::NAN,
    };
    let in_objective = inside.into_inner() as f64 / 1e9 / (took.as_secs_f64() * workers as f64);
    (took, in_objective, cpu)
}

/// User plus system CPU time of this process, from `/proc/self/stat` (Linux; clock
/// ticks of 1/100 s, the value of USER_HZ on every mainstream Linux).
fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn in_memory(workers: usize) -> impl Fn(usize) -> Box<dyn FnOnce() -> Study<SearchSpace>> {
    move |_| Box::new(move || build(workers, InMemory::new()))
}

fn in_journal(
    dir: &Path,
    name: &'static str,
    policy: FsyncPolicy,
) -> impl Fn(usize) -> Box<dyn FnOnce() -> Study<SearchSpace>> {
    let dir = dir.to_path_buf();
    move |repeat| {
        let path: PathBuf = dir.join(format!("{name}-{repeat}.jsonl"));
        let _ = std::fs::remove_file(&path);
        Box::new(move || build(1, Journal::open(&path).expect("journal").fsync(policy)))
    }
}

fn build(workers: usize, storage: impl Storage + 'static) -> Study<SearchSpace> {
    // Random search: this bench measures the loop and the storage, not TPE (see benches/tpe.rs).
    Study::minimize(space())
        .sampler(Random)
        .workers(workers)
        .seed(1)
        .storage(storage)
        .catch_interrupts(false)
        .build()
        .expect("study")
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too, quickly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let scale = if quick { 10 } else { 1 };

    // The speed-up is only meaningful on idle cores: show how busy the machine was.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!("load average {} on {cores} cores", load.trim());
    }
    let rounds = calibrate(Duration::from_millis(1));
    let cpu_trials = 400 / scale;
    const ROUNDS_OF_REPEATS: usize = 3;
    println!(
        "CPU-bound objective: {rounds} rounds (~1 ms), {cpu_trials} trials, best of {}",
        ROUNDS_OF_REPEATS * REPEATS
    );
    // Alternate 1 and 2 workers so both see the same background load, and keep the best
    // of each: on a shared machine the best run is the one with the cores free.
    let mut best = [(Duration::MAX, 0.0, 0.0); 2];
    for _ in 0..ROUNDS_OF_REPEATS * REPEATS {
        for (slot, workers) in [1, 2].into_iter().enumerate() {
            let run = cpu_bound_run(cpu_trials, workers, rounds);
            if run.0 < best[slot].0 {
                best[slot] = run;
            }
        }
    }
    for (workers, (took, in_objective, cores)) in [1, 2].iter().zip(&best) {
        println!(
            "  {workers} worker(s): {:8.1} trials/s; workers inside the objective {:5.1}% of \
             the time; {cores:.2} cores of CPU used",
            cpu_trials as f64 / took.as_secs_f64(),
            in_objective * 100.0
        );
    }
    println!(
        "  speed-up with 2 workers: {:.2}x",
        best[0].0.as_secs_f64() / best[1].0.as_secs_f64()
    );

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("study_throughput");
    std::fs::create_dir_all(&dir).expect("bench directory");
    let quick_trials = 2_000 / scale;
    println!("\nInstant objective, 1 worker, {quick_trials} trials, best of {REPEATS}");
    let base = time_optimize(quick_trials, in_memory(1), |p| burn(p, 0));
    let per_trial = |took: Duration| took.as_secs_f64() * 1e6 / quick_trials as f64;
    println!(
        "  in memory:               {:8.1} us/trial",
        per_trial(base)
    );
    for (name, policy) in [
        ("never", FsyncPolicy::Never),
        ("on-finish", FsyncPolicy::OnFinish),
        ("every-event", FsyncPolicy::EveryEvent),
    ] {
        let took = time_optimize(quick_trials, in_journal(&dir, name, policy), |p| burn(p, 0));
        println!(
            "  journal, fsync {name:<12} {:8.1} us/trial (overhead {:7.1} us/trial)",
            per_trial(took),
            per_trial(took) - per_trial(base)
        );
    }
}
