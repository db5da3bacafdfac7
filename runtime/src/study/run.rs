//! The `optimize` loop: workers, budgets, callbacks, progress and Ctrl-C.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::interrupt::Watch;
use super::progress_bar::Bar;
use super::{AskedTrial, Budget, StopReason, Study};
use crate::callbacks::Progress;
use crate::error::{Error, Result};
use crate::objective::{Objective, TrialPruned};
use crate::space::Space;
use crate::storage::Storage;
use crate::trial::Outcome;
use crate::trial::{Trial, TrialState};

/// Locks a mutex whose data stays consistent even if a holder panicked (every update
/// below is a single assignment or insertion).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: Space> Study<S> {
    /// Runs trials until the budget (a trial count, a [`Duration`], or a [`Budget`]) is
    /// used up, the sampler is exhausted, a [callback](crate::callbacks::Callback) stops the study, or
    /// the user presses Ctrl-C, on the builder's number of worker threads; returns why it
    /// stopped.
    ///
    /// The objective is `Fn(&Config) -> R` or `Fn(&Config, &mut TrialContext) -> R`, with
    /// `R` an `f64` or a `Result<f64, E>`. An error, a panic or a non-finite value fails
    /// that trial (the reason is recorded) and the study goes on. Only storage errors
    /// stop it early, and are returned.
    ///
    /// Stopping never cuts a trial short: once the time budget has passed, a callback has
    /// asked to stop, or Ctrl-C was pressed (SIGINT, on Unix), no new trial starts, and the
    /// trials already running finish and are recorded before `optimize` returns. A second
    /// Ctrl-C ends the process at once, as usual; a journal stays readable even then.
    ///
    /// Before the first trial, trials left running by processes that died are marked
    /// failed ([`Storage::fail_stale_trials`]). Per-trial events go to [`tracing`]
    /// (`trial started` at debug level, `trial finished` at info, failures at warn).
    pub fn optimize<Args>(
        &self,
        budget: impl Into<Budget>,
        objective: impl Objective<S::Config, Args>,
    ) -> Result<StopReason> {
        let budget = budget.into();
        let storage: &dyn Storage = &*self.shared.storage;
        let stale = storage.fail_stale_trials()?;
        if !stale.is_empty() {
            tracing::warn!(study = %self.shared.name, trials = ?stale, "marked trials of dead processes as failed (stale)");
        }
        let best = self.best().map(|best| (best.number, best.value));
        let run = Run {
            budget,
            started_at: Instant::now(),
            started: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            reason: Mutex::new(None),
            error: Mutex::new(None),
            running: Mutex::new(BTreeSet::new()),
            progress: Mutex::new(Progress::new(self.shared.direction, best)),
            bar: self.progress_bar.then(|| Bar::new(&budget)),
            interrupt: if self.catch_interrupts {
                Watch::start()
            } else {
                Watch::inactive()
            },
        };
        std::thread::scope(|scope| {
            let workers: Vec<_> = (1..self.workers)
                .map(|_| scope.spawn(|| self.work(&run, &objective)))
                .collect();
            self.work(&run, &objective);
            for worker in workers {
                if let Err(panic) = worker.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
        if let Some(bar) = &run.bar {
            bar.finish();
        }
        if let Some(error) = run
            .error
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
        {
            return Err(error);
        }
        let reason = run
            .reason
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .unwrap_or(StopReason::TrialBudget);
        tracing::info!(study = %self.shared.name, ?reason, "optimize stopped");
        Ok(reason)
    }

    /// One worker's loop: ask, evaluate, tell, until the run says stop.
    fn work<Args>(&self, run: &Run, objective: &impl Objective<S::Config, Args>) {
        while run.reserve_trial() {
            let mut asked = match self.ask() {
                Ok(asked) => asked,
                // A config that cannot be decoded is already recorded as failed.
                Err(Error::Decode { .. }) => continue,
                Err(Error::Exhausted) => return run.stop_for(StopReason::Exhausted),
                Err(error) => return run.fail(error),
            };
            let number = asked.number();
            lock(&run.running).insert(number);
            tracing::debug!(study = %self.shared.name, trial = number, params = ?asked.params(), "trial started");
            let clock = Instant::now();
            let outcome = evaluate(objective, &mut asked).normalized();
            let told = self.tell(&asked, outcome.clone());
            lock(&run.running).remove(&number);
            if let Err(error) = told {
                return run.fail(error);
            }
            if let Err(error) = self.after_trial(run, number, &outcome, clock.elapsed()) {
                return run.fail(error);
            }
        }
    }

    /// Logs a finished trial, updates the progress, and runs the callbacks.
    fn after_trial(&self, run: &Run, number: u64, outcome: &Outcome, took: Duration) -> Result<()> {
        let study = &self.shared.name;
        let duration_ms = took.as_millis() as u64;
        let (state, value) = match outcome {
            Outcome::Complete(value) => {
                tracing::info!(study = %study, trial = number, value, duration_ms, "trial finished");
                (TrialState::Complete, Some(*value))
            }
            Outcome::Pruned => {
                tracing::info!(study = %study, trial = number, duration_ms, "trial pruned");
                (TrialState::Pruned, None)
            }
            Outcome::Failed(reason) => {
                tracing::warn!(study = %study, trial = number, duration_ms, reason = %reason, "trial failed");
                (TrialState::Failed, None)
            }
        };
        let mut progress = lock(&run.progress);
        progress.add(number, state, value, run.started_at.elapsed());
        if let Some(bar) = &run.bar {
            bar.update(&progress);
        }
        let mut callbacks = lock(&self.callbacks);
        if callbacks.is_empty() {
            return Ok(());
        }
        let mut trial: Option<Trial> = None;
        self.shared
            .storage
            .read(&mut |trials| trial = trials.get(number as usize).cloned())?;
        let trial = trial.ok_or(Error::UnknownTrial(number))?;
        for callback in callbacks.iter_mut() {
            if callback.after_trial(&trial, &progress).is_break() {
                run.stop_for(StopReason::Callback);
                break;
            }
        }
        Ok(())
    }
}

/// Runs the objective on one trial, turning errors, pruning and panics into an outcome.
fn evaluate<C, Args>(objective: &impl Objective<C, Args>, asked: &mut AskedTrial<C>) -> Outcome {
    let AskedTrial {
        config, context, ..
    } = asked;
    match catch_unwind(AssertUnwindSafe(|| objective.evaluate(config, context))) {
        Ok(Ok(value)) => Outcome::Complete(value),
        Ok(Err(error)) if error.is::<TrialPruned>() => Outcome::Pruned,
        Ok(Err(error)) => Outcome::Failed(error.to_string()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".into());
            Outcome::Failed(format!("the objective panicked: {message}"))
        }
    }
}

/// The shared state of one `optimize` call.
struct Run {
    budget: Budget,
    started_at: Instant,
    /// Trials claimed against the budget.
    started: AtomicUsize,
    stop: AtomicBool,
    /// Why the run stops: the first reason found wins.
    reason: Mutex<Option<StopReason>>,
    error: Mutex<Option<Error>>,
    /// Trials this call is running now.
    running: Mutex<BTreeSet<u64>>,
    progress: Mutex<Progress>,
    bar: Option<Bar>,
    interrupt: Watch,
}

impl Run {
    /// Claims the right to start one more trial, if nothing says stop.
    fn reserve_trial(&self) -> bool {
        if self.stop.load(Ordering::SeqCst) {
            return false;
        }
        if self.interrupt.interrupted() {
            self.stop_for(StopReason::Interrupted);
            return false;
        }
        if let Some(limit) = self.budget.max_time() {
            if self.started_at.elapsed() >= limit {
                self.stop_for(StopReason::TimeBudget);
                return false;
            }
        }
        let claimed = self.started.fetch_add(1, Ordering::SeqCst);
        match self.budget.max_trials() {
            Some(limit) if claimed >= limit => {
                self.started.fetch_sub(1, Ordering::SeqCst);
                self.stop_for(StopReason::TrialBudget);
                false
            }
            _ => true,
        }
    }

    fn stop_for(&self, reason: StopReason) {
        self.stop.store(true, Ordering::SeqCst);
        let mut slot = lock(&self.reason);
        if slot.is_some() {
            return;
        }
        *slot = Some(reason);
        if reason == StopReason::Interrupted {
            let running = lock(&self.running).len();
            let note = format!(
                "interrupted: waiting for {running} running trial(s) to finish; press Ctrl-C again to quit at once"
            );
            if !self.bar.as_ref().is_some_and(|bar| bar.note(&note)) {
                tracing::warn!("{note}");
            }
        }
    }

    fn fail(&self, error: Error) {
        self.stop.store(true, Ordering::SeqCst);
        lock(&self.error).get_or_insert(error);
    }
}
