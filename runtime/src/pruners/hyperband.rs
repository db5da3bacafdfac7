//! Hyperband: brackets of successive halving.

use super::steps::{first_finished_with_steps, last_report};
use super::successive_halving::check_common;
use super::{invalid, PruneContext, Pruner, SuccessiveHalving};
use crate::error::Result;
use crate::trial::Trial;

/// Hyperband (Li et al., *Hyperband: A Novel Bandit-Based Approach to Hyperparameter
/// Optimization*, JMLR 18, 2018) run asynchronously, as Optuna's `HyperbandPruner`.
///
/// Successive halving must choose between many trials stopped early and few trials run
/// long; Hyperband hedges by splitting trials into brackets that choose differently.
/// With `R = max_resource / min_resource` and `eta = reduction_factor` there are
/// `floor(log_eta R) + 1` brackets; bracket `b` is a [`SuccessiveHalving`] with
/// `min_early_stopping_rate = b` (its first rung at `min_resource * eta^b`), and gets a
/// share of the trials proportional to `ceil(n * eta^s / (s + 1))`, `s = n - 1 - b`:
/// the number of trials bracket `s` of the paper starts with. Trials compete only with
/// trials of their own bracket.
///
/// A trial's bracket is a pure function of the study's name and the trial's number
/// (CRC-32 of `"{name}_{number}"` modulo the total share, as in Optuna), so every worker
/// and process agrees on it without coordination, and a study reopened from storage keeps
/// it. The study then hands the sampler only the trials of the bracket of the trial it
/// proposes (as Optuna does for TPE), so TPE + Hyperband works like BOHB; turn that off
/// with [`sampler_per_bracket(false)`](Self::sampler_per_bracket) when the sampler should
/// see every trial (a [`Grid`](crate::samplers::Grid), or any sampler on a finite space
/// that must not repeat a config across brackets).
///
/// - `min_resource` (default 1): the steps of the first rung of bracket 0.
/// - `max_resource`: the steps of a full run; by default the last step + 1 of the first
///   complete trial (no pruning until one completes, as in Optuna).
/// - `reduction_factor` (default 3) and `bootstrap_count` (default 0, needs a fixed
///   `max_resource`): as in [`SuccessiveHalving`].
///
/// The number of brackets is computed in integers: Optuna's floating-point logarithm
/// makes one bracket fewer when `R` is an exact power of `eta` that the logarithm rounds
/// down (`R = 243, eta = 3`: Optuna 5, tunekit 6, the paper 6).
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
///     .sampler(Tpe::new().n_startup_trials(5))
///     .pruner(Hyperband::new().max_resource(27)) // 4 brackets: first rungs at 1, 3, 9, 27
///     .seed(2)
///     .build()?;
/// study.optimize(40, |cfg: &Train, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     let mut loss = 1.0;
///     for epoch in 0..27 {
///         loss *= 1.0 - cfg.lr;
///         trial.report(epoch, loss)?;
///     }
///     Ok(loss)
/// })?;
/// let steps: usize = study.trials()?.iter().map(|t| t.intermediate.len()).sum();
/// assert!(steps < 40 * 27 * 2 / 3, "pruning saved steps: {steps}");
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Hyperband {
    min_resource: u64,
    max_resource: Option<u64>,
    reduction_factor: u64,
    bootstrap_count: usize,
    sampler_per_bracket: bool,
}

impl Default for Hyperband {
    /// Optuna's defaults: min resource 1, automatic max resource, reduction factor 3, no
    /// bootstrap; the sampler sees the trial's bracket only.
    fn default() -> Self {
        Hyperband {
            min_resource: 1,
            max_resource: None,
            reduction_factor: 3,
            bootstrap_count: 0,
            sampler_per_bracket: true,
        }
    }
}

/// The brackets for one `max_resource`: each one's share of the trials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Brackets {
    pub(crate) budgets: Vec<u128>,
    total: u128,
}

impl Brackets {
    /// The bracket of trial `number` of study `study`.
    pub(crate) fn of(&self, study: &str, number: u64) -> usize {
        let hash = crc32fast::hash(format!("{study}_{number}").as_bytes());
        let mut n = u128::from(hash) % self.total;
        for (bracket, &budget) in self.budgets.iter().enumerate() {
            if n < budget {
                return bracket;
            }
            n -= budget;
        }
        // `n < total`, the sum of the budgets, so the loop returned.
        self.budgets.len() - 1
    }
}

impl Hyperband {
    /// Optuna's defaults (see [`Default`]).
    pub fn new() -> Self {
        Hyperband::default()
    }

    /// The steps of the first rung of the most aggressive bracket (at least 1; default 1).
    #[must_use]
    pub fn min_resource(mut self, steps: u64) -> Self {
        self.min_resource = steps;
        self
    }

    /// The steps of a full run (at least `min_resource`); automatic when not given.
    #[must_use]
    pub fn max_resource(mut self, steps: u64) -> Self {
        self.max_resource = Some(steps);
        self
    }

