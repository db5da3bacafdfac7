//! What the example sweeps of [`tunekit`] share: data, model trainers and printing.
//! Each search itself (its `#[tunable]` types or the shared one it imports, `space!`, the
//! `Study` and the cross-validated objective) lives in its example file
//! (`cargo run --release -p tunekit-sweeps --example ...`); `tests/sweeps.rs` runs every
//! example's search on a tiny budget so the examples cannot rot.
//!
//! - [`digits`]: the UCI handwritten digits and a stratified hold-out split.
//! - [`mlp`]: an MLP classifier trained with candle on the CPU.
//! - [`mlp_space`]: the MLP hyperparameters the `mlp_*` examples search.
//! - [`multifidelity`]: epochs as steps for pruners (folds trained in lockstep), and the
//!   comparison of TPE with and without ASHA or Hyperband (`mlp_asha`, `mlp_hyperband`).
//! - `classical` (feature `wine`): red wine quality, and RBF SVM or logistic regression
//!   from linfa.
//! - [`report`]: what a sweep found, printed the way the examples show it.
//!
//! The data ship inside crates (the digits in this one, the wines in linfa-datasets'
//! `winequality` feature): nothing is downloaded at run time.
#![warn(missing_docs)]

#[cfg(feature = "wine")]
pub mod classical;
pub mod digits;
pub mod mlp;
pub mod mlp_space;
pub mod multifidelity;
pub mod report;
