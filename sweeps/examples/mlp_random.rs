//! Random search over an MLP classifier (candle) of the handwritten digits: 10 configs
//! drawn uniformly (learning rates on a log scale) from the whole space, each scored by
//! 3-fold cross-validation; prints the best hyperparameters and CV score, and the test
//! accuracy of the best config retrained on the whole training split.
//!
//! The space is `tunekit_sweeps::mlp_space::MlpHyperparams`, shared with `mlp_grid` and
//! `mlp_tpe`.
//!
//! Run: `cargo run --release -p tunekit-sweeps --example mlp_random`

use std::path::Path;

use tunekit::BoxError;
use tunekit::cv::{KFold, cross_validate};
use tunekit::prelude::*;
use tunekit_sweeps::mlp_space::MlpHyperparams;
use tunekit_sweeps::{digits, mlp, report::SweepOutcome};

fn main() -> Result<(), BoxError> {
    let outcome = run(10, &std::env::temp_dir().join("tunekit-mlp-random"))?;
    outcome.print("random search: 10 configs")
}

/// The search; `tests/sweeps.rs` runs it with a tiny budget.
pub fn run(trials: usize, report_dir: &Path) -> Result<SweepOutcome<MlpHyperparams>, BoxError> {
    let seed = 7; // of the sampler, the splits and the training
    let (train, test) = digits::train_test_split(&digits::load()?, seed)?;
    let folds = KFold::new(3).shuffle(seed).split_stratified(&train.y)?;
    let study = Study::maximize(space!(MlpHyperparams))
        .sampler(Random)
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
