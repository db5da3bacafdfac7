//! What a sweep found, and how the examples print it.

use std::fmt::Debug;
use std::path::Path;

use serde::Serialize;
use tunekit::report::ReportFiles;
use tunekit::{Best, BoxError, Space, Study, Trial, TrialState};

/// What an MLP sweep found: what the examples print and the tests check.
#[derive(Debug, Clone)]
pub struct SweepOutcome<T> {
    /// The best hyperparameters, as the typed struct.
    pub best: T,
    /// Their mean cross-validation accuracy.
    pub cv_accuracy: f64,
    /// Accuracy on the held-out test split after retraining on the whole training split.
    pub test_accuracy: f64,
    /// Trials run.
    pub trials: usize,
    /// The top 5 trials as a text table.
    pub summary: String,
    /// The report files.
    pub report: ReportFiles,
}

impl<T> SweepOutcome<T> {
    /// Writes the study's report into `report_dir` and gathers the outcome around its
    /// `best` trial, whose retrained config scored `test_accuracy` on the held-out split.
    pub fn new<S: Space<Config = T>>(
        study: &Study<S>,
        best: Best<T>,
        test_accuracy: f64,
        report_dir: &Path,
    ) -> Result<Self, BoxError> {
        Ok(SweepOutcome {
            best: best.config,
            cv_accuracy: best.value,
            test_accuracy,
            trials: study.trials()?.len(),
            summary: study.summary(5)?,
            report: study.write_report(report_dir)?,
        })
    }
}

impl<T: Debug + Serialize> SweepOutcome<T> {
    /// Prints the outcome the way the examples show it (README, "Example sweeps").
    pub fn print(&self, title: &str) -> Result<(), BoxError> {
        println!("== {title}: {} trials", self.trials);
        println!("{}", self.summary);
        println!("best hyperparameters: {:#?}", self.best);
        println!("as JSON: {}", serde_json::to_string(&self.best)?);
        println!("best 3-fold CV accuracy: {:.4}", self.cv_accuracy);
        println!(
            "test accuracy of the best config retrained on the training split: {:.4}",
            self.test_accuracy
        );
        println!(
            "report (trials.csv, trials.jsonl, history.svg, params.svg) in {}",
            self.report
                .csv
                .parent()
                .map_or_else(String::new, |d| d.display().to_string())
        );
        Ok(())
    }
}

/// The best value of a maximized study after each trial, in trial order (`-inf` until a
/// trial completes).
pub fn best_so_far(trials: &[Trial]) -> Vec<f64> {
    let mut running = f64::NEG_INFINITY;
    trials
        .iter()
        .map(|trial| {
            if let Some(value) = trial.value.filter(|_| trial.state == TrialState::Complete) {
                running = running.max(value);
            }
            running
        })
        .collect()
}
