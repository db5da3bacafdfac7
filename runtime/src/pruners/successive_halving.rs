//! Asynchronous successive halving (ASHA).

use super::steps::{first_finished_with_steps, last_report};
use super::{invalid, PruneContext, Pruner};
use crate::error::Result;
use crate::trial::{Direction, Trial};

/// Asynchronous successive halving (ASHA: Li et al., *A System for Massively Parallel
/// Hyperparameter Tuning*, MLSys 2020), as Optuna's `SuccessiveHalvingPruner`.
///
/// Rung `k` sits at step `min_resource * reduction_factor^(min_early_stopping_rate + k)`.
/// A trial reaching a rung is promoted past it if it ranks in the top
/// `1 / reduction_factor` of every value reported at that rung so far (its own included;
/// while fewer than `reduction_factor` values are in, only the best one is promoted), and
/// pruned otherwise. Nobody waits: a trial is judged against whoever got there before it,
/// so the first trials go further than later ones of the same quality, as in ASHA.
///
/// - `min_resource`: the steps every trial gets before its first rung; by default, as in
///   Optuna, `max(last step / 100, 1)` of the first complete trial (no pruning until one
///   completes).
/// - `reduction_factor` (default 4): keep 1 in `reduction_factor` at each rung.
/// - `min_early_stopping_rate` (default 0): skip this many rungs.
/// - `bootstrap_count` (default 0): prune at a rung until more than this many values are
///   in (needs a fixed `min_resource`, as in Optuna).
///
/// The step is the resource (epochs, folds, a data fraction in percent): report with
/// [`TrialContext::report`](crate::objective::TrialContext::report) at each step. A
/// trial is judged at a rung by the first step it reports at or past it, and a report that
/// skips several rungs is judged at each in turn with the same value. The value another
/// trial holds at a rung is the one of the first step it reported there, so the rungs are
/// read from the stored reports of every worker and process rather than kept in memory. A
/// NaN report at a rung is pruned; another trial's NaN ranks below every number.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1e-3..=0.5, log)]
///     lr: f64,
/// }
///
/// let study = Study::minimize(space!(Train))
///     .pruner(SuccessiveHalving::new().min_resource(1).reduction_factor(3)) // rungs at 1, 3, 9
///     .seed(4)
///     .build()?;
/// study.optimize(30, |cfg: &Train, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     let mut loss = 1.0;
///     for epoch in 0..=9 {
///         loss *= 1.0 - cfg.lr;
///         trial.report(epoch, loss)?; // a pruned error when the trial loses at a rung
///     }
///     Ok(loss)
/// })?;
/// let trials = study.trials()?;
/// let pruned = trials.iter().filter(|t| t.state == TrialState::Pruned).count();
/// assert!(pruned >= 10, "{pruned} pruned");
/// // Trials stop right after a rung: at step 1, 3 or 9 (2, 4 or 10 reports).
/// let mut stopped = trials.iter().filter(|t| t.state == TrialState::Pruned);
/// assert!(stopped.all(|t| [2, 4, 10].contains(&t.intermediate.len())));
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SuccessiveHalving {
    min_resource: Option<u64>,
    reduction_factor: u64,
    min_early_stopping_rate: u32,
    bootstrap_count: usize,
}

impl Default for SuccessiveHalving {
    /// Optuna's defaults: automatic `min_resource`, reduction factor 4, no rung skipped, no
    /// bootstrap.
    fn default() -> Self {
        SuccessiveHalving {
            min_resource: None,
            reduction_factor: 4,
            min_early_stopping_rate: 0,
            bootstrap_count: 0,
        }
    }
}

impl SuccessiveHalving {
    /// Optuna's defaults (see [`Default`]).
    pub fn new() -> Self {
        SuccessiveHalving::default()
    }

    /// The steps every trial gets before its first rung (at least 1); automatic when not
    /// given.
    #[must_use]
    pub fn min_resource(mut self, steps: u64) -> Self {
        self.min_resource = Some(steps);
        self
    }

