//! The median stopping rule.

use super::Pruner;
use crate::trial::{Direction, Trial, TrialState};

/// Prunes a trial whose best intermediate value so far is worse than the median of what
/// the completed trials reported at the same step (Optuna's `MedianPruner`).
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(choice(0.5, 0.4, 0.3, 0.01, 0.001))]
///     lr: f64,
/// }
///
/// let study = Study::minimize(space!(Train))
///     .sampler(Grid::new()) // the learning rates in the order listed
///     .pruner(MedianPruner::new().startup_trials(2).warmup_steps(1))
///     .build()?;
/// study.optimize(5, |cfg: &Train, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     let mut loss = 1.0;
///     for epoch in 0..20 {
///         loss *= 1.0 - cfg.lr;
///         trial.report(epoch, loss)?;
///         if trial.should_prune() {
///             return Err(TrialPruned.into());
///         }
///     }
///     Ok(loss)
/// })?;
/// let trials = study.trials()?;
/// let pruned: Vec<u64> =
///     trials.iter().filter(|t| t.state == TrialState::Pruned).map(|t| t.number).collect();
/// assert_eq!(pruned, [2, 3, 4]); // slower than the median of the first two
/// assert_eq!(trials[4].intermediate.len(), 2); // stopped at step 1, after the warm-up
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MedianPruner {
    startup_trials: usize,
    warmup_steps: u64,
}

impl Default for MedianPruner {
    /// No pruning before 5 trials completed; pruning from step 0 on.
    fn default() -> Self {
        MedianPruner {
            startup_trials: 5,
            warmup_steps: 0,
        }
    }
}

impl MedianPruner {
    /// The defaults: 5 startup trials, no warm-up steps.
    pub fn new() -> Self {
        MedianPruner::default()
    }

    /// Never prune until this many trials have completed.
    #[must_use]
    pub fn startup_trials(mut self, n: usize) -> Self {
        self.startup_trials = n;
        self
    }

    /// Never prune a trial before it has reported a step `>= steps`.
    #[must_use]
    pub fn warmup_steps(mut self, steps: u64) -> Self {
        self.warmup_steps = steps;
        self
    }
}

impl Pruner for MedianPruner {
    fn should_prune(&self, trial: &Trial, trials: &[Trial], direction: Direction) -> bool {
        let Some((&step, _)) = trial.intermediate.iter().next_back() else {
            return false;
        };
        if step < self.warmup_steps {
            return false;
        }
        let completed = trials.iter().filter(|t| t.state == TrialState::Complete);
        if completed.clone().count() < self.startup_trials {
            return false;
        }
        let mut at_step: Vec<f64> = completed
            .filter_map(|t| t.intermediate.get(&step).copied())
            .filter(|v| v.is_finite())
            .collect();
        if at_step.is_empty() {
            return false;
        }
        at_step.sort_by(f64::total_cmp);
        let mid = at_step.len() / 2;
        let median = if at_step.len() % 2 == 1 {
            at_step[mid]
        } else {
            (at_step[mid - 1] + at_step[mid]) / 2.0
        };
        let best_so_far = trial
            .intermediate
            .values()
            .copied()
            .reduce(|a, b| if direction.better(a, b) { a } else { b })
            .unwrap_or(f64::NAN);
        // A NaN report is worse than anything.
        best_so_far.is_nan() || direction.better(median, best_so_far)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::Params;
    use crate::trial::{Outcome, TrialEvent};

    fn trial(number: u64, curve: &[f64], finish: bool) -> Trial {
        let mut t = Trial::running(number, Params::new());
        for (step, &value) in curve.iter().enumerate() {
            t.apply(&TrialEvent::Intermediate {
                number,
                step: step as u64,
                value,
            })
            .unwrap();
        }
        if finish {
            t.apply(&TrialEvent::Finished {
                number,
                outcome: Outcome::Complete(*curve.last().unwrap()),
                finished_at: chrono::Utc::now(),
            })
            .unwrap();
        }
        t
    }

    #[test]
    fn prunes_below_median_only_after_startup() {
        let mut trials: Vec<Trial> = (0..3)
            .map(|i| trial(i, &[1.0 + i as f64, 0.5 + i as f64], true))
            .collect();
        let bad = trial(3, &[5.0, 4.0], false);
        let good = trial(3, &[1.0, 0.4], false);
        let pruner = MedianPruner::new().startup_trials(3);
        assert!(pruner.should_prune(&bad, &trials, Direction::Minimize));
        assert!(!pruner.should_prune(&good, &trials, Direction::Minimize));
        // For maximization the bad curve is the good one.
        assert!(!pruner.should_prune(&bad, &trials, Direction::Maximize));
        trials.pop();
        assert!(!pruner.should_prune(&bad, &trials, Direction::Minimize));
        let warm = MedianPruner::new().startup_trials(2).warmup_steps(2);
        assert!(!warm.should_prune(&bad, &trials, Direction::Minimize));
    }
}
