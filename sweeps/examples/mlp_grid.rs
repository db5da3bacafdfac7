//! Grid search over an MLP classifier (candle) of the handwritten digits: optimizer (Adam
//! at 1e-3, or SGD at 3e-2 with momentum 0.9) x batch size {16, 32, 64} x epochs
//! {10, 20, 30}, 18 configs, each scored by 3-fold cross-validation; prints the best
//! hyperparameters and CV score, and the test accuracy of the best config retrained on the
//! whole training split.
//!
//! The space is `tunekit_sweeps::mlp_space::MlpHyperparams`, shared with `mlp_random` and
//! `mlp_tpe`; this file narrows it for the grid.
//!
//! Run: `cargo run --release -p tunekit-sweeps --example mlp_grid`

use std::path::Path;

use tunekit::BoxError;
use tunekit::cv::{KFold, cross_validate};
use tunekit::prelude::*;
use tunekit_sweeps::mlp_space::{MlpHyperparams, Optimizer};
use tunekit_sweeps::{digits, mlp, report::SweepOutcome};

fn main() -> Result<(), BoxError> {
    let outcome = run(18, &std::env::temp_dir().join("tunekit-mlp-grid"))?;
    outcome.print("grid search: optimizer x batch size x epochs")
}

/// The search; `tests/sweeps.rs` runs it with a tiny budget.
pub fn run(trials: usize, report_dir: &Path) -> Result<SweepOutcome<MlpHyperparams>, BoxError> {
    let seed = 7; // of the study, the splits and the training
    let (train, test) = digits::train_test_split(&digits::load()?, seed)?;
    let folds = KFold::new(3).shuffle(seed).split_stratified(&train.y)?;
    // A grid needs discrete values: two optimizer settings, width and dropout pinned.
    let space = space!(MlpHyperparams {
        optimizer: choice(
            Optimizer::Adam {
                learning_rate: 1e-3
            },
            Optimizer::Sgd {
                learning_rate: 3e-2,
                momentum: 0.9
            }
        ),
        hidden: 64,
        dropout: 0.0,
    });
    let study = Study::maximize(space)
        .sampler(Grid::new())
        .seed(seed)
        .build()?;
    let objective = |hp: &MlpHyperparams, trial: &mut TrialContext| -> Result<f64, BoxError> {
        let score = cross_validate(&folds, trial, |fold| -> Result<f64, BoxError> {
            let (fit, valid) = (train.select(&fold.train)?, train.select(&fold.valid)?);
            Ok(mlp::fit_and_score(&hp.to_config(), &fit, &valid, seed)?)
        })?;
        Ok(score.mean)
    };
    study.optimize(trials, objective)?;
    let best = study.best().ok_or("every trial failed")?;
    let test_accuracy = mlp::fit_and_score(&best.config.to_config(), &train, &test, seed)?;
    SweepOutcome::new(&study, best, test_accuracy, report_dir)
}
