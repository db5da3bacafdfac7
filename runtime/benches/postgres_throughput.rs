//! Trials per second and storage cost per trial of the PostgreSQL storage, with 1, 2 and
//! 4 worker processes on one study that already holds 1k or 100k trials.
//!
//! ```text
//! TUNEKIT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!     cargo bench -p tunekit-runtime --features postgres --bench postgres_throughput
//! ```
//!
//! Each row runs twice: with `synchronous_commit` on (the server default: every write
//! waits for the disk) and off ([`Postgres::synchronous_commit`]).
//! `TUNEKIT_BENCH_TRIALS` sets the trials each worker runs (default 300). The objective
//! returns at once, so a worker's time per trial is what the storage costs it: one ask
//! (lock, catch up on other workers' trials, propose, insert) and one tell. Workers are
//! this binary started again with `--worker`; each opens the study (loading what exists),
//! says `ready`, and starts when every worker is ready.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use tunekit_runtime::{samplers::Random, storage::Postgres, Domain, Params, SearchSpace, Study};

const SIZES: [i64; 2] = [1_000, 100_000];
const WORKERS: [usize; 3] = [1, 2, 4];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--worker") {
        return worker(&args[1..]);
    }
    let Ok(url) = std::env::var("TUNEKIT_TEST_POSTGRES_URL") else {
        println!("SKIPPED: set TUNEKIT_TEST_POSTGRES_URL to benchmark the PostgreSQL storage");
        return;
    };
    let trials: usize = std::env::var("TUNEKIT_BENCH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let schema = format!("tk_bench_{}", std::process::id());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    println!("PostgreSQL storage: {trials} trials per worker, objective returns at once\n");
    println!("| existing trials | workers | synchronous_commit | trials/s (all workers) | ms per trial per worker | open (load) s | bytes per trial |");
    println!("|---:|---:|:--|---:|---:|---:|---:|");
    for size in SIZES {
        for workers in WORKERS {
            for synchronous in [true, false] {
                let study = format!("bench_{size}_{workers}_{synchronous}");
                populate(&url, &schema, &study, size, &mut admin);
                let (elapsed, open) =
                    run_workers(&url, &schema, &study, workers, trials, synchronous);
                let total = (workers * trials) as f64;
                let bytes = bytes_per_trial(&mut admin, &schema);
                println!(
                    "| {size} | {workers} | {} | {:.0} | {:.2} | {open:.2} | {bytes:.0} |",
                    if synchronous { "on" } else { "off" },
                    total / elapsed,
                    elapsed * 1000.0 / trials as f64,
                );
            }
        }
    }
    admin
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .expect("drop the bench schema");
}

fn space() -> SearchSpace {
    SearchSpace::builder()
        .add("x", Domain::float(-5.0, 5.0))
        .add("y", Domain::int(0, 100))
        .build()
        .expect("a valid space")
}

fn open(url: &str, schema: &str, study: &str, synchronous: bool) -> Study<SearchSpace> {
    let storage = Postgres::connect(url)
        .and_then(|pg| pg.schema(schema))
        .expect("connect")
        .synchronous_commit(synchronous);
    Study::minimize(space())
        .name(study)
        .storage(storage)
        .sampler(Random::new())
        .build()
        .expect("open the study")
}

/// Creates the study and fills it with `size` finished trials in one statement (going
/// through the API would take minutes at 100k). It writes the rows the storage would.
fn populate(url: &str, schema: &str, study: &str, size: i64, admin: &mut postgres::Client) {
    drop(open(url, schema, study, true));
    admin
        .execute(
            &format!(
                "WITH s AS (SELECT id FROM \"{schema}\".tunekit_studies WHERE name = $1)
                 INSERT INTO \"{schema}\".tunekit_trials
                     (study_id, number, state, params, value, started_at, finished_at,
                      token, version)
                 SELECT s.id, n, 'complete',
                        json_build_object('x', random() * 10 - 5, 'y', n % 101),
                        random(), now(), now(), n, 1
                 FROM s, generate_series(0::bigint, $2::bigint - 1) AS n"
            ),
            &[&study, &size],
        )
        .expect("insert the existing trials");
    admin
        .execute(
            &format!(
                "UPDATE \"{schema}\".tunekit_studies SET trial_count = $2, version = 1
                 WHERE name = $1"
            ),
            &[&study, &size],
        )
        .expect("update the study row");
    admin
        .batch_execute(&format!("ANALYZE \"{schema}\".tunekit_trials"))
        .expect("analyze");
}

