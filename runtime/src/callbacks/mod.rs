//! Code that runs after each trial of `optimize`, and may stop the study.

use std::ops::ControlFlow;
use std::time::Duration;

use crate::trial::{Direction, Trial, TrialState};

/// Where an `optimize` call stands, as callbacks and the progress bar see it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// Trials this call has finished, in any state.
    pub finished: usize,
    /// Of those, the complete ones.
    pub complete: usize,
    /// Of those, the failed ones.
    pub failed: usize,
    /// Of those, the pruned ones.
    pub pruned: usize,
    /// The best complete trial of the study so far, as `(number, value)`: trials recorded
    /// before this call count too (a resumed study), trials that other processes finish
    /// during it do not.
    pub best: Option<(u64, f64)>,
    /// Trials this call has finished since `best` last improved (or since the call started,
    /// if it has not improved yet).
    pub since_improvement: usize,
    /// Time since the call started.
    pub elapsed: Duration,
    /// Whether lower or higher is better.
    pub direction: Direction,
}

impl Progress {
    pub(crate) fn new(direction: Direction, best: Option<(u64, f64)>) -> Self {
        Progress {
            finished: 0,
            complete: 0,
            failed: 0,
            pruned: 0,
            best,
            since_improvement: 0,
            elapsed: Duration::ZERO,
            direction,
        }
    }

    /// Counts one finished trial.
    pub(super) fn add(
        &mut self,
        number: u64,
        state: TrialState,
        value: Option<f64>,
        elapsed: Duration,
    ) {
        self.finished += 1;
        self.since_improvement += 1;
        self.elapsed = elapsed;
        match state {
            TrialState::Complete => {
                self.complete += 1;
                if let Some(value) = value {
                    let improves = self
                        .best
                        .is_none_or(|(_, best)| self.direction.better(value, best));
                    if improves {
                        self.best = Some((number, value));
                        self.since_improvement = 0;
                    }
                }
            }
            TrialState::Failed => self.failed += 1,
            TrialState::Pruned => self.pruned += 1,
            TrialState::Running => {}
        }
    }
}

/// Runs after each trial that `optimize` finishes; returning `ControlFlow::Break(())` stops
/// the study: no new trial starts, running ones finish, and `optimize` returns
/// [`StopReason::Callback`](crate::study::StopReason::Callback).
///
/// Any `FnMut(&Trial, &Progress) -> ControlFlow<()>` closure is a callback. Callbacks run
/// one at a time, in the order they were added, even with several workers.
///
/// ```
/// use std::ops::ControlFlow;
/// use tunekit::callbacks::Progress;
/// use tunekit::prelude::*;
/// use tunekit::Trial;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(0..=100)]
///     x: i32,
/// }
///
/// let study = Study::minimize(space!(Cfg))
///     .seed(1)
///     .callback(|trial: &Trial, progress: &Progress| {
///         println!("trial {}: {:?} (best so far {:?})", trial.number, trial.value, progress.best);
///         if progress.finished >= 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
///     })
///     .build()?;
/// let stop = study.optimize(100, |c: &Cfg| f64::from(c.x))?;
/// assert_eq!(stop, StopReason::Callback);
/// assert_eq!(study.trials()?.len(), 3);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub trait Callback: Send {
    /// Called with the trial just finished and the progress including it.
    fn after_trial(&mut self, trial: &Trial, progress: &Progress) -> ControlFlow<()>;
}

impl<F> Callback for F
where
    F: FnMut(&Trial, &Progress) -> ControlFlow<()> + Send,
{
    fn after_trial(&mut self, trial: &Trial, progress: &Progress) -> ControlFlow<()> {
        self(trial, progress)
    }
}

