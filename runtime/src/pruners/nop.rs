//! The pruner that never prunes.

use super::{PruneContext, Pruner};

/// Never prunes (Optuna's `NopPruner`): every trial runs to the end while its reports are
/// still recorded, for learning curves in the report or a baseline against a real pruner.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::pruners::Nop;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(0.0..=1.0)]
///     x: f64,
/// }
///
/// let study = Study::minimize(space!(Cfg)).pruner(Nop).seed(1).build()?;
/// study.optimize(8, |cfg: &Cfg, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     for step in 0..5 {
///         trial.report(step, cfg.x * 100.0)?; // never a pruned error
///     }
///     Ok(cfg.x)
/// })?;
/// assert!(study.trials()?.iter().all(|t| t.state == TrialState::Complete));
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Nop;

impl Pruner for Nop {
    fn should_prune(&self, _ctx: &PruneContext<'_>) -> bool {
        false
    }
}
