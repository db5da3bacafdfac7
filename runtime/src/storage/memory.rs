//! The default storage: trials in memory, gone with the process.

use std::sync::{Mutex, MutexGuard};

use super::{Propose, Storage, StudyInfo};
use crate::study::apply_event;
use crate::{Result, Trial, TrialEvent};

/// Keeps trials in memory. Fast, shared by the threads of one process, lost on exit.
#[derive(Debug, Default)]
pub struct InMemory {
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
    fn open(&self, _info: &StudyInfo) -> Result<()> {
        Ok(())
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
