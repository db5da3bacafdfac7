//! The MLP hyperparameters that the `mlp_grid`, `mlp_random` and `mlp_tpe` examples
//! search (each narrows or pins it in its own `space!`). The quickstart declares the
//! same two types in its own file, so that one file shows a whole search; a test checks
//! that the two spaces are the same.

use serde::{Deserialize, Serialize};
use tunekit::prelude::*;

use crate::mlp::{MlpConfig, OptimizerConfig};

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
    /// The trainer's config for these hyperparameters (one hidden layer).
    pub fn to_config(&self) -> MlpConfig {
        let optimizer = match self.optimizer {
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
            batch_size: self.batch_size,
            epochs: self.epochs,
            hidden: self.hidden,
            hidden_layers: 1,
            dropout: self.dropout,
        }
    }
}
