//! TPE + ASHA over an MLP classifier (candle) of the handwritten digits: every trial may
//! train up to 30 epochs, its 3 cross-validation folds in lockstep, and reports the
//! folds' mean validation accuracy after each epoch; asynchronous successive halving
//! (rungs at epochs 1, 3, 9, 27, keeping the best third at each) stops the others early.
//! Prints what it found, and writes the report (with `intermediate.svg`, the learning
//! curves) to a temporary folder.
//!
//! Run: `cargo run --release -p tunekit-sweeps --example mlp_asha [-- SECONDS]` (default
//! 60 s of search). `mlp_hyperband --compare` measures it against TPE alone.

use std::path::Path;
use std::time::Duration;

use tunekit::BoxError;
use tunekit::prelude::*;
use tunekit_sweeps::mlp;
use tunekit_sweeps::multifidelity::{Data, Pruning, Run, sweep};

fn main() -> Result<(), BoxError> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(60);
    let dir = std::env::temp_dir().join("tunekit-mlp-asha");
    let (run, test_accuracy) = run(Budget::from(Duration::from_secs(seconds)), 30, &dir)?;
    run.print(30, test_accuracy, &dir);
    Ok(())
}

/// The search; `tests/sweeps.rs` runs it with a tiny budget.
pub fn run(budget: Budget, epochs: usize, report_dir: &Path) -> Result<(Run, f64), BoxError> {
    let seed = 7;
    let data = Data::load(seed)?;
    let run = sweep(Pruning::Asha, seed, budget, epochs, &data, Some(report_dir))?;
    let (best, _) = run.best.clone().ok_or("no trial completed")?;
    let cfg = mlp::MlpConfig {
        epochs,
        ..best.to_config()
    };
    let test_accuracy = mlp::fit_and_score(&cfg, &data.train, &data.test, seed)?;
    Ok((run, test_accuracy))
}
