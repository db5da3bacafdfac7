//! Where a study keeps its trials.
//!
//! A [`Storage`] is the only shared, effectful part of a study: samplers are pure functions
//! of the history it hands them. Every backend keeps the same contract:
//!
//! - trial numbers are dense (`0, 1, 2, ...`) and unique, even with several workers;
//! - [`create_trial`](Storage::create_trial) chooses params and records the new trial as
//!   one atomic step, so two workers never take the same grid point and each proposal sees
//!   every trial started before it (running ones too, for the constant-liar strategy);
//! - a finished trial is never changed again, and a second finish is an error.
//!
//! Storages only store: opening a study returns what is stored, and the
//! [`StudyBuilder`](crate::study::StudyBuilder) decides, the same way for every backend, whether
//! it fits the study being built. What a backend author needs is here: the [`Storage`]
//! trait, [`Propose`], [`StudyInfo`], [`apply_event`] (the one rule for which events a
//! trial's state allows), and, with the `conformance` cargo feature, the
//! [`conformance`] suite that every backend of this crate passes.
//!
//! Choosing one is one line on the builder; the study is the same on every backend:
//!
//! ```
//! use tunekit::prelude::*;
//! use tunekit::storage::{InMemory, Journal};
//!
//! #[tunable]
//! #[derive(Debug, Clone)]
//! struct Cfg {
//!     #[tune(-1.0..=1.0)]
//!     x: f64,
//! }
//!
//! // In memory (the default): fast, gone when the process exits.
//! let study = Study::minimize(space!(Cfg)).storage(InMemory::new()).build()?;
//! study.optimize(3, |c: &Cfg| c.x * c.x)?;
//!
//! // A journal file: survives crashes, resumes when reopened, shared by processes.
//! # let dir = tempfile::tempdir()?;
//! let path = dir.path().join("cfg.jsonl");
//! let study = Study::minimize(space!(Cfg)).storage(Journal::open(&path)?).build()?;
//! study.optimize(3, |c: &Cfg| c.x * c.x)?;
//!
//! // PostgreSQL (feature `postgres`): one study for workers on many machines:
//! // .storage(tunekit::storage::Postgres::connect("postgres://user@host/db")?)
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod journal;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;

pub use apply::apply_event;
pub use journal::{FsyncPolicy, Journal};
pub use memory::InMemory;
#[cfg(feature = "postgres")]
pub use postgres::Postgres;

use std::sync::Arc;

use crate::error::Result;
use crate::space::{Params, SearchSpace};
use crate::trial::{Direction, Trial, TrialEvent};

/// What identifies a study in a storage.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyInfo {
    /// The study's name; one storage may hold several studies.
    pub name: String,
    /// Whether lower or higher values are better.
    pub direction: Direction,
    /// The space searched; a reopened study must have the same one (unless the builder
    /// allows a change).
    pub space: SearchSpace,
}

/// Chooses the params of a new trial, given every trial so far (indexed by number);
/// `Ok(None)` means nothing is left to propose.
///
/// A backend may call it more than once for one new trial (PostgreSQL retries the whole
/// transaction after a lost connection or a deadlock), so it must not consume anything:
/// the study hands out a queued config only once the trial holding it exists.
pub type Propose<'a> = dyn FnMut(&[Trial]) -> Result<Option<Params>> + 'a;

/// A backend that records trials.
///
/// Every backend keeps the same contract: trial numbers are dense and unique even with
/// several workers; [`create_trial`](Storage::create_trial) chooses params and records the
/// new trial as one atomic step; a finished trial is never changed again.
pub trait Storage: Send + Sync {
    /// Binds to the study named `info.name`: creates it from `info` and returns `None`
    /// when the storage holds no such study, or returns what is stored, unjudged. A
    /// storage that holds one study only (a journal file) returns its study whatever its
    /// name. Called once, when the study is built, which then decides whether the stored
    /// study fits.
    fn open(&self, info: &StudyInfo) -> Result<Option<StudyInfo>>;

    /// Replaces the space of the opened study; the trials keep their params. Called by
    /// the study builder only when the user allowed a changed space.
    fn set_space(&self, space: &SearchSpace) -> Result<()>;

    /// Where the study is kept, for messages: `the journal sweep.jsonl`, `PostgreSQL
    /// (schema public)`.
    fn describe(&self) -> String;

    /// Atomically: brings the view of all trials up to date, calls `propose` with it, and
    /// records a new running trial numbered `trials.len()` with the proposed params.
    /// Returns `Ok(None)` when `propose` does. `propose` may be called more than once
    /// (a retried transaction); only the params of the last call are recorded.
    fn create_trial(&self, propose: &mut Propose<'_>) -> Result<Option<Trial>>;

    /// Records an event of a started trial. Finishing a finished trial, or naming a trial
    /// that does not exist, is an error and changes nothing.
    fn record(&self, event: TrialEvent) -> Result<()>;

    /// Calls `read` with an up-to-date view of all trials, indexed by number.
    fn read(&self, read: &mut dyn FnMut(&[Trial])) -> Result<()>;

    /// How often a process running trials should call [`heartbeat`](Self::heartbeat);
    /// `None` (the default) for storages that cannot outlive their process.
    fn heartbeat_interval(&self) -> Option<std::time::Duration> {
        None
    }

    /// Tells the storage that these running trials of this process are still alive.
    fn heartbeat(&self, running: &[u64]) -> Result<()> {
        let _ = running;
        Ok(())
    }

    /// Marks as failed (reason "stale") every running trial whose process stopped sending
    /// heartbeats, exactly once even with several processes noticing; returns their numbers.
    fn fail_stale_trials(&self) -> Result<Vec<u64>> {
        Ok(Vec::new())
    }
}

macro_rules! forward_storage {
    ($($wrapper:ident),*) => {$(
        /// A shared or boxed storage is a storage: several studies or handles can use it.
        impl<S: Storage + ?Sized> Storage for $wrapper<S> {
            fn open(&self, info: &StudyInfo) -> Result<Option<StudyInfo>> {
                (**self).open(info)
            }
            fn set_space(&self, space: &SearchSpace) -> Result<()> {
                (**self).set_space(space)
            }
            fn describe(&self) -> String {
                (**self).describe()
            }
            fn create_trial(&self, propose: &mut Propose<'_>) -> Result<Option<Trial>> {
                (**self).create_trial(propose)
            }
            fn record(&self, event: TrialEvent) -> Result<()> {
                (**self).record(event)
            }
            fn read(&self, read: &mut dyn FnMut(&[Trial])) -> Result<()> {
                (**self).read(read)
            }
            fn heartbeat_interval(&self) -> Option<std::time::Duration> {
                (**self).heartbeat_interval()
            }
            fn heartbeat(&self, running: &[u64]) -> Result<()> {
                (**self).heartbeat(running)
            }
            fn fail_stale_trials(&self) -> Result<Vec<u64>> {
                (**self).fail_stale_trials()
            }
        }
    )*};
}

forward_storage!(Box, Arc);
