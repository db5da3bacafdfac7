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

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod journal;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;

pub use journal::{FsyncPolicy, Journal};
pub use memory::InMemory;
#[cfg(feature = "postgres")]
pub use postgres::Postgres;

use crate::{Direction, Params, Result, SearchSpace, Trial, TrialEvent};

/// What identifies a study in a storage.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyInfo {
    /// The study's name; one storage may hold several studies.
    pub name: String,
    /// Whether lower or higher values are better.
    pub direction: Direction,
    /// The space searched; a reopened study must have the same one.
    pub space: SearchSpace,
}

/// Chooses the params of a new trial, given every trial so far (indexed by number);
/// `Ok(None)` means nothing is left to propose.
pub type Propose<'a> = dyn FnMut(&[Trial]) -> Result<Option<Params>> + 'a;

/// A backend that records trials.
///
/// Every backend keeps the same contract: trial numbers are dense and unique even with
/// several workers; [`create_trial`](Storage::create_trial) chooses params and records the
/// new trial as one atomic step; a finished trial is never changed again.
pub trait Storage: Send + Sync {
    /// Binds to the study described by `info`, creating it or loading what exists.
    /// Called once, when the study is built.
    fn open(&self, info: &StudyInfo) -> Result<()>;

    /// Atomically: brings the view of all trials up to date, calls `propose` with it, and
    /// records a new running trial numbered `trials.len()` with the proposed params.
    /// Returns `Ok(None)` when `propose` does.
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
