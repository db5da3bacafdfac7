//! The runtime of [tunekit](https://docs.rs/tunekit): search spaces, samplers, studies and
//! storage. Most users depend on the `tunekit` facade crate instead, which re-exports all
//! of this next to the `#[tunable]` and `space!` macros.
//!
//! The pieces, in the order data flows:
//! - [`SearchSpace`]: ordered [`Param`]s, each with a [`Domain`] and an optional
//!   [`Condition`]; (de)serializes as JSON and is validated on load.
//! - [`Sampler`]s ([`Random`], [`Grid`]) propose [`Params`] from the space and the history.
//! - A [`Study`] asks the sampler, runs the objective, and records each [`Trial`] in a
//!   [`Storage`] ([`InMemory`] by default).
#![warn(missing_docs)]

pub mod cv;
mod error;
mod pruner;
pub mod report;
mod sampler;
mod space;
mod space_def;
mod storage;
mod study;
mod tunable;

pub use error::{Error, Result};
pub use pruner::{MedianPruner, Pruner};
pub use sampler::{sample_domain, Gamma, Grid, Random, SampleContext, Sampler, Tpe, Weights};
pub use space::{
    Condition, Domain, FromValue, Param, Params, SearchSpace, SearchSpaceBuilder, Value,
};
pub use space_def::Space;
#[cfg(any(test, feature = "conformance"))]
#[doc(hidden)]
pub use storage::conformance;
#[cfg(feature = "postgres")]
pub use storage::Postgres;
pub use storage::{FsyncPolicy, InMemory, Journal, Propose, Storage, StudyInfo};
pub use study::{
    apply_event, write_csv, write_jsonl, AskedTrial, Best, BoxError, Budget, Callback, Direction,
    Objective, ObjectiveOutput, Outcome, Progress, StopAtValue, StopReason, StopWithoutImprovement,
    Study, StudyBuilder, Trial, TrialContext, TrialEvent, TrialNumber, TrialPruned, TrialState,
};
#[doc(hidden)]
pub use study::{ConfigOnly, WithContext};
#[doc(hidden)]
pub use tunable::private as __private;
pub use tunable::{FieldOverrides, FloatNumber, Override, Tunable, TuneNumber, TypedSpace};