/// Bytes on disk per trial: the table and its indexes (and the intermediate values')
/// over every trial in the schema, after a VACUUM so dead row versions do not count.
fn bytes_per_trial(admin: &mut postgres::Client, schema: &str) -> f64 {
    admin
        .batch_execute(&format!(
            "VACUUM \"{schema}\".tunekit_trials, \"{schema}\".tunekit_intermediate"
        ))
        .expect("vacuum");
    let row = admin
        .query_one(
            &format!(
                "SELECT (pg_total_relation_size('\"{schema}\".tunekit_trials')
                         + pg_total_relation_size('\"{schema}\".tunekit_intermediate'))::float8
                        / greatest(count(*), 1)
                 FROM \"{schema}\".tunekit_trials"
            ),
            &[],
        )
        .expect("measure the tables");
    row.get(0)
}

/// Starts the workers, waits until all have opened the study, starts them together;
/// returns the slowest worker's time for its trials and the slowest open.
fn run_workers(
    url: &str,
    schema: &str,
    study: &str,
    workers: usize,
    trials: usize,
    synchronous: bool,
) -> (f64, f64) {
    let exe = std::env::current_exe().expect("the bench binary");
    let mut children: Vec<(Child, ChildStdin, BufReader<ChildStdout>)> = (0..workers)
        .map(|_| {
            let mut child = Command::new(&exe)
                .args(["--worker", url, schema, study, &trials.to_string()])
                .arg(if synchronous { "on" } else { "off" })
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("start a worker");
            let stdin = child.stdin.take().expect("stdin");
            let stdout = BufReader::new(child.stdout.take().expect("stdout"));
            (child, stdin, stdout)
        })
        .collect();
    let mut slowest_open = 0.0_f64;
    for (_, _, stdout) in &mut children {
        let line = read_line(stdout);
        let open: f64 = line
            .strip_prefix("ready ")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("unexpected worker output: {line}"));
        slowest_open = slowest_open.max(open);
    }
    for (_, stdin, _) in &mut children {
        writeln!(stdin, "go").expect("start a worker");
    }
    let mut slowest = 0.0_f64;
    for (mut child, _, mut stdout) in children {
        let line = read_line(&mut stdout);
        let elapsed: f64 = line
            .strip_prefix("done ")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("unexpected worker output: {line}"));
        slowest = slowest.max(elapsed);
        assert!(child.wait().expect("wait").success());
    }
    (slowest, slowest_open)
}

fn read_line(stdout: &mut BufReader<ChildStdout>) -> String {
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read a worker's output");
    line.trim().to_owned()
}

fn worker(args: &[String]) {
    let [url, schema, study, trials, synchronous] = args else {
        panic!("usage: --worker URL SCHEMA STUDY TRIALS on|off");
    };
    let trials: usize = trials.parse().expect("a trial count");
    let started = Instant::now();
    let study = open(url, schema, study, synchronous == "on");
    println!("ready {}", started.elapsed().as_secs_f64());
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).expect("wait for go");
    let started = Instant::now();
    study
        .optimize(trials, |p: &Params| -> tunekit_runtime::Result<f64> {
            let x: f64 = p.get("x")?;
            let y: f64 = p.get("y")?;
            Ok(x * x + y)
        })
        .expect("run the trials");
    println!("done {}", started.elapsed().as_secs_f64());
}
