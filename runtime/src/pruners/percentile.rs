//! The percentile stopping rule.

use super::steps::{first_in_interval, last_report, nan_best};
use super::{invalid, PruneContext, Pruner};
use crate::error::Result;
use crate::trial::{Direction, Trial, TrialState};

/// Prunes a trial whose best intermediate value so far is worse than the given
/// percentile of what the complete trials reported at the same step: the median stopping
/// rule of Google Vizier (Golovin et al., KDD 2017) at any percentile, as Optuna's
/// `PercentilePruner`.
///
/// `percentile` is the share of trials that may be *better* than a survivor: 25 keeps the
/// trials in the best quarter, 50 is [`MedianPruner`](super::MedianPruner). A trial is
/// judged at the first step it reports in each interval of `interval_steps` steps from
/// `warmup_steps` on, once `startup_trials` trials are complete and at least `min_trials`
/// of them reported that step. Its best value ignores NaN reports; a trial that reported
/// only NaN is pruned. NaN reports of other trials count towards `min_trials` but not in
/// the percentile (numpy's `nanpercentile`, linear interpolation).
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::pruners::Percentile;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(choice(0.5, 0.4, 0.3, 0.2, 0.01))]
///     lr: f64,
/// }
///
/// let study = Study::minimize(space!(Train))
///     .sampler(Grid::new()) // the learning rates in the order listed
///     .pruner(Percentile::new(25.0).startup_trials(4))
///     .build()?;
/// study.optimize(5, |cfg: &Train, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     let mut loss = 1.0;
///     for epoch in 0..10 {
///         loss *= 1.0 - cfg.lr;
///         trial.report(epoch, loss)?;
///     }
///     Ok(loss)
/// })?;
/// let trials = study.trials()?;
/// assert_eq!(trials[4].state, TrialState::Pruned); // worse than the best quarter at step 0
/// assert_eq!(trials[4].intermediate.len(), 1);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Percentile {
    percentile: f64,
    startup_trials: usize,
    warmup_steps: u64,
    interval_steps: u64,
    min_trials: usize,
}

impl Percentile {
    /// Keeps trials within the best `percentile` percent (0 to 100); Optuna's defaults
    /// otherwise: 5 startup trials, no warm-up, every step, 1 trial per step.
    pub fn new(percentile: f64) -> Self {
        Percentile {
            percentile,
            startup_trials: 5,
            warmup_steps: 0,
            interval_steps: 1,
            min_trials: 1,
        }
    }

    /// Never prune until this many trials are complete (default 5).
    #[must_use]
    pub fn startup_trials(mut self, n: usize) -> Self {
        self.startup_trials = n;
        self
    }

    /// Never prune a trial before it reports a step `>= steps` (default 0).
    #[must_use]
    pub fn warmup_steps(mut self, steps: u64) -> Self {
        self.warmup_steps = steps;
        self
    }

    /// Judge a trial once per this many steps after the warm-up (default 1, at least 1).
    #[must_use]
    pub fn interval_steps(mut self, steps: u64) -> Self {
        self.interval_steps = steps;
        self
    }

    /// Judge a step only when at least this many complete trials reported it (default
    /// 1, at least 1).
    #[must_use]
    pub fn min_trials(mut self, n: usize) -> Self {
        self.min_trials = n;
        self
    }

    pub(crate) fn check(&self, name: &str) -> Result<()> {
        if !(0.0..=100.0).contains(&self.percentile) {
            return Err(invalid(
                name,
                format!(
                    "the percentile must be between 0 and 100, got {}",
                    self.percentile
                ),
            ));
        }
        if self.interval_steps == 0 {
            return Err(invalid(name, "interval_steps must be at least 1, got 0"));
        }
        if self.min_trials == 0 {
            return Err(invalid(name, "min_trials must be at least 1, got 0"));
        }
        Ok(())
    }

    pub(crate) fn judge(&self, trial: &Trial, trials: &[Trial], direction: Direction) -> bool {
        let complete: Vec<&Trial> = trials
            .iter()
            .filter(|t| t.state == TrialState::Complete)
            .collect();
        if complete.is_empty() || complete.len() < self.startup_trials {
            return false;
        }
        let Some((step, _)) = last_report(trial) else {
            return false;
        };
        if step < self.warmup_steps
            || !first_in_interval(trial, step, self.warmup_steps, self.interval_steps)
        {
            return false;
        }
        let best = nan_best(trial.intermediate.values().copied(), direction);
        if best.is_nan() {
            return true;
        }
        let at_step: Vec<f64> = complete
            .iter()
            .filter_map(|t| t.intermediate.get(&step).copied())
            .collect();
        if at_step.len() < self.min_trials {
            return false;
        }
        let q = match direction {
            Direction::Minimize => self.percentile,
            Direction::Maximize => 100.0 - self.percentile,
        };
        let threshold = nan_percentile(at_step, q);
        if threshold.is_nan() {
            return false;
        }
        direction.better(threshold, best)
    }
}

impl Pruner for Percentile {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        self.judge(ctx.trial, ctx.trials, ctx.direction)
    }

    fn validate(&self) -> Result<()> {
        self.check("Percentile")
    }
}

