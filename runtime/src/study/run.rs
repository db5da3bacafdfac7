//! The `optimize` loop: workers, budgets, callbacks, progress and Ctrl-C.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::interrupt::Watch;
use super::progress_bar::Bar;
use super::{AskedTrial, Budget, Started, StopReason, Study};
use crate::callbacks::Progress;
use crate::error::{Error, Result};
use crate::objective::{is_pruned, Objective, ObjectiveOutput};
use crate::space::Space;
use crate::storage::Storage;
use crate::trial::Outcome;
use crate::trial::{Trial, TrialState};

/// Locks a mutex whose data stays consistent even if a holder panicked (every update
/// below is a single assignment or insertion).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How often the Ctrl-C watcher looks at the flag the signal handler raises.
const INTERRUPT_POLL: Duration = Duration::from_millis(50);

impl<S: Space> Study<S> {
    /// Runs trials until the budget (a trial count, a [`Duration`], or a [`Budget`]) is
    /// used up, the sampler is exhausted, a [callback](crate::callbacks::Callback) stops the study, or
    /// the user presses Ctrl-C, on the builder's number of worker threads; returns why it
    /// stopped.
    ///
    /// The objective is `Fn(&Config) -> R` or `Fn(&Config, &mut TrialContext) -> R`, with
    /// `R` an `f64` or a `Result<f64, E>`. An error, a panic or a non-finite value fails
    /// that trial (the reason is recorded) and the study goes on. Storage errors stop it
    /// early and are returned, and so does a run of failures:
    /// [`Error::TooManyFailures`] once
    /// [`max_consecutive_failures`](super::StudyBuilder::max_consecutive_failures) trials
    /// (50 by default) have failed in a row, with the last one's reason.
    ///
    /// Stopping never cuts a trial short: once the time budget has passed, a callback has
    /// asked to stop, or Ctrl-C was pressed (SIGINT, on Unix), no new trial starts, and the
    /// trials already running finish and are recorded before `optimize` returns (Ctrl-C
    /// says so at once, with how many are running). A second
    /// Ctrl-C ends the process at once, as usual; a journal stays readable even then.
    ///
    /// Before the first trial, trials left running by processes that died are marked
    /// failed ([`Storage::fail_stale_trials`]). Per-trial events go to [`tracing`]
    /// (`trial started` at debug level, `trial finished` at info, failures at warn).
    ///
    /// ```
    /// use tunekit::prelude::*;
    /// use tunekit::BoxError; // what objectives may fail with: any error, a String, ...
    ///
    /// #[tunable]
    /// #[derive(Debug, Clone)]
    /// struct Train {
    ///     #[tune(1..=30)]
    ///     epochs: u32,
    /// }
    ///
    /// let study = Study::minimize(space!(Train)).seed(5).build()?;
    /// // The config alone, returning a plain f64 ...
    /// study.optimize(3, |cfg: &Train| 1.0 / f64::from(cfg.epochs))?;
    /// // ... or with the trial context, returning a Result (errors fail only their trial).
    /// study.optimize(3, |cfg: &Train, trial: &mut TrialContext| -> Result<f64, BoxError> {
    ///     if cfg.epochs > 25 {
    ///         return Err("out of memory".into());
    ///     }
    ///     trial.report(0, 1.0)?;
    ///     Ok(1.0 / f64::from(cfg.epochs))
    /// })?;
    /// assert_eq!(study.trials()?.len(), 6);
    /// # Ok::<(), tunekit::Error>(())
    /// ```
    pub fn optimize<Args>(
        &self,
        budget: impl Into<Budget>,
        objective: impl Objective<S::Config, Args, Output: ObjectiveOutput>,
    ) -> Result<StopReason> {
        let interrupt = if self.catch_interrupts {
            Watch::start()
        } else {
            Watch::inactive()
        };
        self.optimize_watching(budget.into(), objective, interrupt)
    }

