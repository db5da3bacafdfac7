//! Example sweeps of [`tunekit`] over real models and real data, shared by the
//! example binaries (`cargo run --release -p tunekit-sweeps --example ...`) and by the
//! tests that run each sweep on a tiny budget so the examples cannot rot.
//!
//! - [`mlp_sweep`]: an MLP (candle, CPU) on the UCI handwritten digits, tuned by grid,
//!   random or TPE search with 3-fold cross-validation, then tested on a held-out split.
//! - [`wine_sweep`]: RBF SVM or logistic regression (linfa) on red wine quality, TPE
//!   against random search with 5-fold cross-validation.
//!
//! The data ship inside crates (smartcore's and linfa-datasets' data features): nothing
//! is downloaded at run time.
#![warn(missing_docs)]

pub mod classical;
pub mod digits;
pub mod mlp;
pub mod mlp_sweep;
pub mod wine_sweep;
