//! The Wilcoxon signed-rank pruner, for per-fold or per-instance reports.

use super::signed_rank::{p_value, Alternative};
use super::steps::best_complete;
use super::{invalid, PruneContext, Pruner};
use crate::error::Result;
use crate::trial::Direction;

/// Prunes a trial that is significantly worse than the best trial on the steps both
/// reported, by a one-sided Wilcoxon signed-rank test, as Optuna's `WilcoxonPruner`.
///
/// Made for objectives that average over folds or instances (each step is one fold or one
/// problem instance, the same for every trial, in any order): the pairs (this trial, best
/// trial) at the common steps are compared, and a trial is pruned when the p-value of
/// "worse than the best" is below `p_threshold` (default 0.1), once at least
/// `max(2, startup_steps)` steps are common (default 2). As in Optuna, a trial whose mean
/// over its steps is at least as good as the best trial's mean over all of its steps is
/// never pruned, whatever the test says; nor is one with a NaN or infinite report, or
/// while the best trial has none or such a report. Differences of zero are split between
/// the signs (SciPy's `zsplit`); the p-value is exact up to 50 steps (every sign flip when
/// there are ties or zeros, up to 13), the normal approximation with tie correction above,
/// as `scipy.stats.wilcoxon` computes it.
///
/// [`cross_validate`](crate::cv::cross_validate) reports each fold's score at step = fold
/// index, so this pruner can stop a config after its first folds:
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::pruners::Wilcoxon;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Knn {
///     #[tune(choice(7, 1))]
///     k: u32,
/// }
///
/// let folds = KFold::new(10).shuffle(0).split(200)?;
/// let study = Study::maximize(space!(Knn))
///     .sampler(Grid::new())
///     .pruner(Wilcoxon::new().p_threshold(0.05))
///     .build()?;
/// study.optimize(2, |cfg: &Knn, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     // A stand-in for "train on fold.train, return the accuracy on fold.valid".
///     let cv = cross_validate(&folds, trial, |fold| {
///         let noise = (fold.valid[0] % 7) as f64 * 1e-3;
///         Ok::<f64, String>(if cfg.k == 7 { 0.9 } else { 0.8 } + noise)
///     })?;
///     Ok(cv.mean)
/// })?;
/// let trials = study.trials()?;
/// assert_eq!(trials[1].state, TrialState::Pruned); // worse on every fold: out after 5
/// assert_eq!(trials[1].intermediate.len(), 5);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Wilcoxon {
    p_threshold: f64,
    startup_steps: usize,
}

impl Default for Wilcoxon {
    /// Optuna's defaults: p-value threshold 0.1, 2 startup steps.
    fn default() -> Self {
        Wilcoxon {
            p_threshold: 0.1,
            startup_steps: 2,
        }
    }
}

impl Wilcoxon {
    /// Optuna's defaults (see [`Default`]).
    pub fn new() -> Self {
        Wilcoxon::default()
    }

    /// Prune when the p-value of "worse than the best trial" is below this (0 to 1;
    /// default 0.1). Lower prunes less, and later.
    #[must_use]
    pub fn p_threshold(mut self, p: f64) -> Self {
        self.p_threshold = p;
        self
    }

    /// Never prune before the trial shares this many steps with the best trial (default
    /// 2; below 2 means 2).
    #[must_use]
    pub fn startup_steps(mut self, steps: usize) -> Self {
        self.startup_steps = steps;
        self
    }
}

