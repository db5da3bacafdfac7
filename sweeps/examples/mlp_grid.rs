//! Grid search: optimizer x batch size x epochs, 3-fold cross-validation, over an MLP classifier of the handwritten digits;
//! prints the best hyperparameters and CV score, and the test accuracy of the best config
//! retrained on the whole training split.
//!
//! Run: `cargo run --release -p tunekit-sweeps --example mlp_grid`

use tunekit_sweeps::mlp_sweep::{self, Search, SweepSettings};

fn main() -> Result<(), tunekit::BoxError> {
    let settings = SweepSettings {
        search: Search::Grid,
        trials: 18,
        epochs: None,
        seed: 7,
        report_dir: std::env::temp_dir().join("tunekit-mlp-grid"),
    };
    let outcome = mlp_sweep::run(&settings)?;
    mlp_sweep::print("grid search: optimizer x batch size x epochs", &outcome)
}
