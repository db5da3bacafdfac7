//! TPE + Hyperband over an MLP classifier (candle) of the handwritten digits, like BOHB:
//! every trial may train up to 30 epochs (its 3 cross-validation folds in lockstep,
//! reporting their mean validation accuracy after each epoch); Hyperband's brackets stop
//! trials early at different rates, and TPE learns from the trials of the bracket of the
//! trial it proposes.
//!
//! Run: `cargo run --release -p tunekit-sweeps --example mlp_hyperband [-- SECONDS]`
//! (default 60 s of search).
//!
//! `-- --compare [SEEDS] [SECONDS]` measures TPE alone, TPE + ASHA and TPE + Hyperband at
//! the same wall-clock budget for each seed (default 5 seeds x 120 s each), and writes
//! `accuracy_vs_time.svg` and `comparison.md` into `tunekit-mlp-pruning` in the temporary
//! folder.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use tunekit::BoxError;
use tunekit::prelude::*;
use tunekit_sweeps::mlp;
use tunekit_sweeps::multifidelity::{
    Data, Pruning, Run, median, sweep, write_accuracy_vs_time_svg,
};

const EPOCHS: usize = 30;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--compare") {
        let seeds: u64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(5);
        let seconds: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(120);
        let dir = std::env::temp_dir().join("tunekit-mlp-pruning");
        std::fs::create_dir_all(&dir)?;
        let table = compare(seeds, Duration::from_secs(seconds), &dir)?;
        println!("{table}");
        println!(
            "accuracy_vs_time.svg and comparison.md in {}",
            dir.display()
        );
        return Ok(());
    }
    let seconds: u64 = args.first().map(|s| s.parse()).transpose()?.unwrap_or(60);
    let dir = std::env::temp_dir().join("tunekit-mlp-hyperband");
    let (run, test_accuracy) = run(Budget::from(Duration::from_secs(seconds)), EPOCHS, &dir)?;
    run.print(EPOCHS, test_accuracy, &dir);
    Ok(())
}

/// The search; `tests/sweeps.rs` runs it with a tiny budget.
pub fn run(budget: Budget, epochs: usize, report_dir: &Path) -> Result<(Run, f64), BoxError> {
    let seed = 7;
    let data = Data::load(seed)?;
    let run = sweep(
        Pruning::Hyperband,
        seed,
        budget,
        epochs,
        &data,
        Some(report_dir),
    )?;
    let (best, _) = run.best.clone().ok_or("no trial completed")?;
    let cfg = mlp::MlpConfig {
        epochs,
        ..best.to_config()
    };
    let test_accuracy = mlp::fit_and_score(&cfg, &data.train, &data.test, seed)?;
    Ok((run, test_accuracy))
}

/// Runs the three sweeps for each seed (in an order rotated by seed, so a slow spell of a
/// shared machine does not always hit the same one), writes the plot and the table, and
/// returns the table.
fn compare(seeds: u64, budget: Duration, dir: &Path) -> Result<String, BoxError> {
    let mut runs: Vec<Run> = Vec::new();
    for seed in 0..seeds {
        let data = Data::load(seed)?;
        for k in 0..3 {
            let pruning = Pruning::ALL[(k + seed as usize) % 3];
            let run = sweep(pruning, seed, budget, EPOCHS, &data, None)?;
            println!(
                "seed {seed} {:<16} trials {:>3} pruned {:>3} epochs {:>5} best {:.4}",
                pruning.label(),
                run.trials,
                run.pruned,
                run.epochs,
                run.best.as_ref().map_or(f64::NAN, |b| b.1)
            );
            runs.push(run);
        }
    }
    let total = budget.as_secs_f64();
    write_accuracy_vs_time_svg(&dir.join("accuracy_vs_time.svg"), &runs, total)?;
    let mut table = format!(
        "{seeds} seeds x {total:.0} s per sweep, {EPOCHS} epochs per full trial; medians over seeds\n\n\
         | sweep | trials | pruned | epochs trained | best CV acc. at {:.0} s | at {:.0} s | at {total:.0} s | time to TPE's final best | epochs to it |\n\
         |---|---|---|---|---|---|---|---|---|\n",
        total / 3.0,
        2.0 * total / 3.0
    );
    for pruning in Pruning::ALL {
        let mine: Vec<&Run> = runs.iter().filter(|r| r.pruning == pruning).collect();
        let med = |f: &dyn Fn(&Run) -> f64| median(mine.iter().map(|r| f(r)).collect());
        // Per seed: when this sweep first matched the unpruned sweep's final best, in
        // seconds and in epochs trained.
        let baseline = |r: &Run| {
            runs.iter()
                .find(|b| b.pruning == Pruning::Off && b.seed == r.seed)
                .map(|b| b.best_at(total))
        };
        let reached: Vec<f64> = mine
            .iter()
            .filter_map(|r| r.time_to(baseline(r)?))
            .collect();
        let reached_epochs: Vec<f64> = mine
            .iter()
            .filter_map(|r| Some(r.epochs_to(baseline(r)?)? as f64))
            .collect();
        let of_seeds = |found: &[f64], unit: &str| {
            if found.len() == mine.len() {
                format!("{:.0}{unit}", median(found.to_vec()))
            } else {
                format!(
                    "{} of {} seeds (median {:.0}{unit})",
                    found.len(),
                    mine.len(),
                    median(found.to_vec())
                )
            }
        };
        writeln!(
            table,
            "| {} | {:.0} | {:.0} | {:.0} | {:.4} | {:.4} | {:.4} | {} | {} |",
            pruning.label(),
            med(&|r| r.trials as f64),
            med(&|r| r.pruned as f64),
            med(&|r| r.epochs as f64),
            med(&|r| r.best_at(total / 3.0)),
            med(&|r| r.best_at(2.0 * total / 3.0)),
            med(&|r| r.best_at(total)),
            of_seeds(&reached, " s"),
            of_seeds(&reached_epochs, ""),
        )?;
    }
    std::fs::write(dir.join("comparison.md"), &table)?;
    Ok(table)
}