impl Pruner for Wilcoxon {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        let trial = ctx.trial;
        if trial.intermediate.is_empty() || trial.intermediate.values().any(|v| !v.is_finite()) {
            return false;
        }
        let Some(best) = best_complete(ctx.trials, ctx.direction) else {
            return false;
        };
        if best.intermediate.is_empty() || best.intermediate.values().any(|v| !v.is_finite()) {
            return false;
        }
        let diffs: Vec<f64> = trial
            .intermediate
            .iter()
            .filter_map(|(step, &v)| Some(v - best.intermediate.get(step)?))
            .collect();
        if diffs.len() < self.startup_steps.max(2) {
            return false;
        }
        let mean = |values: &std::collections::BTreeMap<u64, f64>| {
            values.values().sum::<f64>() / values.len() as f64
        };
        let (ours, theirs) = (mean(&trial.intermediate), mean(&best.intermediate));
        let (alternative, average_is_best) = match ctx.direction {
            Direction::Minimize => (Alternative::Greater, theirs >= ours),
            Direction::Maximize => (Alternative::Less, theirs <= ours),
        };
        let p = p_value(&diffs, alternative);
        // The test says worse, yet the trial's mean is as good as the best's: keep it,
        // as Optuna does, since the best trial's steps may differ from this one's.
        p < self.p_threshold && !average_is_best
    }

    fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.p_threshold) {
            return Err(invalid(
                "Wilcoxon",
                format!(
                    "p_threshold must be between 0 and 1, got {}",
                    self.p_threshold
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::steps::testing::*;
    use super::*;
    use crate::trial::Trial;

    fn judge(p: &Wilcoxon, trial: &Trial, trials: &[Trial], direction: Direction) -> bool {
        p.should_prune(&PruneContext {
            trial,
            trials,
            direction,
            study: "study",
            seed: 0,
        })
    }

    /// Trial 0 is best when minimizing (last value 1.0, mean 2.0 over its six steps),
    /// trial 1 when maximizing (9.0 everywhere). p-values checked with scipy.stats.wilcoxon.
    fn history() -> Vec<Trial> {
        vec![
            complete(0, &[4.0, 3.0, 2.0, 1.0, 1.0, 1.0]),
            complete(1, &[9.0; 6]),
        ]
    }

    #[test]
    fn prunes_when_significantly_worse_than_the_best() {
        let best = history();
        let p = Wilcoxon::new();
        let min = Direction::Minimize;
        // Worse by 0.5 at each of 4 steps: p = 1/16 = 0.0625 < 0.1.
        assert!(judge(&p, &curve(2, &[4.5, 3.5, 2.5, 1.5]), &best, min));
        // 3 steps: p = 1/8, not below 0.1.
        assert!(!judge(&p, &curve(2, &[4.5, 3.5, 2.5]), &best, min));
        // A stricter threshold waits longer.
        assert!(!judge(
            &p.p_threshold(0.05),
            &curve(2, &[4.5, 3.5, 2.5, 1.5]),
            &best,
            min
        ));
        // Better on one step: p = 0.3125.
        assert!(!judge(&p, &curve(2, &[3.5, 3.5, 2.5, 1.5]), &best, min));
        // Maximize: lower is worse; p = 0.0625, then 0.3125 with one step better.
        let max = Direction::Maximize;
        assert!(judge(&p, &curve(2, &[8.0, 8.5, 8.9, 7.0]), &best, max));
        assert!(!judge(&p, &curve(2, &[10.0, 8.5, 8.9, 7.0]), &best, max));
    }

    #[test]
    fn missing_steps_nan_ties_and_the_average_safety() {
        let best = history();
        let p = Wilcoxon::new();
        let min = Direction::Minimize;
        // Steps the best trial never reported (9) are left out of the test; the common
        // ones (0, 2, 4, 5) are all worse, p = 0.0625. With step 9 at 0.0 this trial's
        // mean (2.0) ties the best's: "as good", so kept; at 0.1 it is pruned.
        let sparse = running(2, &[(0, 4.5), (2, 2.5), (4, 1.5), (5, 1.5), (9, 0.0)]);
        assert!(!judge(&p, &sparse, &best, min));
        let sparse = running(2, &[(0, 4.5), (2, 2.5), (4, 1.5), (5, 1.5), (9, 0.1)]);
        assert!(judge(&p, &sparse, &best, min));
        // A NaN or infinite report anywhere: never pruned.
        assert!(!judge(
            &p,
            &curve(2, &[4.5, 3.5, 2.5, f64::NAN]),
            &best,
            min
        ));
        assert!(!judge(
            &p,
            &curve(2, &[4.5, 3.5, 2.5, 1.5, f64::INFINITY]),
            &best,
            min
        ));
        // Zero differences (ties with the best) are split between the signs: p = 0.25.
        assert!(!judge(&p, &curve(2, &[4.0, 3.0, 2.5, 1.5]), &best, min));
        // Startup steps: 4 common steps are not enough for 5.
        assert!(!judge(
            &p.startup_steps(5),
            &curve(2, &[4.5, 3.5, 2.5, 1.5]),
            &best,
            min
        ));
        // No complete trial, or a best trial without reports: nothing to compare with.
        assert!(!judge(&p, &curve(2, &[9.0; 6]), &[], min));
        let silent = vec![finish(
            running(0, &[]),
            crate::trial::Outcome::Complete(0.0),
        )];
        assert!(!judge(&p, &curve(2, &[9.0; 6]), &silent, min));
    }

    #[test]
    fn bad_settings_are_errors() {
        let msg = Wilcoxon::new()
            .p_threshold(1.5)
            .validate()
            .unwrap_err()
            .to_string();
        assert!(msg.contains("between 0 and 1"), "{msg}");
        assert!(Wilcoxon::new().p_threshold(f64::NAN).validate().is_err());
    }
}