/// Stops the study once a complete trial reaches `target` (at or below it when
/// minimizing, at or above it when maximizing).
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Model {
///     #[tune(1..=100)]
///     width: u32,
/// }
///
/// let study = Study::maximize(space!(Model))
///     .sampler(Grid::new())
///     .callback(StopAtValue(0.95)) // good enough: stop
///     .build()?;
/// let stop = study.optimize(100, |m: &Model| f64::from(m.width) / 100.0)?;
/// assert_eq!(stop, StopReason::Callback);
/// assert_eq!(study.best().unwrap().config.width, 95);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopAtValue(pub f64);

impl Callback for StopAtValue {
    fn after_trial(&mut self, trial: &Trial, progress: &Progress) -> ControlFlow<()> {
        match trial.value {
            Some(value)
                if trial.state == TrialState::Complete
                    && !progress.direction.better(self.0, value) =>
            {
                ControlFlow::Break(())
            }
            _ => ControlFlow::Continue(()),
        }
    }
}

/// Stops the study after this many finished trials in a row without a new best
/// (patience, as in early stopping).
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(0..=99)]
///     x: i32,
/// }
///
/// let study = Study::minimize(space!(Cfg))
///     .sampler(Grid::new()) // x = 0, 1, 2, ...: only the first trial is a best
///     .callback(StopWithoutImprovement(5))
///     .build()?;
/// let stop = study.optimize(100, |c: &Cfg| f64::from(c.x))?;
/// assert_eq!(stop, StopReason::Callback);
/// assert_eq!(study.trials()?.len(), 6);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopWithoutImprovement(pub usize);

impl Callback for StopWithoutImprovement {
    fn after_trial(&mut self, _: &Trial, progress: &Progress) -> ControlFlow<()> {
        if progress.since_improvement >= self.0 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::Params;
    use crate::trial::{Outcome, TrialEvent};

    fn finished(number: u64, outcome: Outcome) -> Trial {
        let mut trial = Trial::running(number, Params::new());
        trial
            .apply(&TrialEvent::Finished {
                number,
                outcome,
                finished_at: chrono::Utc::now(),
            })
            .unwrap();
        trial
    }

    #[test]
    fn progress_tracks_the_best_and_the_patience() {
        let mut progress = Progress::new(Direction::Maximize, Some((0, 1.0)));
        let trials = [
            finished(1, Outcome::Complete(0.5)),
            finished(2, Outcome::Failed("x".into())),
            finished(3, Outcome::Complete(2.0)),
            finished(4, Outcome::Pruned),
        ];
        let mut patience = Vec::new();
        for trial in &trials {
            progress.add(
                trial.number,
                trial.state,
                trial.value,
                Duration::from_secs(1),
            );
            patience.push(progress.since_improvement);
        }
        assert_eq!(patience, [1, 2, 0, 1]);
        assert_eq!(progress.best, Some((3, 2.0)));
        assert_eq!(
            (
                progress.finished,
                progress.complete,
                progress.failed,
                progress.pruned
            ),
            (4, 2, 1, 1)
        );
    }

    #[test]
    fn stop_at_value_respects_the_direction() {
        let progress = Progress::new(Direction::Minimize, None);
        let mut stop = StopAtValue(0.1);
        let flow = |stop: &mut StopAtValue, value: f64, progress: &Progress| {
            stop.after_trial(&finished(0, Outcome::Complete(value)), progress)
        };
        assert_eq!(flow(&mut stop, 0.2, &progress), ControlFlow::Continue(()));
        assert_eq!(flow(&mut stop, 0.1, &progress), ControlFlow::Break(()));
        assert_eq!(flow(&mut stop, 0.05, &progress), ControlFlow::Break(()));
        let progress = Progress::new(Direction::Maximize, None);
        assert_eq!(flow(&mut stop, 0.05, &progress), ControlFlow::Continue(()));
        assert_eq!(flow(&mut stop, 0.2, &progress), ControlFlow::Break(()));
        let failed = finished(0, Outcome::Failed("boom".into()));
        assert_eq!(
            stop.after_trial(&failed, &progress),
            ControlFlow::Continue(())
        );
    }
}