    /// Keep 1 in this many trials at each rung (at least 2; default 4).
    #[must_use]
    pub fn reduction_factor(mut self, factor: u64) -> Self {
        self.reduction_factor = factor;
        self
    }

    /// Skip this many rungs: the first one is at `min_resource * reduction_factor^rate`.
    #[must_use]
    pub fn min_early_stopping_rate(mut self, rate: u32) -> Self {
        self.min_early_stopping_rate = rate;
        self
    }

    /// Prune at a rung until more than this many trials have reached it (default 0).
    #[must_use]
    pub fn bootstrap_count(mut self, count: usize) -> Self {
        self.bootstrap_count = count;
        self
    }

    /// The step of rung `rung` for a given `min_resource`; `None` past `u64::MAX`.
    pub fn rung_step(&self, min_resource: u64, rung: u32) -> Option<u64> {
        let exponent = self.min_early_stopping_rate.checked_add(rung)?;
        self.reduction_factor
            .checked_pow(exponent)?
            .checked_mul(min_resource)
    }

    /// Optuna's automatic `min_resource`, from the first complete trial to finish.
    fn resolved_min_resource(&self, trials: &[Trial]) -> Option<u64> {
        self.min_resource.or_else(|| {
            let first = first_finished_with_steps(trials)?;
            let (last_step, _) = last_report(first)?;
            Some((last_step / 100).max(1))
        })
    }

    /// Whether `trial` loses at a rung it reached with its last report, among `others`
    /// (the trials it competes with; it may be among them).
    pub(crate) fn judge<'a>(
        &self,
        trial: &Trial,
        others: impl Iterator<Item = &'a Trial> + Clone,
        min_resource: u64,
        direction: Direction,
    ) -> bool {
        let Some((step, value)) = last_report(trial) else {
            return false;
        };
        let previous = trial
            .intermediate
            .range(..step)
            .next_back()
            .map(|(&s, _)| s);
        for rung in 0.. {
            let Some(rung_step) = self.rung_step(min_resource, rung) else {
                return false;
            };
            if step < rung_step {
                return false;
            }
            if previous.is_some_and(|p| p >= rung_step) {
                // Judged at this rung by an earlier report, and promoted.
                continue;
            }
            if value.is_nan() {
                return true;
            }
            let mut competing: Vec<f64> = others
                .clone()
                .filter(|t| t.number != trial.number)
                .filter_map(|t| value_at_rung(t, rung_step))
                .collect();
            competing.push(value);
            if competing.len() <= self.bootstrap_count {
                return true;
            }
            if !promotable(value, competing, self.reduction_factor, direction) {
                return true;
            }
        }
        false
    }
}

/// The value `trial` holds at the rung at `rung_step`: what it reported at the first step
/// at or past it.
fn value_at_rung(trial: &Trial, rung_step: u64) -> Option<f64> {
    trial
        .intermediate
        .range(rung_step..)
        .next()
        .map(|(_, &v)| v)
}

/// Whether `value` ranks in the top `1 / reduction_factor` of `competing` (which holds
/// it), or is the best while fewer than `reduction_factor` values are in (Optuna's
/// `_is_trial_promotable_to_next_rung`). NaN ranks last.
fn promotable(
    value: f64,
    mut competing: Vec<f64>,
    reduction_factor: u64,
    direction: Direction,
) -> bool {
    let promoted = (competing.len() as u64 / reduction_factor).max(1) as usize;
    // Best first, NaN last.
    competing.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        (false, false) => direction.to_loss(*a).total_cmp(&direction.to_loss(*b)),
    });
    let bar = competing[promoted - 1];
    bar.is_nan() || !direction.better(bar, value)
}

impl Pruner for SuccessiveHalving {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        let Some(min_resource) = self.resolved_min_resource(ctx.trials) else {
            return false;
        };
        self.judge(ctx.trial, ctx.trials.iter(), min_resource, ctx.direction)
    }

    fn validate(&self) -> Result<()> {
        check_common(
            "SuccessiveHalving",
            self.min_resource,
            self.reduction_factor,
        )?;
        if self.bootstrap_count > 0 && self.min_resource.is_none() {
            return Err(invalid(
                "SuccessiveHalving",
                "bootstrap_count > 0 needs a fixed min_resource (the automatic one is only \
                 known once a trial completes); set .min_resource(steps)",
            ));
        }
        Ok(())
    }
}

