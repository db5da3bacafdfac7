//! A fixed bound on the reported value.

use super::steps::{first_in_interval, last_report};
use super::{invalid, PruneContext, Pruner};
use crate::error::Result;

/// Prunes a trial whose last reported value is below `lower`, above `upper` or NaN, as
/// Optuna's `ThresholdPruner`: for diverging losses, or accuracies stuck at chance. Give at
/// least one bound. A trial is judged from step `warmup_steps` on, at the first step it
/// reports in each interval of `interval_steps` steps.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::pruners::Threshold;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(choice(0.5, 2.5))]
///     lr: f64,
/// }
///
/// let study = Study::minimize(space!(Train))
///     .sampler(Grid::new())
///     .pruner(Threshold::new().upper(10.0)) // a loss above 10 has diverged
///     .build()?;
/// study.optimize(2, |cfg: &Train, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     let mut loss = 1.0;
///     for epoch in 0..20 {
///         loss *= (1.0 - cfg.lr).abs() * 1.5; // lr 2.5 diverges
///         trial.report(epoch, loss)?;
///     }
///     Ok(loss)
/// })?;
/// let trials = study.trials()?;
/// assert_eq!(trials[0].state, TrialState::Complete);
/// assert_eq!(trials[1].state, TrialState::Pruned);
/// assert_eq!(trials[1].intermediate.len(), 3); // 2.25, 5.06, 11.4: out at step 2
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Threshold {
    lower: Option<f64>,
    upper: Option<f64>,
    warmup_steps: u64,
    interval_steps: u64,
}

impl Default for Threshold {
    /// No bound yet (give one), no warm-up, every step judged.
    fn default() -> Self {
        Threshold {
            lower: None,
            upper: None,
            warmup_steps: 0,
            interval_steps: 1,
        }
    }
}

impl Threshold {
    /// No bound yet: add [`lower`](Self::lower), [`upper`](Self::upper) or both.
    pub fn new() -> Self {
        Threshold::default()
    }

    /// Prune a trial whose value falls below this.
    #[must_use]
    pub fn lower(mut self, bound: f64) -> Self {
        self.lower = Some(bound);
        self
    }

    /// Prune a trial whose value rises above this.
    #[must_use]
    pub fn upper(mut self, bound: f64) -> Self {
        self.upper = Some(bound);
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
}

impl Pruner for Threshold {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        let Some((step, value)) = last_report(ctx.trial) else {
            return false;
        };
        if step < self.warmup_steps
            || !first_in_interval(ctx.trial, step, self.warmup_steps, self.interval_steps)
        {
            return false;
        }
        value.is_nan()
            || self.lower.is_some_and(|lower| value < lower)
            || self.upper.is_some_and(|upper| value > upper)
    }

    fn validate(&self) -> Result<()> {
        if self.lower.is_none() && self.upper.is_none() {
            return Err(invalid(
                "Threshold",
                "give a bound: Threshold::new().lower(x), .upper(x) or both",
            ));
        }
        if self.lower.is_some_and(f64::is_nan) || self.upper.is_some_and(f64::is_nan) {
            return Err(invalid("Threshold", "a bound is NaN; give a number"));
        }
        if let (Some(lower), Some(upper)) = (self.lower, self.upper) {
            if lower > upper {
                return Err(invalid(
                    "Threshold",
                    format!("lower ({lower}) must not be above upper ({upper})"),
                ));
            }
        }
        if self.interval_steps == 0 {
            return Err(invalid(
                "Threshold",
                "interval_steps must be at least 1, got 0",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::steps::testing::*;
    use super::*;
    use crate::trial::{Direction, Trial};

    fn judge(p: &Threshold, trial: &Trial) -> bool {
        p.should_prune(&PruneContext {
            trial,
            trials: &[],
            direction: Direction::Minimize,
            study: "study",
            seed: 0,
        })
    }

    #[test]
    fn bounds_nan_warmup_and_intervals() {
        let p = Threshold::new().lower(0.0).upper(1.0);
        assert!(!judge(&p, &curve(0, &[0.5])));
        assert!(!judge(&p, &curve(0, &[1.0])), "a value on the bound stays");
        assert!(judge(&p, &curve(0, &[1.5])));
        assert!(judge(&p, &curve(0, &[-0.1])));
        assert!(judge(&p, &curve(0, &[f64::NAN])));
        // Only the last value counts.
        assert!(!judge(&p, &curve(0, &[5.0, 0.5])));
        assert!(!judge(&p, &running(0, &[])));
        let warm = p.warmup_steps(2);
        assert!(!judge(&warm, &curve(0, &[5.0, 5.0])));
        assert!(judge(&warm, &curve(0, &[5.0, 5.0, 5.0])));
        // Interval 2 from 0: judged at steps 0, 2, 4 (or the first report after them).
        let every2 = p.interval_steps(2);
        assert!(!judge(&every2, &curve(0, &[0.5, 5.0])));
        assert!(judge(&every2, &curve(0, &[0.5, 0.5, 5.0])));
        assert!(
            judge(&every2, &running(0, &[(0, 0.5), (3, 5.0)])),
            "step 2 missing"
        );
        assert!(judge(&Threshold::new().upper(1.0), &curve(0, &[2.0])));
        assert!(!judge(&Threshold::new().upper(1.0), &curve(0, &[-1e9])));
    }

    #[test]
    fn bad_settings_are_errors() {
        let msg = |p: Threshold| p.validate().unwrap_err().to_string();
        assert!(msg(Threshold::new()).contains("give a bound"));
        assert!(msg(Threshold::new().lower(2.0).upper(1.0)).contains("not be above"));
        assert!(msg(Threshold::new().upper(f64::NAN)).contains("NaN"));
        assert!(msg(Threshold::new().upper(1.0).interval_steps(0)).contains("interval_steps"));
        assert!(Threshold::new().lower(1.0).upper(1.0).validate().is_ok());
    }
}
