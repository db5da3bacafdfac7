//! Where a trial is in its life.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a trial is in its life.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(0.0..=1.0)]
///     x: f64,
/// }
///
/// let study = Study::minimize(space!(Cfg)).build()?;
/// let trial = study.ask()?;
/// assert_eq!(study.trials()?[0].state, TrialState::Running);
/// study.tell(&trial, f64::NAN)?; // not finite: recorded as a failure
/// let state = study.trials()?[0].state;
/// assert_eq!(state, TrialState::Failed);
/// assert!(state.is_finished());
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrialState {
    /// Asked, not yet told.
    Running,
    /// Finished with a finite objective value.
    Complete,
    /// Stopped early by the objective or a pruner.
    Pruned,
    /// The objective failed: an error, a panic, or a value that is not finite.
    Failed,
}

impl TrialState {
    /// Whether the trial has ended (anything but `Running`).
    pub fn is_finished(self) -> bool {
        self != TrialState::Running
    }
}

impl fmt::Display for TrialState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrialState::Running => "running",
            TrialState::Complete => "complete",
            TrialState::Pruned => "pruned",
            TrialState::Failed => "failed",
        })
    }
}
