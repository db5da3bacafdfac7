//! A classical-ML sweep: which model (RBF SVM or logistic regression) and which
//! regularization classify red wines as good (quality >= 6) best, by 5-fold CV.
//! TPE against random search on the same budget.

use serde::{Deserialize, Serialize};
use tunekit::BoxError;
use tunekit::cv::{KFold, cross_validate};
use tunekit::prelude::*;
use tunekit::samplers::Sampler;

use crate::classical::{ClassicalParams, fit_and_score, select_rows, winequality_binary};

/// The model family and its hyperparameters: a tree-shaped (conditional) space.
#[tunable]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WineModel {
    /// C-SVM with an RBF kernel.
    Svm {
        /// Misclassification cost.
        #[tune(1e-2..=1e2, log)]
        c: f64,
        /// Kernel width: `exp(-gamma |x - x'|^2)`.
        #[tune(1e-3..=1.0, log)]
        gamma: f64,
    },
    /// L2-regularized logistic regression.
    Logistic {
        /// Penalty on the summed log-loss (like scikit-learn's `1 / C`).
        #[tune(1e-2..=1e4, log)]
        alpha: f64,
    },
}

impl WineModel {
    fn params(&self) -> ClassicalParams {
        match *self {
            WineModel::Svm { c, gamma } => ClassicalParams::Svm { c, gamma },
            WineModel::Logistic { alpha } => ClassicalParams::Logistic { alpha },
        }
    }
}

/// What one search found.
#[derive(Debug, Clone)]
pub struct WineOutcome {
    /// The best model.
    pub best: WineModel,
    /// Its mean 5-fold CV accuracy.
    pub cv_accuracy: f64,
    /// The best CV accuracy after each trial.
    pub best_so_far: Vec<f64>,
}

/// Runs `trials` trials of `sampler` with `seed`.
pub fn run(
    sampler: impl Sampler + 'static,
    trials: usize,
    seed: u64,
) -> Result<WineOutcome, BoxError> {
    let data = winequality_binary();
    let folds = KFold::new(5).shuffle(seed).split(data.records().nrows())?;
    let study = Study::maximize(space!(WineModel))
        .sampler(sampler)
        .seed(seed)
        .build()?;
    study.optimize(
        trials,
        |model: &WineModel, trial: &mut TrialContext| -> Result<f64, BoxError> {
            let params = model.params();
            let score = cross_validate(&folds, trial, |fold| {
                let (train, valid) = select_rows(&data, &fold.train, &fold.valid);
                fit_and_score(&params, &train, &valid)
            })?;
            Ok(score.mean)
        },
    )?;
    let best = study.best().ok_or("every trial failed")?;
    let mut best_so_far = Vec::new();
    let mut running = f64::NEG_INFINITY;
    for trial in study.trials()? {
        if let Some(value) = trial.value.filter(|_| trial.state == TrialState::Complete) {
            running = running.max(value);
        }
        best_so_far.push(running);
    }
    Ok(WineOutcome {
        best: best.config,
        cv_accuracy: best.value,
        best_so_far,
    })
}