/// numpy's `nanpercentile(values, q)` with its default linear interpolation: NaN when no
/// value is a number.
pub(crate) fn nan_percentile(mut values: Vec<f64>, q: f64) -> f64 {
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let position = q / 100.0 * (values.len() - 1) as f64;
    let below = position.floor();
    let index = below as usize;
    let Some(&upper) = values.get(index + 1) else {
        return values[values.len() - 1];
    };
    let lower = values[index];
    let t = position - below;
    // numpy's `_lerp`: from the nearer end, so that t = 1 gives `upper` exactly.
    if t < 0.5 {
        lower + (upper - lower) * t
    } else {
        upper - (upper - lower) * (1.0 - t)
    }
}

#[cfg(test)]
mod tests {
    use super::super::steps::testing::*;
    use super::*;

    #[test]
    fn percentiles_match_numpy() {
        // np.nanpercentile([4, 1, 3, nan, 2], q) for q = 0, 25, 40, 50, 90, 100.
        let values = vec![4.0, 1.0, 3.0, f64::NAN, 2.0];
        for (q, expected) in [
            (0.0, 1.0),
            (25.0, 1.75),
            (40.0, 2.2),
            (50.0, 2.5),
            (90.0, 3.7),
            (100.0, 4.0),
        ] {
            let got = nan_percentile(values.clone(), q);
            assert!((got - expected).abs() < 1e-12, "q {q}: {got}");
        }
        assert!(nan_percentile(vec![f64::NAN], 50.0).is_nan());
        assert_eq!(nan_percentile(vec![7.0], 30.0), 7.0);
    }

    fn history() -> Vec<Trial> {
        // Step 1 values of the complete trials: 1, 2, 3, 4.
        (0..4)
            .map(|i| complete(i, &[10.0, 1.0 + i as f64, 0.5]))
            .collect()
    }

    #[test]
    fn prunes_outside_the_percentile() {
        let trials = history();
        let p = Percentile::new(25.0).startup_trials(4);
        // 25th percentile at step 1 is 1.75: a best of 1.8 is pruned, 1.75 (a tie) kept.
        let judge = |curve: &[f64], d| p.judge(&curve_trial(curve), &trials, d);
        assert!(judge(&[10.0, 1.8], Direction::Minimize));
        assert!(!judge(&[10.0, 1.75], Direction::Minimize));
        // Maximize: the 75th percentile (3.25) is the bar, over the best (largest) value.
        assert!(judge(&[3.0, 3.2], Direction::Maximize));
        assert!(!judge(&[3.0, 3.25], Direction::Maximize));
        // The best value so far counts, not the last: an earlier 1.0 saves it.
        assert!(!judge(&[1.0, 9.0], Direction::Minimize));
    }

    fn curve_trial(values: &[f64]) -> Trial {
        curve(9, values)
    }

    #[test]
    fn nan_and_missing_steps() {
        let trials = history();
        let p = Percentile::new(50.0).startup_trials(1);
        // Only NaN reported: pruned. A NaN next to a number is ignored.
        assert!(p.judge(&curve_trial(&[f64::NAN]), &trials, Direction::Minimize));
        assert!(!p.judge(&curve_trial(&[f64::NAN, 0.1]), &trials, Direction::Minimize));
        // A step no complete trial reported (5) is not judged, however bad.
        let t = running(9, &[(5, 100.0)]);
        assert!(!p.judge(&t, &trials, Direction::Minimize));
        // min_trials: step 1 has 4 reports, so 5 required means no judgement.
        let bad = curve_trial(&[10.0, 50.0]);
        assert!(p.judge(&bad, &trials, Direction::Minimize));
        assert!(!p.min_trials(5).judge(&bad, &trials, Direction::Minimize));
        // NaN reports of other trials count for min_trials, not in the percentile.
        let mut with_nan = trials.clone();
        with_nan.push(complete(4, &[10.0, f64::NAN, 0.5]));
        assert!(p.min_trials(5).judge(&bad, &with_nan, Direction::Minimize));
    }

    #[test]
    fn startup_warmup_and_intervals() {
        let trials = history();
        let bad = curve_trial(&[10.0, 50.0]);
        assert!(
            !Percentile::new(50.0).judge(&bad, &trials, Direction::Minimize),
            "5 startup"
        );
        let p = Percentile::new(50.0).startup_trials(0);
        assert!(!p.warmup_steps(2).judge(&bad, &trials, Direction::Minimize));
        // Interval 2 from step 0: step 1 is inside the interval opened at step 0.
        assert!(!p
            .interval_steps(2)
            .judge(&bad, &trials, Direction::Minimize));
        // ... but judged when step 0 was not reported.
        let skipped = running(9, &[(1, 50.0)]);
        assert!(p
            .interval_steps(2)
            .judge(&skipped, &trials, Direction::Minimize));
    }

    #[test]
    fn bad_settings_are_errors() {
        let msg = |p: Percentile| p.validate().unwrap_err().to_string();
        assert!(msg(Percentile::new(101.0)).contains("between 0 and 100"));
        assert!(msg(Percentile::new(f64::NAN)).contains("between 0 and 100"));
        assert!(msg(Percentile::new(5.0).interval_steps(0)).contains("interval_steps"));
        assert!(msg(Percentile::new(5.0).min_trials(0)).contains("min_trials"));
        assert!(Percentile::new(0.0).validate().is_ok());
    }
}
