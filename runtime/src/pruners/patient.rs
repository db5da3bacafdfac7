//! Early stopping with patience.

use super::steps::{last_report, nan_best};
use super::{invalid, PruneContext, Pruner};
use crate::error::Result;
use crate::trial::Direction;

/// Early stopping with patience, as Optuna's `PatientPruner`: a trial has stalled when the
/// best value of its last `patience + 1` reports is worse than its best value before
/// them, by more than `min_delta` (a tolerance: 0 by default, so any worsening counts; a
/// plateau does not). A stalled trial is pruned, or, when this wraps another pruner,
/// handed to that pruner to decide; a trial that has not stalled is never pruned.
/// Reports are taken in step order (a missing step is no report); NaN reports are ignored,
/// and a window of only NaN never counts as stalled.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::pruners::Patient;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(choice(0.1, -0.05))]
///     lr: f64,
/// }
///
/// let study = Study::minimize(space!(Train))
///     .sampler(Grid::new())
///     .pruner(Patient::new(2)) // stop after 3 reports without improvement
///     .build()?;
/// study.optimize(2, |cfg: &Train, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     let mut loss = 1.0;
///     for epoch in 0..10 {
///         loss *= 1.0 - cfg.lr; // a negative "lr" makes it worse every epoch
///         trial.report(epoch, loss)?;
///     }
///     Ok(loss)
/// })?;
/// let trials = study.trials()?;
/// assert_eq!(trials[0].state, TrialState::Complete);
/// assert_eq!(trials[1].state, TrialState::Pruned);
/// assert_eq!(trials[1].intermediate.len(), 4); // 1 report before the window of 3
/// # Ok::<(), tunekit::Error>(())
/// ```
pub struct Patient {
    wrapped: Option<Box<dyn Pruner>>,
    patience: usize,
    min_delta: f64,
}

impl std::fmt::Debug for Patient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Patient")
            .field("wraps_a_pruner", &self.wrapped.is_some())
            .field("patience", &self.patience)
            .field("min_delta", &self.min_delta)
            .finish()
    }
}

impl Patient {
    /// Prunes trials that did not improve for `patience + 1` reports.
    pub fn new(patience: usize) -> Self {
        Patient {
            wrapped: None,
            patience,
            min_delta: 0.0,
        }
    }

    /// How much worse the window's best may be than the best before it without the trial
    /// counting as stalled (default 0, at least 0).
    #[must_use]
    pub fn min_delta(mut self, delta: f64) -> Self {
        self.min_delta = delta;
        self
    }

    /// Asks `pruner` about stalled trials instead of pruning them at once.
    #[must_use]
    pub fn wrap(mut self, pruner: impl Pruner + 'static) -> Self {
        self.wrapped = Some(Box::new(pruner));
        self
    }

    fn stalled(&self, ctx: &PruneContext<'_>) -> bool {
        if last_report(ctx.trial).is_none() {
            return false;
        }
        let values: Vec<f64> = ctx.trial.intermediate.values().copied().collect();
        if values.len() <= self.patience + 1 {
            return false;
        }
        let (before, window) = values.split_at(values.len() - self.patience - 1);
        let before = nan_best(before.iter().copied(), ctx.direction);
        let window = nan_best(window.iter().copied(), ctx.direction);
        // NaN on either side compares false: not stalled, as numpy's comparisons.
        match ctx.direction {
            Direction::Minimize => before + self.min_delta < window,
            Direction::Maximize => before - self.min_delta > window,
        }
    }
}

impl Pruner for Patient {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        self.stalled(ctx)
            && self
                .wrapped
                .as_ref()
                .is_none_or(|pruner| pruner.should_prune(ctx))
    }

    fn validate(&self) -> Result<()> {
        if self.min_delta.is_nan() || self.min_delta < 0.0 {
            return Err(invalid(
                "Patient",
                format!("min_delta must be a number >= 0, got {}", self.min_delta),
            ));
        }
        self.wrapped.as_ref().map_or(Ok(()), |p| p.validate())
    }

    fn bracket(&self, number: u64, trials: &[crate::trial::Trial], study: &str) -> Option<usize> {
        self.wrapped.as_ref()?.bracket(number, trials, study)
    }
}