    /// `optimize`, with Ctrl-C as `interrupt` sees it.
    fn optimize_watching<Args>(
        &self,
        budget: Budget,
        objective: impl Objective<S::Config, Args, Output: ObjectiveOutput>,
        interrupt: Watch,
    ) -> Result<StopReason> {
        let storage: &dyn Storage = &*self.shared.storage;
        let stale = storage.fail_stale_trials()?;
        if !stale.is_empty() {
            tracing::warn!(study = %self.shared.name, trials = ?stale, "marked trials of dead processes as failed (stale)");
        }
        let best = self.best().map(|best| (best.number, best.value));
        let run = Run {
            budget,
            started_at: Instant::now(),
            flight: Mutex::new(Flight::default()),
            stop: AtomicBool::new(false),
            reason: Mutex::new(None),
            error: Mutex::new(None),
            done: Mutex::new(false),
            wake: Condvar::new(),
            progress: Mutex::new(Progress::new(self.shared.direction, best)),
            failures_in_a_row: Mutex::new(0),
            bar: self.progress_bar.then(|| Bar::new(&budget)),
            interrupt,
        };
        std::thread::scope(|scope| {
            let _end = EndOfWork(&run);
            if run.interrupt.is_active() {
                scope.spawn(|| run.watch_for_interrupt());
            }
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
    fn work<Args>(
        &self,
        run: &Run,
        objective: &impl Objective<S::Config, Args, Output: ObjectiveOutput>,
    ) {
        while run.reserve_trial() {
            let go_on = self.run_trial(run, objective);
            run.trial_done();
            if let Err(stop) = go_on {
                match stop {
                    Error::Exhausted => run.stop_for(StopReason::Exhausted),
                    error => run.fail(error),
                }
                return;
            }
        }
    }

    /// Starts, evaluates and tells one trial; an error stops this worker.
    fn run_trial<Args>(
        &self,
        run: &Run,
        objective: &impl Objective<S::Config, Args, Output: ObjectiveOutput>,
    ) -> Result<()> {
        let mut asked = match self.start_trial()? {
            Started::Trial(asked) => asked,
            // Already recorded as failed; it counts as a failure like any other.
            Started::Undecodable { number, error } => {
                let outcome = Outcome::Failed(error.to_string());
                return self.after_trial(run, number, &outcome, Duration::ZERO);
            }
        };
        if let Some(bar) = &run.bar {
            asked.context.show_progress_on(bar.handle());
        }
        let number = asked.number();
        tracing::debug!(study = %self.shared.name, trial = number, params = ?asked.params(), "trial started");
        let clock = Instant::now();
        let outcome = evaluate(objective, &mut asked).normalized();
        self.tell(&asked, outcome.clone())?;
        self.after_trial(run, number, &outcome, clock.elapsed())
    }

    /// Logs a finished trial, updates the progress, runs the callbacks, and stops the run
    /// with [`Error::TooManyFailures`] after too many failures in a row.
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
        let failures_in_a_row = {
            let mut in_a_row = lock(&run.failures_in_a_row);
            *in_a_row = if state == TrialState::Failed {
                *in_a_row + 1
            } else {
                0
            };
            *in_a_row
        };
        self.run_callbacks(run, number, &progress)?;
        drop(progress);
        match outcome {
            Outcome::Failed(reason) if failures_in_a_row >= self.max_consecutive_failures => {
                Err(Error::TooManyFailures {
                    count: failures_in_a_row,
                    trial: number,
                    reason: reason.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Runs the callbacks on trial `number`, one trial at a time (the caller holds the
    /// progress lock).
    fn run_callbacks(&self, run: &Run, number: u64, progress: &Progress) -> Result<()> {
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
            if callback.after_trial(&trial, progress).is_break() {
                run.stop_for(StopReason::Callback);
                break;
            }
        }
        Ok(())
    }
}

/// Runs the objective on one trial, turning errors, pruning and panics into an outcome.
fn evaluate<C, Args>(
    objective: &impl Objective<C, Args, Output: ObjectiveOutput>,
    asked: &mut AskedTrial<C>,
) -> Outcome {
    let AskedTrial {
        config, context, ..
    } = asked;
    match catch_unwind(AssertUnwindSafe(|| {
        objective.evaluate(config, context).into_value()
    })) {
        Ok(Ok(value)) => Outcome::Complete(value),
        Ok(Err(error)) if is_pruned(&*error) => Outcome::Pruned,
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
    flight: Mutex<Flight>,
    stop: AtomicBool,
    /// Why the run stops: the first reason found wins.
    reason: Mutex<Option<StopReason>>,
    error: Mutex<Option<Error>>,
    /// Set when every worker is done; wakes the Ctrl-C watcher.
    done: Mutex<bool>,
    wake: Condvar,
    progress: Mutex<Progress>,
    /// Trials of this call that failed since the last one that did not, in the order
    /// they finished.
    failures_in_a_row: Mutex<usize>,
    bar: Option<Bar>,
    interrupt: Watch,
}

/// Trials claimed by the workers; deciding to stop and claiming a trial take the same
/// lock, so the count a Ctrl-C note gives is exact.
#[derive(Default)]
struct Flight {
    /// Trials claimed against the budget.
    started: usize,
    /// Trials claimed and not yet done (being started, evaluated or told).
    running: usize,
}

impl Run {
    /// Claims the right to start one more trial, if nothing says stop.
    fn reserve_trial(&self) -> bool {
        let mut flight = lock(&self.flight);
        if self.stop.load(Ordering::SeqCst) {
            return false;
        }
        let out_of_time = || {
            self.budget
                .max_time()
                .is_some_and(|limit| self.started_at.elapsed() >= limit)
        };
        let reason = if self.interrupt.interrupted() {
            Some(StopReason::Interrupted)
        } else if out_of_time() {
            Some(StopReason::TimeBudget)
        } else if self
            .budget
            .max_trials()
            .is_some_and(|limit| flight.started >= limit)
        {
            Some(StopReason::TrialBudget)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.stop_locked(&flight, reason);
            return false;
        }
        flight.started += 1;
        flight.running += 1;
        true
    }

    /// The trial a worker reserved is done (told, or never started).
    fn trial_done(&self) {
        let mut flight = lock(&self.flight);
        flight.running = flight.running.saturating_sub(1);
    }

    fn stop_for(&self, reason: StopReason) {
        let flight = lock(&self.flight);
        self.stop_locked(&flight, reason);
    }

    fn stop_locked(&self, flight: &Flight, reason: StopReason) {
        self.stop.store(true, Ordering::SeqCst);
        let mut slot = lock(&self.reason);
        if slot.is_some() {
            return;
        }
        *slot = Some(reason);
        if reason == StopReason::Interrupted {
            self.interrupt
                .acknowledge(flight.running, self.bar.as_ref());
        }
    }

    fn fail(&self, error: Error) {
        self.stop.store(true, Ordering::SeqCst);
        lock(&self.error).get_or_insert(error);
    }

    /// Notices Ctrl-C within [`INTERRUPT_POLL`], while trials still run, and stops the
    /// run (which says so at once); returns when the workers are done.
    fn watch_for_interrupt(&self) {
        let mut done = lock(&self.done);
        while !*done {
            if self.interrupt.interrupted() {
                drop(done);
                self.stop_for(StopReason::Interrupted);
                return;
            }
            done = self
                .wake
                .wait_timeout(done, INTERRUPT_POLL)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// Wakes the Ctrl-C watcher when the workers are done, even if one panicked.
struct EndOfWork<'a>(&'a Run);

impl Drop for EndOfWork<'_> {
    fn drop(&mut self) {
        *lock(&self.0.done) = true;
        self.0.wake.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::super::interrupt::Watch;
    use super::super::{Budget, StopReason, Study};
    use crate::space::{Domain, Params, SearchSpace};
    use crate::trial::TrialState;

    /// Waits up to `limit` for `done`; whether it came.
    fn wait_for(limit: Duration, done: impl Fn() -> bool) -> bool {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        done()
    }

    #[test]
    fn ctrl_c_is_acknowledged_at_once_with_the_number_of_running_trials() {
        let space = SearchSpace::builder()
            .add("x", Domain::float(0.0, 1.0))
            .build()
            .unwrap();
        let study = Study::minimize(space).workers(2).build().unwrap();
        let (watch, ctrl_c) = Watch::simulated();
        let started = AtomicUsize::new(0);
        let release = AtomicBool::new(false);
        let stop = std::thread::scope(|scope| {
            let run = scope.spawn(|| {
                study.optimize_watching(
                    Budget::unlimited(),
                    |_: &Params| {
                        started.fetch_add(1, Ordering::SeqCst);
                        wait_for(Duration::from_secs(10), || release.load(Ordering::SeqCst));
                        1.0
                    },
                    watch,
                )
            });
            assert!(wait_for(Duration::from_secs(5), || started
                .load(Ordering::SeqCst)
                == 2));
            ctrl_c.pressed.store(true, Ordering::SeqCst);
            let noted = wait_for(Duration::from_secs(2), || {
                !ctrl_c.notes.lock().unwrap().is_empty()
            });
            release.store(true, Ordering::SeqCst);
            let stop = run.join().unwrap();
            assert!(noted, "nothing said while the trials ran");
            stop
        });
        assert_eq!(stop.unwrap(), StopReason::Interrupted);
        let notes = ctrl_c.notes.lock().unwrap().clone();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("interrupted: waiting for 2 running trial(s) to finish"),
            "{notes:?}"
        );
        let trials = study.trials().unwrap();
        assert_eq!(trials.len(), 2, "no trial starts after Ctrl-C");
        assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    }
}
