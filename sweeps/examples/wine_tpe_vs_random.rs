//! RBF SVM or logistic regression (linfa) on red wine quality: which model and which
//! regularization classify wines as good (quality >= 6) best by 5-fold cross-validation,
//! TPE against random search, each with 40 trials, over 3 seeds. The search space,
//! `WineModel`, is declared in this file.
//!
//! Run: `cargo run --release -p tunekit-sweeps --features wine --example wine_tpe_vs_random`

use tunekit::cv::{KFold, cross_validate};
use tunekit::prelude::*;
use tunekit::{BoxError, samplers::Sampler};
use tunekit_sweeps::classical::{self, ClassicalParams};
use tunekit_sweeps::report;

/// The model family and its hyperparameters: a tree-shaped (conditional) space.
#[tunable]
#[derive(Debug, Clone, PartialEq)]
pub enum WineModel {
    /// C-SVM with an RBF kernel `exp(-gamma |x - x'|^2)`.
    Svm {
        #[tune(1e-2..=1e2, log)]
        c: f64,
        #[tune(1e-3..=1.0, log)]
        gamma: f64,
    },
    /// L2-regularized logistic regression; `alpha` penalizes the summed log-loss (like
    /// scikit-learn's `1 / C`).
    Logistic {
        #[tune(1e-2..=1e4, log)]
        alpha: f64,
    },
}

fn main() -> Result<(), BoxError> {
    const TRIALS: usize = 40;
    for seed in 0..3 {
        let tpe = run(Tpe::default(), TRIALS, seed)?;
        let random = run(Random, TRIALS, seed)?;
        println!("seed {seed}: best 5-fold CV accuracy after 10 / 20 / 40 trials");
        for (name, outcome) in [("TPE", &tpe), ("random", &random)] {
            let at = |n: usize| outcome.best_so_far[n.min(outcome.best_so_far.len()) - 1];
            println!(
                "  {name:<7} {:.4} / {:.4} / {:.4}   best: {:?}",
                at(10),
                at(20),
                at(TRIALS),
                outcome.best
            );
        }
    }
    Ok(())
}

/// What one search found.
#[derive(Debug)]
pub struct WineOutcome {
    /// The best model.
    pub best: WineModel,
    /// Its mean 5-fold CV accuracy.
    pub cv_accuracy: f64,
    /// The best CV accuracy after each trial.
    pub best_so_far: Vec<f64>,
}

/// One search: `trials` trials of `sampler` with `seed` (of the sampler and the folds);
/// `tests/sweeps.rs` runs it with a tiny budget.
pub fn run(
    sampler: impl Sampler + 'static,
    trials: usize,
    seed: u64,
) -> Result<WineOutcome, BoxError> {
    let data = classical::winequality_binary();
    let folds = KFold::new(5).shuffle(seed).split(data.records().nrows())?;
    let study = Study::maximize(space!(WineModel))
        .sampler(sampler)
        .seed(seed)
        .build()?;
    let objective = |model: &WineModel, trial: &mut TrialContext| -> Result<f64, BoxError> {
        let params = match *model {
            WineModel::Svm { c, gamma } => ClassicalParams::Svm { c, gamma },
            WineModel::Logistic { alpha } => ClassicalParams::Logistic { alpha },
        };
        let score = cross_validate(&folds, trial, |fold| {
            let (train, valid) = classical::select_rows(&data, &fold.train, &fold.valid)?;
            classical::fit_and_score(&params, &train, &valid)
        })?;
        Ok(score.mean)
    };
    study.optimize(trials, objective)?;
    let best = study.best().ok_or("every trial failed")?;
    Ok(WineOutcome {
        best: best.config,
        cv_accuracy: best.value,
        best_so_far: report::best_so_far(&study.trials()?),
    })
}
