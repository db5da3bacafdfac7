//! The quick sweep, whole in this file: 20 trials of TPE over an MLP (candle) classifying
//! handwritten digits, 10 epochs each, scored by 3-fold cross-validation; prints the top
//! trials, the best config, its CV and held-out test accuracy, and where the plots are.
//! (The `mlp_*` examples search the same space, shared as `tunekit_sweeps::mlp_space`.)
//!
//! Run: `cargo run --release -p tunekit-sweeps --example quickstart`

use std::path::Path;

use serde::Serialize;
use tunekit::BoxError;
use tunekit::cv::{KFold, cross_validate};
use tunekit::prelude::*;
use tunekit_sweeps::mlp::{self, MlpConfig, OptimizerConfig};
use tunekit_sweeps::{digits, report::SweepOutcome};

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

#[tunable]
#[derive(Debug, Clone, PartialEq, Serialize)]
enum Optimizer {
    Adam {
        #[tune(1e-4..=3e-2, log)]
        learning_rate: f64,
    },
    Sgd {
        #[tune(1e-3..=3e-1, log)]
        learning_rate: f64,
        #[tune(0.0..=0.95, step = 0.05)]
        momentum: f64,
    },
}

/// The trainer's config for these hyperparameters (one hidden layer).
fn mlp_config(hp: &MlpHyperparams) -> MlpConfig {
    let optimizer = match hp.optimizer {
        Optimizer::Adam { learning_rate } => OptimizerConfig::Adam { learning_rate },
        Optimizer::Sgd {
            learning_rate,
            momentum,
        } => OptimizerConfig::Sgd {
            learning_rate,
            momentum,
        },
    };
    MlpConfig {
        optimizer,
        batch_size: hp.batch_size,
        epochs: hp.epochs,
        hidden: hp.hidden,
        hidden_layers: 1,
        dropout: hp.dropout,
    }
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
    let objective = |hp: &MlpHyperparams, trial: &mut TrialContext| -> Result<f64, BoxError> {
        let score = cross_validate(&folds, trial, |fold| -> Result<f64, BoxError> {
            let (fit, valid) = (train.select(&fold.train)?, train.select(&fold.valid)?);
            Ok(mlp::fit_and_score(&mlp_config(hp), &fit, &valid, seed)?)
        })?;
        Ok(score.mean)
    };
    study.optimize(trials, objective)?;
    let best = study.best().ok_or("every trial failed")?;
    let test_accuracy = mlp::fit_and_score(&mlp_config(&best.config), &train, &test, seed)?;
    SweepOutcome::new(&study, best, test_accuracy, report_dir)
}
