//! The quick sweep: 20 trials of TPE over an MLP classifier of the handwritten digits
//! (10 epochs each), with 3-fold cross-validation; prints the top trials, the best
//! hyperparameters as the typed struct, the CV and held-out test accuracy, and where the
//! plots are. About half a minute in release mode.
//!
//! Run: `cargo run --release -p tunekit-sweeps --example quickstart`

use tunekit_sweeps::mlp_sweep::{self, Search, SweepSettings};

fn main() -> Result<(), tunekit::BoxError> {
    let settings = SweepSettings {
        search: Search::Tpe,
        trials: 20,
        epochs: Some(10),
        seed: 7,
        report_dir: std::env::temp_dir().join("tunekit-quickstart"),
    };
    let outcome = mlp_sweep::run(&settings)?;
    mlp_sweep::print("quick TPE sweep (20 trials, 10 epochs)", &outcome)
}