    /// Keep 1 in this many trials at each rung (at least 2; default 3).
    #[must_use]
    pub fn reduction_factor(mut self, factor: u64) -> Self {
        self.reduction_factor = factor;
        self
    }

    /// Prune at a rung until more than this many trials of the bracket reached it.
    #[must_use]
    pub fn bootstrap_count(mut self, count: usize) -> Self {
        self.bootstrap_count = count;
        self
    }

    /// Whether the sampler sees only the trials of the bracket of the trial it proposes
    /// (default `true`, as Optuna's TPE under Hyperband; BOHB-like).
    #[must_use]
    pub fn sampler_per_bracket(mut self, per_bracket: bool) -> Self {
        self.sampler_per_bracket = per_bracket;
        self
    }

    /// The brackets, once `max_resource` is known.
    pub(crate) fn brackets(&self, trials: &[Trial]) -> Option<Brackets> {
        let max_resource = match self.max_resource {
            Some(steps) => steps,
            None => last_report(first_finished_with_steps(trials)?)?
                .0
                .checked_add(1)?,
        };
        self.brackets_for(max_resource)
    }

    /// The brackets for a given `max_resource`: `floor(log_eta(max / min)) + 1` of them.
    pub(crate) fn brackets_for(&self, max_resource: u64) -> Option<Brackets> {
        let (min, eta) = (
            u128::from(self.min_resource),
            u128::from(self.reduction_factor),
        );
        if min == 0 || eta < 2 || u128::from(max_resource) < min {
            return None;
        }
        // The largest s with min * eta^s <= max.
        let mut s_max = 0u32;
        let mut reach = min;
        while reach * eta <= u128::from(max_resource) {
            reach *= eta;
            s_max += 1;
        }
        let n = u128::from(s_max) + 1;
        let budgets: Vec<u128> = (0..=s_max)
            .map(|bracket| {
                let s = s_max - bracket;
                (n * eta.pow(s)).div_ceil(u128::from(s) + 1)
            })
            .collect();
        let total = budgets.iter().sum();
        Some(Brackets { budgets, total })
    }

    fn bracket_pruner(&self, bracket: usize) -> SuccessiveHalving {
        SuccessiveHalving::new()
            .min_resource(self.min_resource)
            .reduction_factor(self.reduction_factor)
            .min_early_stopping_rate(bracket as u32)
            .bootstrap_count(self.bootstrap_count)
    }
}

impl Pruner for Hyperband {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        let Some(brackets) = self.brackets(ctx.trials) else {
            return false;
        };
        let bracket = brackets.of(ctx.study, ctx.trial.number);
        let same_bracket = ctx
            .trials
            .iter()
            .filter(|t| brackets.of(ctx.study, t.number) == bracket);
        self.bracket_pruner(bracket).judge(
            ctx.trial,
            same_bracket,
            self.min_resource,
            ctx.direction,
        )
    }

    fn validate(&self) -> Result<()> {
        check_common("Hyperband", Some(self.min_resource), self.reduction_factor)?;
        match self.max_resource {
            Some(max) if max < self.min_resource => Err(invalid(
                "Hyperband",
                format!(
                    "max_resource ({max}) must be at least min_resource ({})",
                    self.min_resource
                ),
            )),
            None if self.bootstrap_count > 0 => Err(invalid(
                "Hyperband",
                "bootstrap_count > 0 needs a fixed max_resource (the automatic one is only \
                 known once a trial completes); set .max_resource(steps)",
            )),
            _ => Ok(()),
        }
    }

    fn bracket(&self, number: u64, trials: &[Trial], study: &str) -> Option<usize> {
        if !self.sampler_per_bracket {
            return None;
        }
        Some(self.brackets(trials)?.of(study, number))
    }
}

#[cfg(test)]
mod tests {
    use super::super::steps::testing::*;
    use super::*;
    use crate::trial::Direction;

    fn budgets(h: Hyperband, max: u64) -> Vec<u128> {
        h.brackets_for(max).unwrap().budgets
    }

    #[test]
    fn bracket_budgets_follow_li_et_al() {
        // Hand-computed: R = 81, eta = 3 gives s_max = 4, n = 5 brackets; bracket s of the
        // paper starts ceil(5 * 3^s / (s + 1)) trials: s = 4..0 -> 81, 34, 15, 8, 5.
        assert_eq!(budgets(Hyperband::new(), 81), [81, 34, 15, 8, 5]);
        // R = 27 (4 brackets): 4*27/4 = 27, ceil(4*9/3) = 12, 4*3/2 = 6, 4.
        assert_eq!(budgets(Hyperband::new(), 27), [27, 12, 6, 4]);
        // Not a power: R = 30 has the brackets of 27; R = 26 those of 9.
        assert_eq!(budgets(Hyperband::new(), 30), [27, 12, 6, 4]);
        assert_eq!(budgets(Hyperband::new(), 26), [9, 5, 3]);
        // min_resource 2, eta 2, max 20: 2 * 2^3 = 16 <= 20, s_max = 3.
        assert_eq!(
            budgets(Hyperband::new().min_resource(2).reduction_factor(2), 20),
            [8, 6, 4, 4]
        );
        assert_eq!(budgets(Hyperband::new(), 1), [1]);
        assert!(Hyperband::new().min_resource(5).brackets_for(4).is_none());
    }

