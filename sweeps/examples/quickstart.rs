//! The quick sweep, whole in this file: 20 trials of TPE over an MLP (candle) classifying
//! handwritten digits, 10 epochs each, scored by 3-fold cross-validation.
//!
//! Run: `cargo run --release -p tunekit-sweeps --example quickstart`

use std::path::Path;

use serde::Serialize;
use tunekit::BoxError;
use tunekit::cv::{KFold, cross_validate};
use tunekit::prelude::*;
use tunekit_sweeps::mlp::{self, MlpConfig, Optimizer};
use tunekit_sweeps::{digits, report::SweepOutcome};

/// What is searched. `Optimizer` is the trainer's `#[tunable]` enum: Adam or SGD, each
/// variant with its own log-scale learning rate, SGD also with a momentum.
#[tunable]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MlpHyperparams {
    #[tune]
    optimizer: Optimizer,
    #[tune(choice(16, 32, 64))]
    batch_size: usize,
    #[tune(choice(10, 20, 30))]
    epochs: usize,
    #[tune(choice(32, 64, 128))]
    hidden: usize,
    #[tune(0.0..=0.5, step = 0.1)]
    dropout: f64,
}

fn main() -> Result<(), BoxError> {
    let outcome = run(20, &std::env::temp_dir().join("tunekit-quickstart"))?;
    outcome.print("quick TPE sweep (20 trials, 10 epochs)")
}

/// The search; `tests/sweeps.rs` runs it with a tiny budget.
pub fn run(trials: usize, report_dir: &Path) -> Result<SweepOutcome<MlpHyperparams>, BoxError> {
    let seed = 7; // of the sampler, the splits and the training
    let (train, test) = digits::train_test_split(&digits::load()?, seed)?;
    let folds = KFold::new(3).shuffle(seed).split_stratified(&train.y)?;
    let study = Study::maximize(space!(MlpHyperparams { epochs: 10 }))
        .sampler(Tpe::default())
        .seed(seed)
        .build()?;
    let train_config = |hp: &MlpHyperparams| MlpConfig {
        optimizer: hp.optimizer,
        batch_size: hp.batch_size,
        epochs: hp.epochs,
        hidden: hp.hidden,
        dropout: hp.dropout,
        hidden_layers: 1,
    };
    let objective = |hp: &MlpHyperparams, trial: &mut TrialContext| -> Result<f64, BoxError> {
        let score = cross_validate(&folds, trial, |fold| -> Result<f64, BoxError> {
            let (fit, valid) = (train.select(&fold.train)?, train.select(&fold.valid)?);
            Ok(mlp::fit_and_score(&train_config(hp), &fit, &valid, seed)?)
        })?;
        Ok(score.mean)
    };
    study.optimize(trials, objective)?;
    let best = study.best().ok_or("every trial failed")?;
    let test_accuracy = mlp::fit_and_score(&train_config(&best.config), &train, &test, seed)?;
    SweepOutcome::new(&study, best, test_accuracy, report_dir)
}
