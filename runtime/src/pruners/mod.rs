//! Pruners: advice to stop unpromising trials early, from their intermediate values.

mod median;

pub use median::MedianPruner;

use crate::trial::{Direction, Trial};

/// Decides whether a running trial should stop, from its intermediate values and those
/// of the other trials. The objective asks through
/// [`TrialContext::should_prune`](crate::objective::TrialContext::should_prune).
///
/// A pruner of your own, here a fixed threshold:
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::pruners::Pruner;
/// use tunekit::{Direction, Trial};
///
/// /// Stops a trial as soon as its last reported loss is above the threshold.
/// struct Above(f64);
///
/// impl Pruner for Above {
///     fn should_prune(&self, trial: &Trial, _trials: &[Trial], _direction: Direction) -> bool {
///         trial.intermediate.values().last().is_some_and(|&loss| loss > self.0)
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
///     trial.report(0, cfg.loss)?;
///     if trial.should_prune() {
///         return Err(TrialPruned.into());
///     }
///     Ok(cfg.loss)
/// })?;
/// let states: Vec<TrialState> = study.trials()?.iter().map(|t| t.state).collect();
/// assert_eq!(states, [TrialState::Complete, TrialState::Pruned]);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub trait Pruner: Send + Sync {
    /// Whether `trial` (running) should stop now; `trials` holds every trial by number.
    fn should_prune(&self, trial: &Trial, trials: &[Trial], direction: Direction) -> bool;
}
