//! The classic sweep: an MLP classifier on the digits, its optimizer, batch size, epochs,
//! width, learning rate and dropout tuned by grid, random or TPE search with 3-fold
//! cross-validation, then the best config retrained and scored on a held-out test set.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tunekit::BoxError;
use tunekit::cv::{KFold, cross_validate};
use tunekit::prelude::*;
use tunekit::samplers::Sampler;
use tunekit::tunable::Override;

use crate::digits::{self, Classification};
use crate::mlp::{MlpConfig, OptimizerConfig, accuracy, train_mlp};

/// The hyperparameters searched. The search space is declared right here, on the type.
#[tunable]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpHyperparams {
    /// Which optimizer, with its own learning rate (and momentum for SGD).
    #[tune]
    pub optimizer: Optimizer,
    /// Samples per gradient step.
    #[tune(choice(16, 32, 64))]
    pub batch_size: usize,
    /// Passes over the training folds.
    #[tune(choice(10, 20, 30))]
    pub epochs: usize,
    /// Width of the hidden layer.
    #[tune(choice(32, 64, 128))]
    pub hidden: usize,
    /// Dropout after the hidden layer.
    #[tune(0.0..=0.5, step = 0.1)]
    pub dropout: f64,
}

/// The optimizer: a categorical whose variants carry their own conditional params.
#[tunable]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Optimizer {
    /// Adam, with its learning rate on a log scale.
    Adam {
        /// Step size.
        #[tune(1e-4..=3e-2, log)]
        learning_rate: f64,
    },
    /// SGD with classical momentum.
    Sgd {
        /// Step size.
        #[tune(1e-3..=3e-1, log)]
        learning_rate: f64,
        /// Momentum coefficient.
        #[tune(0.0..=0.95, step = 0.05)]
        momentum: f64,
    },
}

impl MlpHyperparams {
    /// The trainer's config for these hyperparameters.
    pub fn to_config(&self) -> MlpConfig {
        MlpConfig {
            optimizer: match self.optimizer {
                Optimizer::Adam { learning_rate } => OptimizerConfig::Adam { lr: learning_rate },
                Optimizer::Sgd {
                    learning_rate,
                    momentum,
                } => OptimizerConfig::Sgd {
                    lr: learning_rate,
                    momentum,
                },
            },
            batch_size: self.batch_size,
            epochs: self.epochs,
            hidden: self.hidden,
            hidden_layers: 1,
            dropout: self.dropout,
        }
    }
}

/// Which search to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Every combination of optimizer (Adam at 1e-3, SGD at 3e-2 with momentum 0.9),
    /// batch size {16, 32, 64} and epochs {10, 20, 30}: 18 configs.
    Grid,
    /// Uniform draws from the whole space.
    Random,
    /// Bayesian optimization (TPE) over the whole space.
    Tpe,
}

/// How much to run; the examples use the defaults, the tests a tiny budget.
#[derive(Debug, Clone)]
pub struct SweepSettings {
    /// Which search.
    pub search: Search,
    /// Trial budget (the grid stops earlier when exhausted).
    pub trials: usize,
    /// Pins the number of epochs (the tests pin it to 1).
    pub epochs: Option<usize>,
    /// Seed of the sampler, the splits and the training.
    pub seed: u64,
    /// Where to write the report (CSV, JSON lines, SVG plots).
    pub report_dir: PathBuf,
}

/// What a sweep found.
#[derive(Debug, Clone)]
pub struct SweepOutcome {
    /// The best hyperparameters, as the typed struct.
    pub best: MlpHyperparams,
    /// Their mean 3-fold cross-validation accuracy.
    pub cv_accuracy: f64,
    /// Accuracy on the held-out test split after retraining on the whole training split.
    pub test_accuracy: f64,
    /// Trials run.
    pub trials: usize,
    /// The top trials as a text table.
    pub summary: String,
    /// The report files.
    pub report: tunekit::report::ReportFiles,
}

/// Runs one sweep end to end.
pub fn run(settings: &SweepSettings) -> Result<SweepOutcome, BoxError> {
    let data = digits::load();
    let (train, test) = digits::train_test_split(&data, settings.seed)?;
    let folds = KFold::new(3)
        .shuffle(settings.seed)
        .split_stratified(&train.y)?;

    let space = match settings.search {
        Search::Grid => space!(MlpHyperparams {
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
        }),
        Search::Random | Search::Tpe => space!(MlpHyperparams),
    };
    // A run-time pin on top of the compile-time checked space (the tests train 1 epoch).
    let space = match settings.epochs {
        Some(epochs) => space.with_override(Override::pinned("epochs", epochs)),
        None => space,
    };
    let sampler: Box<dyn Sampler> = match settings.search {
        Search::Grid => Box::new(Grid::new()),
        Search::Random => Box::new(Random),
        Search::Tpe => Box::new(Tpe::default()),
    };
    let study = Study::maximize(space)
        .sampler(sampler)
        .seed(settings.seed)
        .build()?;

    let seed = settings.seed;
    study.optimize(
        settings.trials,
        |hp: &MlpHyperparams, trial: &mut TrialContext| -> Result<f64, BoxError> {
            let config = hp.to_config();
            let score = cross_validate(&folds, trial, |fold| -> Result<f64, BoxError> {
                let (fit, valid) = (train.select(&fold.train), train.select(&fold.valid));
                let model = train_mlp(&config, &fit.x, &fit.y, seed)?;
                Ok(accuracy(&model, &valid.x, &valid.y)?)
            })?;
            Ok(score.mean)
        },
    )?;

    let best = study
        .best()
        .ok_or("every trial failed; see the report for why")?;
    let test_accuracy = retrain_and_test(&best.config, &train, &test, seed)?;
    let report = study.write_report(&settings.report_dir)?;
    Ok(SweepOutcome {
        best: best.config,
        cv_accuracy: best.value,
        test_accuracy,
        trials: study.trials()?.len(),
        summary: study.summary(5)?,
        report,
    })
}

/// Trains on the whole training split and scores on the held-out test split.
pub fn retrain_and_test(
    hp: &MlpHyperparams,
    train: &Classification,
    test: &Classification,
    seed: u64,
) -> Result<f64, BoxError> {
    let model = train_mlp(&hp.to_config(), &train.x, &train.y, seed)?;
    Ok(accuracy(&model, &test.x, &test.y)?)
}

/// Prints an outcome the way the examples show it.
pub fn print(title: &str, outcome: &SweepOutcome) -> Result<(), BoxError> {
    println!("== {title}: {} trials", outcome.trials);
    println!("{}", outcome.summary);
    println!("best hyperparameters: {:#?}", outcome.best);
    println!("as JSON: {}", serde_json::to_string(&outcome.best)?);
    println!("best 3-fold CV accuracy: {:.4}", outcome.cv_accuracy);
    println!(
        "test accuracy of the best config retrained on the training split: {:.4}",
        outcome.test_accuracy
    );
    println!(
        "report (trials.csv, trials.jsonl, history.svg, params.svg) in {}",
        outcome
            .report
            .csv
            .parent()
            .map_or_else(String::new, |d| d.display().to_string())
    );
    Ok(())
}
