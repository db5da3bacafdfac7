//! Several worker processes on one PostgreSQL study: every trial is run by exactly one of
//! them, numbers are unique and dense, and a grid hands each point to one worker.
//!
//! The workers are this test binary started again (see `worker_process`), running the
//! code of the `postgres_worker` example, so the example is what is tested.
//! Needs `TUNEKIT_TEST_POSTGRES_URL`; without it the tests say they were skipped and pass.

#[allow(dead_code)] // its `main` is the example's; the tests call `run`
#[path = "../../examples/postgres_worker.rs"]
mod example;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};

use crate::postgres_support::{url_or_skip, Schema};
use tunekit_runtime::{samplers::Grid, storage::Postgres, Domain, SearchSpace, Study, TrialState};

/// When set, `worker_process` runs the example worker with these arguments (one per line).
const WORKER_ARGS_VAR: &str = "TUNEKIT_TEST_WORKER_ARGS";

/// Not a test of its own: the entry point of the worker processes the tests below start.
/// Without the variable (a normal test run) there is nothing to do.
#[test]
fn worker_process() {
    let Ok(args) = std::env::var(WORKER_ARGS_VAR) else {
        return;
    };
    let args: Vec<String> = args.lines().map(str::to_owned).collect();
    match example::run(&args) {
        Ok(report) => println!("{report}"),
        Err(error) => panic!("worker failed: {error}"),
    }
}

/// Starts `count` workers with `args` at once; returns the trial numbers each one ran.
fn run_workers(count: usize, args: &[String]) -> Vec<Vec<u64>> {
    let exe = std::env::current_exe().expect("the test binary");
    let children: Vec<_> = (0..count)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "postgres_workers::worker_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(WORKER_ARGS_VAR, args.join("\n"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a worker process")
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("wait for a worker");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "a worker failed:\n{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let line = stdout
                .lines()
                .find_map(|line| line.strip_prefix("trials:"))
                .unwrap_or_else(|| panic!("no `trials:` line in the worker's output:\n{stdout}"));
            line.split_whitespace()
                .map(|n| n.parse().expect("a trial number"))
                .collect()
        })
        .collect()
}

/// Each evaluation sleeps 20 ms, so a worker started a little late still finds work.
fn common_args(url: &str, schema: &str, study: &str) -> Vec<String> {
    [
        "--url",
        url,
        "--schema",
        schema,
        "--study",
        study,
        "--sleep-ms",
        "20",
    ]
    .map(String::from)
    .to_vec()
}

/// The study as one more worker reads it.
fn read_study(url: &str, schema: &str, study: &str) -> Vec<tunekit_runtime::Trial> {
    let space = SearchSpace::builder()
        .add("x", Domain::int(-10, 10))
        .add("shape", Domain::categorical(["square", "abs"]))
        .build()
        .unwrap();
    let storage = Postgres::connect(url)
        .and_then(|pg| pg.schema(schema))
        .unwrap();
    let study = Study::minimize(space)
        .name(study)
        .sampler(Grid::new())
        .storage(storage)
        .build()
        .expect("open the study");
    study.trials().expect("read")
}

#[test]
fn random_workers_share_one_study() {
    let Some(url) = url_or_skip("random_workers_share_one_study") else {
        return;
    };
    let schema = Schema::new(&url, "tk_workers");
    const WORKERS: usize = 4;
    // 40 of the space's 42 configs: within the budget the no-repeat rule of finite spaces
    // leaves, so every worker runs its whole budget.
    const TRIALS: usize = 10;
    let mut args = common_args(&url, &schema.name, "random");
    args.extend(["--trials", "10", "--sampler", "random"].map(String::from));
    let ran = run_workers(WORKERS, &args);

    let trials = read_study(&url, &schema.name, "random");
    assert_eq!(
        trials.len(),
        WORKERS * TRIALS,
        "the study holds the sum of the budgets"
    );
    let mut union: Vec<u64> = ran.concat();
    union.sort_unstable();
    let expected: Vec<u64> = (0..(WORKERS * TRIALS) as u64).collect();
    assert_eq!(union, expected, "each trial was run by exactly one worker");
    // Each trial records the process that ran it: the same process that claims it.
    let mut runner = BTreeMap::new();
    for trial in &trials {
        assert_eq!(trial.state, TrialState::Complete, "trial {}", trial.number);
        runner.insert(trial.number, trial.user_attrs["worker"].to_string());
    }
    let mut workers = BTreeSet::new();
    for numbers in &ran {
        assert_eq!(numbers.len(), TRIALS);
        let pids: BTreeSet<_> = numbers.iter().map(|n| runner[n].clone()).collect();
        assert_eq!(pids.len(), 1, "one worker's trials all name it");
        workers.extend(pids);
    }
    assert_eq!(workers.len(), WORKERS, "each process ran its own trials");
    // Random samples this finite space without replacement, across processes too.
    let configs: BTreeSet<String> = trials.iter().map(|t| format!("{:?}", t.params)).collect();
    assert_eq!(configs.len(), WORKERS * TRIALS, "no config ran twice");
}

#[test]
fn grid_workers_run_each_point_once() {
    let Some(url) = url_or_skip("grid_workers_run_each_point_once") else {
        return;
    };
    let schema = Schema::new(&url, "tk_grid");
    const WORKERS: usize = 3;
    const POINTS: usize = 21 * 2; // x in -10..=10, two shapes
    let mut args = common_args(&url, &schema.name, "grid");
    args.extend(["--trials", "1000", "--sampler", "grid"].map(String::from));
    let ran = run_workers(WORKERS, &args);

    let trials = read_study(&url, &schema.name, "grid");
    assert_eq!(
        trials.len(),
        POINTS,
        "the grid ran out, and nothing ran twice"
    );
    let mut union: Vec<u64> = ran.concat();
    union.sort_unstable();
    assert_eq!(union, (0..POINTS as u64).collect::<Vec<_>>());
    let points: BTreeSet<String> = trials.iter().map(|t| format!("{:?}", t.params)).collect();
    assert_eq!(
        points.len(),
        POINTS,
        "every grid point was run exactly once"
    );
    assert!(
        ran.iter().filter(|numbers| !numbers.is_empty()).count() >= 2,
        "the workers shared the grid: {ran:?}"
    );
}