/// The checks successive halving and Hyperband share.
pub(crate) fn check_common(
    name: &str,
    min_resource: Option<u64>,
    reduction_factor: u64,
) -> Result<()> {
    if min_resource == Some(0) {
        return Err(invalid(name, "min_resource must be at least 1 step, got 0"));
    }
    if reduction_factor < 2 {
        return Err(invalid(
            name,
            format!("reduction_factor must be at least 2, got {reduction_factor}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::steps::testing::*;
    use super::*;
    use crate::trial::Outcome;

    fn judge(p: &SuccessiveHalving, trial: &Trial, trials: &[Trial], direction: Direction) -> bool {
        p.should_prune(&PruneContext {
            trial,
            trials,
            direction,
            study: "study",
            seed: 0,
        })
    }

    #[test]
    fn rung_steps() {
        let p = SuccessiveHalving::new().reduction_factor(3);
        let steps: Vec<u64> = (0..4).map(|k| p.rung_step(1, k).unwrap()).collect();
        assert_eq!(steps, [1, 3, 9, 27]);
        let p = p.min_early_stopping_rate(1);
        let steps: Vec<u64> = (0..3).map(|k| p.rung_step(2, k).unwrap()).collect();
        assert_eq!(steps, [6, 18, 54]);
        assert_eq!(p.rung_step(2, 60), None);
    }

    #[test]
    fn promotion_keeps_the_top_fraction() {
        // Hand-computed: with eta = 3 the bar is the (n / 3)-th best, or the best for n < 3.
        let min = Direction::Minimize;
        assert!(promotable(1.0, vec![1.0], 3, min));
        assert!(!promotable(2.0, vec![1.0, 2.0], 3, min));
        assert!(
            promotable(1.0, vec![2.0, 1.0], 3, min),
            "a tie with the bar passes"
        );
        assert!(promotable(1.0, vec![1.0, 1.0], 3, min));
        assert!(!promotable(2.0, vec![1.0, 3.0, 2.0], 3, min));
        // n = 6: the 2 best (0.5 and 1.0) go on.
        assert!(promotable(1.0, vec![1.0, 3.0, 2.0, 0.5, 4.0, 5.0], 3, min));
        assert!(!promotable(2.0, vec![1.0, 3.0, 2.0, 0.5, 4.0, 5.0], 3, min));
        let max = Direction::Maximize;
        assert!(promotable(4.0, vec![1.0, 3.0, 2.0, 0.5, 4.0, 5.0], 3, max));
        assert!(!promotable(3.0, vec![1.0, 3.0, 2.0, 0.5, 4.0, 5.0], 3, max));
        // NaN ranks last: a number beats it; n = 2 < 3, so only the best passes.
        assert!(promotable(9.0, vec![f64::NAN, 9.0], 3, min));
        assert!(promotable(9.0, vec![f64::NAN, 9.0], 3, max));
    }

    #[test]
    fn rungs_read_from_the_stored_reports() {
        // min_resource 1, eta 3: rungs at steps 1, 3, 9. Trials 0 and 1 reached step 3.
        let p = SuccessiveHalving::new().min_resource(1).reduction_factor(3);
        let trials = vec![
            complete(0, &[5.0, 1.0, 1.0, 0.5, 0.5]),
            finish(curve(1, &[5.0, 2.0, 2.0, 2.0]), Outcome::Pruned),
        ];
        let min = Direction::Minimize;
        // At rung 1 (step 1) the values in are 1.0 and 2.0: n = 3 with ours, the best passes.
        assert!(!judge(&p, &curve(2, &[9.0, 0.9]), &trials, min));
        assert!(judge(&p, &curve(2, &[9.0, 1.5]), &trials, min));
        // Steps 0 and 2 are between rungs: never judged.
        assert!(!judge(&p, &curve(2, &[99.0]), &trials, min));
        assert!(!judge(&p, &curve(2, &[9.0, 0.9, 99.0]), &trials, min));
        // At rung 3 (step 3): 0.5 and 2.0 are in.
        assert!(!judge(&p, &curve(2, &[9.0, 0.9, 0.9, 0.4]), &trials, min));
        assert!(judge(&p, &curve(2, &[9.0, 0.9, 0.9, 0.6]), &trials, min));
        // A missing step: trial 3 reports step 2 then step 5; at step 5 it is judged at
        // rung 3 by its step-5 value against the others' values at their first step >= 3.
        let jump = running(3, &[(0, 9.0), (1, 0.9), (5, 0.45)]);
        assert!(!judge(&p, &jump, &trials, min));
        let jump = running(3, &[(0, 9.0), (1, 0.9), (5, 0.55)]);
        assert!(judge(&p, &jump, &trials, min));
        // One report past two rungs is judged at both with its value.
        let leap = running(3, &[(4, 0.45)]);
        assert!(!judge(&p, &leap, &trials, min));
        let leap = running(3, &[(4, 1.5)]);
        assert!(judge(&p, &leap, &trials, min), "loses at rung 1 already");
    }

    #[test]
    fn nan_reports_and_bootstrap() {
        let p = SuccessiveHalving::new().min_resource(1).reduction_factor(2);
        let trials = vec![complete(0, &[1.0, f64::NAN, 1.0])];
        let min = Direction::Minimize;
        // Our NaN at a rung: pruned. The other's NaN ranks last: any number passes.
        assert!(judge(&p, &curve(1, &[1.0, f64::NAN]), &trials, min));
        assert!(!judge(&p, &curve(1, &[1.0, 1e9]), &trials, min));
        // Bootstrap 2: prune until more than 2 values are at the rung (here 2).
        let boot = p.bootstrap_count(2);
        assert!(judge(&boot, &curve(1, &[1.0, 0.0]), &trials, min));
        let more = vec![trials[0].clone(), complete(1, &[1.0, 5.0])];
        assert!(!judge(&boot, &curve(2, &[1.0, 0.0]), &more, min));
    }

    #[test]
    fn automatic_min_resource_waits_for_the_first_complete_trial() {
        let p = SuccessiveHalving::new().reduction_factor(2);
        let min = Direction::Minimize;
        let bad = curve(1, &[1.0, 9.0]);
        // Nothing complete: no rung is known yet.
        let running_only = vec![curve(0, &[1.0, 0.0])];
        assert!(!judge(&p, &bad, &running_only, min));
        // A first trial of 250 steps: min_resource = 249 / 100 = 2, rungs at 2, 4, ...
        let long: Vec<f64> = (0..250).map(|i| 1.0 / f64::from(i + 1)).collect();
        let trials = vec![complete(0, &long)];
        assert_eq!(p.resolved_min_resource(&trials), Some(2));
        assert!(
            !judge(&p, &bad, &trials, min),
            "step 1 is before the first rung"
        );
        assert!(judge(&p, &curve(1, &[1.0, 1.0, 9.0]), &trials, min));
        // A short first trial gives the floor of 1.
        assert_eq!(
            p.resolved_min_resource(&[complete(0, &[1.0, 0.5])]),
            Some(1)
        );
    }

    #[test]
    fn bad_settings_are_errors() {
        let msg = |p: SuccessiveHalving| p.validate().unwrap_err().to_string();
        assert!(msg(SuccessiveHalving::new().min_resource(0)).contains("min_resource"));
        assert!(msg(SuccessiveHalving::new().reduction_factor(1)).contains("at least 2"));
        assert!(msg(SuccessiveHalving::new().bootstrap_count(1)).contains("fixed min_resource"));
        assert!(SuccessiveHalving::new()
            .min_resource(1)
            .bootstrap_count(1)
            .validate()
            .is_ok());
    }
}
