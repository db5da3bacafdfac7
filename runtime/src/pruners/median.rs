//! The median stopping rule.

use super::{Percentile, PruneContext, Pruner};
use crate::error::Result;

/// Prunes a trial whose best intermediate value so far is worse than the median of what
/// the completed trials reported at the same step: the median stopping rule of Google
/// Vizier (Golovin et al., KDD 2017), as Optuna's `MedianPruner`; it is
/// [`Percentile`] at 50, with the same handling of NaN reports and missing steps.
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
///         trial.report(epoch, loss)?; // returns a pruned error when the pruner says stop
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
pub struct MedianPruner(Percentile);

impl Default for MedianPruner {
    /// No pruning before 5 trials completed; pruning from step 0 on, at every step.
    fn default() -> Self {
        MedianPruner(Percentile::new(50.0))
    }
}

impl MedianPruner {
    /// The defaults: 5 startup trials, no warm-up steps, every step judged.
    pub fn new() -> Self {
        MedianPruner::default()
    }

    /// Never prune until this many trials have completed.
    #[must_use]
    pub fn startup_trials(self, n: usize) -> Self {
        MedianPruner(self.0.startup_trials(n))
    }

    /// Never prune a trial before it has reported a step `>= steps`.
    #[must_use]
    pub fn warmup_steps(self, steps: u64) -> Self {
        MedianPruner(self.0.warmup_steps(steps))
    }

    /// Judge a trial once per this many steps after the warm-up (default 1, at least 1).
    #[must_use]
    pub fn interval_steps(self, steps: u64) -> Self {
        MedianPruner(self.0.interval_steps(steps))
    }

    /// Judge a step only when at least this many complete trials reported it (default
    /// 1, at least 1).
    #[must_use]
    pub fn min_trials(self, n: usize) -> Self {
        MedianPruner(self.0.min_trials(n))
    }
}

impl Pruner for MedianPruner {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        self.0.judge(ctx.trial, ctx.trials, ctx.direction)
    }

    fn validate(&self) -> Result<()> {
        self.0.check("MedianPruner")
    }
}

#[cfg(test)]
mod tests {
    use super::super::steps::testing::{complete, curve};
    use super::*;
    use crate::trial::{Direction, Trial};

    fn judge(pruner: &MedianPruner, trial: &Trial, trials: &[Trial], direction: Direction) -> bool {
        pruner.should_prune(&PruneContext {
            trial,
            trials,
            direction,
            study: "study",
            seed: 0,
        })
    }

    #[test]
    fn prunes_below_median_only_after_startup() {
        let mut trials: Vec<Trial> = (0..3)
            .map(|i| complete(i, &[1.0 + i as f64, 0.5 + i as f64]))
            .collect();
        let bad = curve(3, &[5.0, 4.0]);
        let good = curve(3, &[1.0, 0.4]);
        let pruner = MedianPruner::new().startup_trials(3);
        assert!(judge(&pruner, &bad, &trials, Direction::Minimize));
        assert!(!judge(&pruner, &good, &trials, Direction::Minimize));
        // For maximization the bad curve is the good one.
        assert!(!judge(&pruner, &bad, &trials, Direction::Maximize));
        trials.pop();
        assert!(!judge(&pruner, &bad, &trials, Direction::Minimize));
        let warm = MedianPruner::new().startup_trials(2).warmup_steps(2);
        assert!(!judge(&warm, &bad, &trials, Direction::Minimize));
    }

    #[test]
    fn a_tie_with_the_median_is_kept() {
        // Step 0 values 1, 2, 3: median 2.
        let trials: Vec<Trial> = (0..3).map(|i| complete(i, &[1.0 + i as f64])).collect();
        let pruner = MedianPruner::new().startup_trials(3);
        assert!(!judge(
            &pruner,
            &curve(3, &[2.0]),
            &trials,
            Direction::Minimize
        ));
        assert!(judge(
            &pruner,
            &curve(3, &[2.0 + 1e-9]),
            &trials,
            Direction::Minimize
        ));
        assert!(!judge(
            &pruner,
            &curve(3, &[2.0]),
            &trials,
            Direction::Maximize
        ));
        assert!(judge(
            &pruner,
            &curve(3, &[2.0 - 1e-9]),
            &trials,
            Direction::Maximize
        ));
    }
}