    #[test]
    fn brackets_match_optuna() {
        // optuna.pruners.HyperbandPruner(min_resource=1, max_resource=27,
        // reduction_factor=3)._get_bracket_id(study named "study", trial) for trials
        // 0..24, and its `_trial_allocation_budgets` (Optuna 5.0.0, bench venv).
        let optuna = [
            1, 0, 1, 0, 0, 1, 1, 0, 0, 3, 1, 2, 1, 1, 0, 1, 3, 0, 1, 1, 0, 0, 0, 1, 3,
        ];
        let brackets = Hyperband::new().brackets_for(27).unwrap();
        assert_eq!(brackets.budgets, [27, 12, 6, 4]);
        let ours: Vec<usize> = (0..25).map(|n| brackets.of("study", n)).collect();
        assert_eq!(ours, optuna);
        // max_resource=100, reduction_factor=2, study "hb-demo", trials 0..24.
        let optuna = [
            0, 3, 0, 1, 0, 6, 5, 2, 2, 0, 0, 0, 0, 3, 0, 1, 2, 1, 2, 0, 0, 2, 1, 3, 4,
        ];
        let brackets = Hyperband::new()
            .reduction_factor(2)
            .brackets_for(100)
            .unwrap();
        assert_eq!(brackets.budgets, [64, 38, 23, 14, 10, 7, 7]);
        let ours: Vec<usize> = (0..25).map(|n| brackets.of("hb-demo", n)).collect();
        assert_eq!(ours, optuna);
    }

    #[test]
    fn trials_compete_within_their_bracket_only() {
        let h = Hyperband::new().max_resource(9); // brackets 0 (rungs 1, 3, 9), 1 (3, 9), 2 (9)
        let brackets = h.brackets_for(9).unwrap();
        let in_bracket = |b: usize| (0..).find(|&n| brackets.of("study", n) == b).unwrap();
        let (zero, other_zero) = {
            let mut zeros = (0..).filter(|&n| brackets.of("study", n) == 0);
            (zeros.next().unwrap(), zeros.next().unwrap())
        };
        let one = in_bracket(1);
        let min = Direction::Minimize;
        let ctx = |trial: &Trial, trials: &[Trial]| {
            h.should_prune(&PruneContext {
                trial,
                trials,
                direction: min,
                study: "study",
                seed: 0,
            })
        };
        // A strong trial in bracket 1 does not count against bracket 0 at step 1.
        let history = vec![complete(one, &[0.0, 0.0, 0.0, 0.0])];
        assert!(!ctx(&curve(zero, &[5.0, 5.0]), &history));
        // A trial of bracket 0 does.
        let history = vec![complete(other_zero, &[0.0, 0.0, 0.0, 0.0])];
        assert!(ctx(&curve(zero, &[5.0, 5.0]), &history));
        // Bracket 1's first rung is at step 3: step 1 is never judged there.
        assert!(!ctx(
            &curve(one, &[5.0, 5.0]),
            &[complete(other_zero, &[0.0, 0.0])]
        ));
        assert_eq!(h.bracket(zero, &[], "study"), Some(0));
        assert_eq!(
            h.sampler_per_bracket(false).bracket(zero, &[], "study"),
            None
        );
    }

    #[test]
    fn automatic_max_resource_from_the_first_complete_trial() {
        let h = Hyperband::new();
        assert!(
            h.brackets(&[curve(0, &[1.0; 30])]).is_none(),
            "nothing complete"
        );
        let trials = vec![complete(0, &[1.0; 27]), complete(1, &[1.0; 90])];
        // The first to finish ran steps 0..=26: max_resource 27.
        assert_eq!(h.brackets(&trials), h.brackets_for(27));
    }

    #[test]
    fn bad_settings_are_errors() {
        let msg = |h: Hyperband| h.validate().unwrap_err().to_string();
        assert!(msg(Hyperband::new().min_resource(0)).contains("min_resource"));
        assert!(msg(Hyperband::new().reduction_factor(1)).contains("at least 2"));
        assert!(msg(Hyperband::new().min_resource(9).max_resource(3)).contains("at least min"));
        assert!(msg(Hyperband::new().bootstrap_count(2)).contains("fixed max_resource"));
        assert!(Hyperband::new()
            .max_resource(9)
            .bootstrap_count(2)
            .validate()
            .is_ok());
    }
}
