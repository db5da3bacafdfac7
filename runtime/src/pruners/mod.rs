//! Pruners: advice to stop unpromising trials early, from their intermediate values.

mod median;

pub use median::MedianPruner;

use crate::trial::{Direction, Trial};

/// Decides whether a running trial should stop, from its intermediate values and those
/// of the other trials. The objective asks through
/// [`TrialContext::should_prune`](crate::objective::TrialContext::should_prune).
pub trait Pruner: Send + Sync {
    /// Whether `trial` (running) should stop now; `trials` holds every trial by number.
    fn should_prune(&self, trial: &Trial, trials: &[Trial], direction: Direction) -> bool;
}
