//! The default storage: trials in memory, gone with the process.

use std::sync::{Mutex, MutexGuard};

use super::{apply_event, Propose, Storage, StudyInfo};
use crate::error::Result;
use crate::space::SearchSpace;
use crate::trial::{Trial, TrialEvent};

/// Keeps trials in memory. Fast, shared by the threads of one process, lost on exit.
///
/// It holds one study; share it between handles with an `Arc<InMemory>`.
///
/// ```
/// use std::sync::Arc;
/// use tunekit::prelude::*;
/// use tunekit::storage::InMemory;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(0..=100)]
///     x: i64,
/// }
///
/// let storage = Arc::new(InMemory::new());
/// let first = Study::minimize(space!(Cfg)).storage(Arc::clone(&storage)).build()?;
/// first.optimize(4, |c: &Cfg| c.x as f64)?;
/// // A second handle on the same storage opens the same study.
/// let second = Study::minimize(space!(Cfg)).storage(storage).build()?;
/// assert_eq!(second.trials()?.len(), 4);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct InMemory {
    study: Mutex<Option<StudyInfo>>,
    trials: Mutex<Vec<Trial>>,
}

impl InMemory {
    /// An empty storage.
    pub fn new() -> Self {
        InMemory::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Trial>> {
        // A panic while the lock was held cannot leave the vector half-updated (every
        // mutation is a single push or a validated in-place update), so poisoning is
        // safe to ignore.
        self.trials.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Storage for InMemory {
    fn open(&self, info: &StudyInfo) -> Result<Option<StudyInfo>> {
        // Nothing half-written can hide behind a poisoned lock: the slot is one assignment.
        let mut study = self.study.lock().unwrap_or_else(|e| e.into_inner());
        if study.is_none() {
            *study = Some(info.clone());
            return Ok(None);
        }
        Ok(study.clone())
    }

    fn set_space(&self, space: &SearchSpace) -> Result<()> {
        let mut study = self.study.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(study) = study.as_mut() {
            study.space = space.clone();
        }
        Ok(())
    }

    fn describe(&self) -> String {
        "the in-memory storage".into()
    }

    fn create_trial(&self, propose: &mut Propose<'_>) -> Result<Option<Trial>> {
        let mut trials = self.lock();
        let Some(params) = propose(&trials)? else {
            return Ok(None);
        };
        let trial = Trial::running(trials.len() as u64, params);
        trials.push(trial.clone());
        Ok(Some(trial))
    }

    fn record(&self, event: TrialEvent) -> Result<()> {
        apply_event(&mut self.lock(), &event)
    }

    fn read(&self, read: &mut dyn FnMut(&[Trial])) -> Result<()> {
        read(&self.lock());
        Ok(())
    }
}
