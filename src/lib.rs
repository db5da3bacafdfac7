//! # tunekit
//!
//! Typed hyperparameter search for Rust. This crate only re-exports: the runtime
//! (`tunekit-runtime`: spaces, samplers, studies, storage) and the macros
//! (`tunekit-macros`).
#![warn(missing_docs)]

pub use tunekit_runtime::*;

/// Everything a typical sweep needs, in one import: `use tunekit::prelude::*;`.
pub mod prelude {
    pub use tunekit_runtime::{
        Budget, Direction, Domain, Grid, MedianPruner, Outcome, Params, Random, SearchSpace,
        StopReason, Study, Tpe, TrialContext, TrialPruned, TrialState,
    };
}