#[cfg(test)]
mod tests {
    use super::super::steps::testing::*;
    use super::super::Threshold;
    use super::*;
    use crate::trial::Trial;

    fn judge(p: &Patient, trial: &Trial, direction: Direction) -> bool {
        p.should_prune(&PruneContext {
            trial,
            trials: &[],
            direction,
            study: "study",
            seed: 0,
        })
    }

    #[test]
    fn stalls_after_patience_plus_one_reports() {
        let min = Direction::Minimize;
        let p = Patient::new(2);
        // Best before the window 1.0; window [1.05, 1.1, 1.2] is worse: pruned.
        assert!(judge(&p, &curve(0, &[1.0, 1.05, 1.1, 1.2]), min));
        // An improvement inside the window saves it.
        assert!(!judge(&p, &curve(0, &[1.0, 1.0, 0.9, 1.2]), min));
        // Equal is not worse: Optuna prunes only when the window's best is strictly worse.
        assert!(!judge(&p, &curve(0, &[1.0, 1.0, 1.0, 1.0]), min));
        // Too few reports.
        assert!(!judge(&p, &curve(0, &[1.0, 2.0, 3.0]), min));
        // Maximize mirrors.
        assert!(judge(
            &p,
            &curve(0, &[1.0, 0.5, 0.9, 0.8]),
            Direction::Maximize
        ));
        assert!(!judge(
            &p,
            &curve(0, &[1.0, 0.5, 0.9, 1.1]),
            Direction::Maximize
        ));
        // min_delta is a tolerance: 1.1 is worse than 1.0 by less than 0.2, 1.3 by more.
        assert!(!judge(
            &Patient::new(2).min_delta(0.2),
            &curve(0, &[1.0, 1.1, 1.1, 1.2]),
            min
        ));
        assert!(judge(
            &Patient::new(2).min_delta(0.2),
            &curve(0, &[1.0, 1.3, 1.3, 1.4]),
            min
        ));
    }

    #[test]
    fn nan_missing_steps_and_wrapping() {
        let min = Direction::Minimize;
        let p = Patient::new(1);
        // NaN ignored: before [1.0, NaN] -> 1.0, window [2.0, 3.0].
        assert!(judge(&p, &curve(0, &[1.0, f64::NAN, 2.0, 3.0]), min));
        // A window of only NaN is never stalled.
        assert!(!judge(&p, &curve(0, &[1.0, f64::NAN, f64::NAN]), min));
        // Missing steps: the window is the last reports, whatever their steps.
        assert!(judge(&p, &running(0, &[(0, 1.0), (5, 2.0), (9, 3.0)]), min));
        // Wrapped: a stalled trial is pruned only if the inner pruner agrees.
        let inner = Patient::new(1).wrap(Threshold::new().upper(2.5));
        assert!(judge(&inner, &curve(0, &[1.0, 2.0, 3.0]), min));
        assert!(!judge(&inner, &curve(0, &[1.0, 2.0, 2.4]), min));
        assert!(
            !judge(&inner, &curve(0, &[3.0, 2.0, 2.9]), min),
            "improving"
        );
    }

    #[test]
    fn bad_settings_are_errors() {
        let msg = |p: Patient| p.validate().unwrap_err().to_string();
        assert!(msg(Patient::new(1).min_delta(-0.1)).contains("min_delta"));
        assert!(msg(Patient::new(1).min_delta(f64::NAN)).contains("min_delta"));
        assert!(msg(Patient::new(1).wrap(Threshold::new())).contains("give a bound"));
    }
}
