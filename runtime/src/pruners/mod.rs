//! Pruners: advice to stop unpromising trials early, from their intermediate values.
//!
//! A trial reports a value per step (an epoch, a fold, a data fraction: the step is the
//! resource spent) with [`TrialContext::report`](crate::objective::TrialContext::report);
//! with a pruner on the study, `report` returns a "pruned" error when the pruner says
//! stop, so `trial.report(epoch, loss)?` is the whole protocol.
//!
//! | pruner | follows | Optuna's class |
//! |---|---|---|
//! | [`MedianPruner`] | the median stopping rule (Golovin et al., *Google Vizier*, KDD 2017) | `MedianPruner` |
//! | [`Percentile`] | the same rule at any percentile | `PercentilePruner` |
//! | [`SuccessiveHalving`] | asynchronous successive halving, ASHA (Li et al., *A System for Massively Parallel Hyperparameter Tuning*, MLSys 2020) | `SuccessiveHalvingPruner` |
//! | [`Hyperband`] | Hyperband's brackets (Li et al., *Hyperband*, JMLR 18, 2018), each an ASHA | `HyperbandPruner` |
//! | [`Threshold`] | a fixed bound on the reported value | `ThresholdPruner` |
//! | [`Patient`] | early stopping with patience, around another pruner | `PatientPruner` |
//! | [`Wilcoxon`] | a Wilcoxon signed-rank test against the best trial, for per-fold or per-instance reports | `WilcoxonPruner` |
//! | [`Nop`] | never prunes | `NopPruner` |
//!
//! Every pruner here is a pure function of the history (the trial, every trial of the
//! study, the direction, the study's name): it keeps no state between calls, so its
//! decisions are the same in every worker and process sharing a journal or a PostgreSQL
//! study, and after a restart. Where Optuna caches a value at its first use (the automatic
//! `min_resource` of successive halving, Hyperband's `max_resource`), tunekit reads it
//! from the first complete trial to finish, which is what Optuna's cache holds in a
//! sequential study. Pruned trials keep their reports, and samplers learn from them (TPE
//! ranks them after the complete trials, by how far they got).

mod hyperband;
mod median;
mod nop;
mod patient;
mod percentile;
mod signed_rank;
mod steps;
mod successive_halving;
mod threshold;
mod wilcoxon;

pub use hyperband::Hyperband;
pub use median::MedianPruner;
pub use nop::Nop;
pub use patient::Patient;
pub use percentile::Percentile;
pub use successive_halving::SuccessiveHalving;
pub use threshold::Threshold;
pub use wilcoxon::Wilcoxon;

use crate::error::Result;
use crate::trial::{Direction, Trial};

/// What a pruner may look at to judge a running trial.
#[derive(Debug, Clone, Copy)]
pub struct PruneContext<'a> {
    /// The trial being judged (running), with every value it reported so far.
    pub trial: &'a Trial,
    /// Every trial of the study, by number (the judged one included), from every worker
    /// and process sharing the study's storage.
    pub trials: &'a [Trial],
    /// Whether lower or higher values are better.
    pub direction: Direction,
    /// The study's name: shared by every process of a stored study, so a pruner can key
    /// a per-trial choice on it (as [`Hyperband`] does for brackets).
    pub study: &'a str,
    /// The study's seed. Processes sharing a study agree on it only if each was given
    /// the same `.seed(..)`; the name is the safer key for shared studies.
    pub seed: u64,
}

/// Decides whether a running trial should stop, from its intermediate values and those
/// of the other trials. The objective asks through
/// [`TrialContext::report`](crate::objective::TrialContext::report) (which returns a
/// pruned error) or [`TrialContext::should_prune`](crate::objective::TrialContext::should_prune).
///
/// A pruner of your own, here a fixed threshold:
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::pruners::{PruneContext, Pruner};
///
/// /// Stops a trial as soon as its last reported loss is above the threshold.
/// struct Above(f64);
///
/// impl Pruner for Above {
///     fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
///         ctx.trial.intermediate.values().last().is_some_and(|&loss| loss > self.0)
///     }
/// }
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(choice(0.1, 0.9))]
///     loss: f64,
/// }
///
/// let study = Study::minimize(space!(Cfg)).sampler(Grid::new()).pruner(Above(0.5)).build()?;
/// study.optimize(2, |cfg: &Cfg, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     trial.report(0, cfg.loss)?; // a pruned error when `Above` says stop
///     Ok(cfg.loss)
/// })?;
/// let states: Vec<TrialState> = study.trials()?.iter().map(|t| t.state).collect();
/// assert_eq!(states, [TrialState::Complete, TrialState::Pruned]);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub trait Pruner: Send + Sync {
    /// Whether `ctx.trial` (running) should stop now.
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool;

    /// Checks the pruner's settings once, when the study is built; an invalid setting is
    /// an [`Error::Config`](crate::Error::Config) saying what to change.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// The group of trials that trial `number` competes in, for pruners that split the
    /// study into groups ([`Hyperband`]'s brackets); `None` (the default) when they do
    /// not, or not yet. When it is `Some`, the study hands the sampler only the trials of
    /// the same group as the trial being proposed, as Optuna does for TPE under Hyperband
    /// (which makes TPE + Hyperband work like BOHB).
    fn bracket(&self, number: u64, trials: &[Trial], study: &str) -> Option<usize> {
        let _ = (number, trials, study);
        None
    }
}

impl<P: Pruner + ?Sized> Pruner for Box<P> {
    fn should_prune(&self, ctx: &PruneContext<'_>) -> bool {
        (**self).should_prune(ctx)
    }
    fn validate(&self) -> Result<()> {
        (**self).validate()
    }
    fn bracket(&self, number: u64, trials: &[Trial], study: &str) -> Option<usize> {
        (**self).bracket(number, trials, study)
    }
}

/// An [`Error::Config`](crate::Error::Config) about pruner `pruner`.
fn invalid(pruner: &str, message: impl std::fmt::Display) -> crate::error::Error {
    crate::error::Error::Config(format!("pruner {pruner}: {message}"))
}
