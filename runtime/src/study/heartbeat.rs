//! Heartbeats for the trials a study value has asked and not told yet, on storages that
//! fail trials whose heartbeats stop (PostgreSQL).
//!
//! One thread per study value, started by its first `ask`, beats every
//! [`Storage::heartbeat_interval`] for the trials this value has running, whether
//! `optimize` or the user's own ask-and-tell loop runs them, and stops when the study
//! value is dropped: its untold trials then go stale, as those of a dead process do.

use std::collections::BTreeSet;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::storage::Storage;

/// The running trials of one study value, and the thread that keeps them alive.
pub(super) struct Heartbeats {
    /// `None` for storages without heartbeats: then nothing is tracked.
    every: Option<Duration>,
    shared: Arc<Beating>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// What the heartbeat thread shares with the study value.
struct Beating {
    storage: Arc<dyn Storage>,
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    running: BTreeSet<u64>,
    stopped: bool,
}

impl Heartbeats {
    pub(super) fn new(storage: &Arc<dyn Storage>) -> Heartbeats {
        Heartbeats {
            every: storage.heartbeat_interval(),
            shared: Arc::new(Beating {
                storage: Arc::clone(storage),
                state: Mutex::new(State::default()),
                wake: Condvar::new(),
            }),
            thread: Mutex::new(None),
        }
    }

    /// Starts the heartbeat thread if the storage wants heartbeats and it is not running
    /// yet; called before a trial is created, so a thread that cannot start fails `ask`
    /// before there is a trial to lose.
    pub(super) fn ensure_started(&self) -> Result<()> {
        let Some(every) = self.every else {
            return Ok(());
        };
        let mut thread = lock(&self.thread);
        if thread.is_some() {
            return Ok(());
        }
        let shared = Arc::clone(&self.shared);
        let handle = std::thread::Builder::new()
            .name("tunekit-heartbeat".into())
            .spawn(move || shared.beat_every(every))
            .map_err(|e| Error::io("starting the heartbeat thread of the study", e))?;
        *thread = Some(handle);
        Ok(())
    }

    /// Trial `number` was asked through this study value: keep it alive.
    pub(super) fn track(&self, number: u64) {
        if self.every.is_some() {
            lock(&self.shared.state).running.insert(number);
        }
    }

    /// Trial `number` is finished (or cannot be): no more heartbeats for it. Waits for a
    /// heartbeat in flight, so none names the trial once this returns.
    pub(super) fn untrack(&self, number: u64) {
        if self.every.is_some() {
            lock(&self.shared.state).running.remove(&number);
        }
    }
}

impl Drop for Heartbeats {
    fn drop(&mut self) {
        lock(&self.shared.state).stopped = true;
        self.shared.wake.notify_all();
        if let Some(thread) = lock(&self.thread).take() {
            // The thread catches nothing that could panic but the storage's heartbeat;
            // a panic there has been printed already, and the study is going away.
            let _ = thread.join();
        }
    }
}

impl Beating {
    /// Every `every`, tells the storage which trials are running, until stopped. The
    /// state stays locked during a heartbeat (one short write), so a trial told or a
    /// study dropped is never named by a later one.
    fn beat_every(&self, every: Duration) {
        let mut state = lock(&self.state);
        loop {
            let deadline = Instant::now() + every;
            loop {
                if state.stopped {
                    return;
                }
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                state = self
                    .wake
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            if state.running.is_empty() {
                continue;
            }
            let running: Vec<u64> = state.running.iter().copied().collect();
            if let Err(error) = self.storage.heartbeat(&running) {
                // Not fatal: the trials still finish; at worst another process marks
                // them stale and their results are refused, which `tell` reports.
                tracing::warn!(trials = ?running, "heartbeat failed: {error}");
            }
        }
    }
}

/// Every change under these locks is one insertion, removal or assignment, so a panic
/// while one was held leaves the data whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
