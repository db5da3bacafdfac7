//! The runtime of [tunekit](https://docs.rs/tunekit): search spaces, samplers, studies and
//! storage. Most users depend on the `tunekit` facade crate instead, which re-exports all
//! of this next to the `#[tunable]` and `space!` macros; the examples in these docs are
//! written against it (`use tunekit::prelude::*;`), as user code is.
//!
//! The root holds what a typical sweep names; everything else is in a module by concept,
//! in the order data flows:
//!
//! - [`space`]: the dynamic search space ([`SearchSpace`]: ordered params, each with a
//!   [`Domain`]), the values of a point ([`Params`], [`Value`]), and the [`Space`] trait
//!   a study searches (a [`SearchSpace`], or the [`TypedSpace`] of a `#[tunable]` type).
//! - [`trial`]: the trial model ([`Trial`], [`TrialState`], [`Outcome`], the events
//!   storages persist) and the [`Direction`] of a study. Every module below depends on it.
//! - [`samplers`] propose the next trial from the space and the history; [`pruners`] stop
//!   unpromising trials early.
//! - [`storage`] keeps the trials (in memory, a journal file, PostgreSQL) and holds what a
//!   backend author needs: the trait and its conformance suite.
//! - [`objective`]: what an objective may be and return, and the [`TrialContext`] it
//!   reports through; [`cv`] cross-validates inside an objective.
//! - [`pareto`]: domination, non-dominated sorting, hypervolume and crowding distance
//!   for several objectives.
//! - [`Study`] (module [`study`]) runs it all; [`callbacks`] watch and stop it; [`report`]
//!   writes what it found.
//! - [`tunable`]: the [`Tunable`] trait `#[tunable]` implements and the [`TypedSpace`] that
//!   `space!` builds, with its run-time [`Override`](tunable::Override)s.
#![warn(missing_docs)]
#![deny(unreachable_pub)]

pub mod callbacks;
pub mod cv;
mod error;
pub mod objective;
pub mod pareto;
pub mod pruners;
pub mod report;
pub mod samplers;
pub mod space;
pub mod storage;
pub mod study;
pub mod trial;
pub mod tunable;

pub use error::{Error, Result};
pub use objective::{BoxError, TrialContext, TrialPruned};
pub use space::{Domain, Params, SearchSpace, Space, Value};
pub use study::{AskedTrial, Best, Budget, StopReason, Study, StudyBuilder};
pub use trial::{Direction, Outcome, Trial, TrialState};
pub use tunable::{Tunable, TypedSpace};

#[doc(hidden)]
pub use tunable::private as __private;

#[cfg(test)]
mod module_graph;
