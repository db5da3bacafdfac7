//! A worker of a study kept in PostgreSQL. Start it in several shells, or on several
//! machines, with the same URL and study name: the workers optimize one study together.
//!
//! ```text
//! cargo run -p tunekit-runtime --features postgres --example postgres_worker -- \
//!     --url postgres://postgres@127.0.0.1:5432/test --study demo --trials 40
//! ```
//!
//! Options: `--url URL` (or the `TUNEKIT_POSTGRES_URL` variable), `--study NAME`,
//! `--trials N` (this worker's budget), `--sampler random|grid`, `--schema NAME`,
//! `--sleep-ms MS` (how long one evaluation pretends to train), `--csv PATH` (write every
//! trial of the study there when done).
//!
//! It prints the numbers of the trials it ran, and the study's best trial so far.

use std::error::Error;
use std::time::Duration;

use tunekit_runtime::{
    samplers::{Grid, Random},
    storage::Postgres,
    Domain, Params, SearchSpace, Study, TrialContext,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(report) => println!("{report}"),
        Err(error) => {
            eprintln!("postgres_worker: {error}");
            std::process::exit(1);
        }
    }
}

/// Runs one worker with command-line `args`; returns what it did, as printed.
pub fn run(args: &[String]) -> Result<String, Box<dyn Error>> {
    let options = Options::parse(args)?;
    let space = SearchSpace::builder()
        .add("x", Domain::int(-10, 10))
        .add("shape", Domain::categorical(["square", "abs"]))
        .build()?;
    let mut storage = Postgres::connect(&options.url)?;
    if let Some(schema) = &options.schema {
        storage = storage.schema(schema)?;
    }
    let builder = Study::minimize(space).name(&options.study).storage(storage);
    let study = match options.sampler.as_str() {
        "grid" => builder.sampler(Grid::new()).build()?,
        "random" => builder.sampler(Random::new()).build()?,
        other => return Err(format!("unknown sampler `{other}`: use random or grid").into()),
    };
    let ran = std::sync::Mutex::new(Vec::new());
    let stop = study.optimize(options.trials, |p: &Params, trial: &mut TrialContext| {
        let x: f64 = p.get("x")?;
        let loss = match p.get::<String>("shape")?.as_str() {
            "square" => (x - 3.0).powi(2),
            _ => (x - 3.0).abs() + 0.5,
        };
        std::thread::sleep(Duration::from_millis(options.sleep_ms));
        trial.report(0, loss)?;
        trial.set_user_attr("worker", std::process::id())?;
        ran.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(trial.number());
        Ok::<_, tunekit_runtime::Error>(loss)
    })?;
    let ran = ran.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = &options.csv {
        study.write_csv(path)?;
    }
    let total = study.trials()?.len();
    let best = match study.best() {
        Some(best) => {
            let params: Vec<String> = best
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!(
                "trial {} with {} at {}",
                best.number,
                best.value,
                params.join(" ")
            )
        }
        None => "none yet".into(),
    };
    let numbers: Vec<String> = ran.iter().map(u64::to_string).collect();
    Ok(format!(
        "worker {pid} ran {count} trials ({stop:?}); the study has {total} trials; best: {best}\n\
         trials: {numbers}",
        pid = std::process::id(),
        count = ran.len(),
        numbers = numbers.join(" "),
    ))
}

struct Options {
    url: String,
    study: String,
    trials: usize,
    sampler: String,
    schema: Option<String>,
    sleep_ms: u64,
    csv: Option<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, Box<dyn Error>> {
        let mut options = Options {
            url: std::env::var("TUNEKIT_POSTGRES_URL").unwrap_or_default(),
            study: "demo".into(),
            trials: 20,
            sampler: "random".into(),
            schema: None,
            sleep_ms: 10,
            csv: None,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .ok_or_else(|| format!("`{flag}` needs a value"))?
                .clone();
            match flag.as_str() {
                "--url" => options.url = value,
                "--study" => options.study = value,
                "--trials" => options.trials = value.parse()?,
                "--sampler" => options.sampler = value,
                "--schema" => options.schema = Some(value),
                "--sleep-ms" => options.sleep_ms = value.parse()?,
                "--csv" => options.csv = Some(value),
                other => return Err(format!("unknown option `{other}`").into()),
            }
        }
        if options.url.is_empty() {
            return Err("give the database with --url postgres://USER@HOST/DB \
                        (or TUNEKIT_POSTGRES_URL)"
                .into());
        }
        Ok(options)
    }
}
