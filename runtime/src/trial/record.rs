//! Everything recorded about one trial.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::TrialState;
use crate::space::Params;

/// Everything recorded about one trial, as [`Study::trials`](crate::Study::trials) returns
/// it and callbacks, pruners and reports see it.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1..=3)]
///     epochs: u32,
/// }
///
/// let study = Study::minimize(space!(Train)).sampler(Grid::new()).build()?;
/// study.optimize(3, |cfg: &Train, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     if cfg.epochs == 3 {
///         return Err("diverged".into());
///     }
///     for epoch in 0..cfg.epochs {
///         trial.report(u64::from(epoch), 1.0 / f64::from(epoch + 1))?;
///     }
///     trial.set_user_attr("gpu", "none")?;
///     Ok(1.0 / f64::from(cfg.epochs))
/// })?;
/// let trials = study.trials()?; // by number
/// let second = &trials[1];
/// assert_eq!((second.number, second.state, second.value), (1, TrialState::Complete, Some(0.5)));
/// assert_eq!(second.params.get::<u32>("epochs")?, 2);
/// assert_eq!(second.intermediate.len(), 2);
/// assert_eq!(second.user_attrs["gpu"], "none");
/// assert!(second.duration().is_some());
/// assert_eq!(trials[2].state, TrialState::Failed);
/// assert!(trials[2].failure.as_deref().unwrap().contains("diverged"));
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// Position in the study, from 0, unique.
    pub number: u64,
    /// Current state.
    pub state: TrialState,
    /// The values of the active parameters.
    pub params: Params,
    /// The objective value (complete trials), or the last reported value (pruned trials).
    pub value: Option<f64>,
    /// Why the trial failed (failed trials only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Intermediate values reported by the objective, by step.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub intermediate: BTreeMap<u64, f64>,
    /// User attributes set by the objective (per-fold scores, notes, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user_attrs: BTreeMap<String, serde_json::Value>,
    /// When the trial was asked.
    pub started_at: DateTime<Utc>,
    /// When the trial was told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
}

impl Trial {
    /// A new running trial.
    pub fn running(number: u64, params: Params) -> Self {
        Trial {
            number,
            state: TrialState::Running,
            params,
            value: None,
            failure: None,
            intermediate: BTreeMap::new(),
            user_attrs: BTreeMap::new(),
            started_at: Utc::now(),
            finished_at: None,
        }
    }

    /// Wall time from ask to tell, when finished.
    pub fn duration(&self) -> Option<std::time::Duration> {
        self.finished_at
            .and_then(|end| (end - self.started_at).to_std().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trial::{Outcome, TrialEvent};

    fn finish(number: u64, outcome: Outcome) -> TrialEvent {
        TrialEvent::Finished {
            number,
            outcome,
            finished_at: Utc::now(),
        }
    }

    #[test]
    fn trials_round_trip_through_json() {
        let mut trial = Trial::running(3, Params::new().with("lr", 0.1).with("opt", "adam"));
        trial
            .apply(&TrialEvent::UserAttr {
                number: 3,
                key: "folds".into(),
                value: serde_json::json!([0.9, 0.8]),
            })
            .unwrap();
        trial
            .apply(&TrialEvent::Intermediate {
                number: 3,
                step: 1,
                value: 0.5,
            })
            .unwrap();
        trial.apply(&finish(3, Outcome::Complete(0.25))).unwrap();
        let json = serde_json::to_string(&trial).unwrap();
        let back: Trial = serde_json::from_str(&json).unwrap();
        assert_eq!(back, trial);
    }
}
