//! TPE (Bayesian) search: 50 trials, 3-fold cross-validation, over an MLP classifier of the handwritten digits;
//! prints the best hyperparameters and CV score, and the test accuracy of the best config
//! retrained on the whole training split.
//!
//! Run: `cargo run --release -p tunekit-sweeps --example mlp_tpe`

use tunekit_sweeps::mlp_sweep::{self, Search, SweepSettings};

fn main() -> Result<(), tunekit::BoxError> {
    let settings = SweepSettings {
        search: Search::Tpe,
        trials: 50,
        epochs: None,
        seed: 7,
        report_dir: std::env::temp_dir().join("tunekit-mlp-tpe"),
    };
    let outcome = mlp_sweep::run(&settings)?;
    mlp_sweep::print("TPE (Bayesian) search: 50 trials", &outcome)
}
