//! The MLP hyperparameters that the `mlp_grid`, `mlp_random` and `mlp_tpe` examples
//! search (each narrows or pins it in its own `space!`). The quickstart declares the
//! same struct in its own file, so that one file shows a whole search; a test checks
//! that the two spaces are the same. The optimizer's ranges live on the trainer's
//! [`Optimizer`] enum, re-exported here.

use serde::{Deserialize, Serialize};
use tunekit::prelude::*;

use crate::mlp::MlpConfig;
pub use crate::mlp::Optimizer;

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

impl MlpHyperparams {
    /// The trainer's config for these hyperparameters (one hidden layer).
    pub fn to_config(&self) -> MlpConfig {
        MlpConfig {
            optimizer: self.optimizer,
            batch_size: self.batch_size,
            epochs: self.epochs,
            hidden: self.hidden,
            hidden_layers: 1,
            dropout: self.dropout,
        }
    }
}
