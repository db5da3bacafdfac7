//! What a study records about each trial, and the events that change a record.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Params, Result};

/// Where a trial is in its life.
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

/// Everything recorded about one trial.
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

    /// Applies one event to this record, refusing what the state does not allow.
    pub fn apply(&mut self, event: &TrialEvent) -> Result<()> {
        match event {
            TrialEvent::Intermediate { step, value, .. } => {
                self.ensure_running()?;
                self.intermediate.insert(*step, *value);
            }
            TrialEvent::UserAttr { key, value, .. } => {
                self.user_attrs.insert(key.clone(), value.clone());
            }
            TrialEvent::Finished {
                outcome,
                finished_at,
                ..
            } => {
                self.ensure_running()?;
                match outcome {
                    Outcome::Complete(value) => {
                        self.state = TrialState::Complete;
                        self.value = Some(*value);
                    }
                    Outcome::Pruned => {
                        self.state = TrialState::Pruned;
                        self.value = self.intermediate.values().next_back().copied();
                    }
                    Outcome::Failed(reason) => {
                        self.state = TrialState::Failed;
                        self.failure = Some(reason.clone());
                    }
                }
                self.finished_at = Some(*finished_at);
            }
        }
        Ok(())
    }

    fn ensure_running(&self) -> Result<()> {
        if self.state.is_finished() {
            return Err(Error::TrialAlreadyFinished {
                number: self.number,
                state: self.state,
            });
        }
        Ok(())
    }
}

/// How a trial ended, as told to the study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The objective value. A value that is not finite is recorded as a failure.
    Complete(f64),
    /// The trial was stopped early.
    Pruned,
    /// The objective failed; the reason is recorded.
    Failed(String),
}

impl Outcome {
    /// Turns non-finite values into failures, so they never count as best.
    pub(crate) fn normalized(self) -> Self {
        match self {
            Outcome::Complete(v) if !v.is_finite() => {
                Outcome::Failed(format!("the objective returned {v}, which is not finite"))
            }
            other => other,
        }
    }
}

impl From<f64> for Outcome {
    fn from(value: f64) -> Self {
        Outcome::Complete(value)
    }
}

impl From<f32> for Outcome {
    fn from(value: f32) -> Self {
        Outcome::Complete(f64::from(value))
    }
}

/// A change to a trial record after it started. Storage backends persist these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TrialEvent {
    /// The objective reported an intermediate value.
    Intermediate {
        /// The trial.
        number: u64,
        /// Step (epoch, fold, ...).
        step: u64,
        /// The value at that step.
        value: f64,
    },
    /// The objective set a user attribute.
    UserAttr {
        /// The trial.
        number: u64,
        /// Attribute name.
        key: String,
        /// Attribute value.
        value: serde_json::Value,
    },
    /// The trial ended.
    Finished {
        /// The trial.
        number: u64,
        /// How it ended.
        outcome: Outcome,
        /// When.
        finished_at: DateTime<Utc>,
    },
}

impl TrialEvent {
    /// The trial this event belongs to.
    pub fn number(&self) -> u64 {
        match self {
            TrialEvent::Intermediate { number, .. }
            | TrialEvent::UserAttr { number, .. }
            | TrialEvent::Finished { number, .. } => *number,
        }
    }
}

/// Applies `event` to the trial it names in `trials` (indexed by number).
pub fn apply_event(trials: &mut [Trial], event: &TrialEvent) -> Result<()> {
    let number = event.number();
    let trial = usize::try_from(number)
        .ok()
        .and_then(|i| trials.get_mut(i))
        .ok_or(Error::UnknownTrial(number))?;
    trial.apply(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finish(number: u64, outcome: Outcome) -> TrialEvent {
        TrialEvent::Finished {
            number,
            outcome,
            finished_at: Utc::now(),
        }
    }

    #[test]
    fn a_trial_is_finished_once() {
        let mut trials = vec![Trial::running(0, Params::new())];
        apply_event(&mut trials, &finish(0, Outcome::Complete(1.0))).unwrap();
        let err = apply_event(&mut trials, &finish(0, Outcome::Complete(2.0))).unwrap_err();
        assert!(matches!(err, Error::TrialAlreadyFinished { number: 0, .. }));
        assert_eq!(trials[0].value, Some(1.0));
        let err = apply_event(&mut trials, &finish(7, Outcome::Pruned)).unwrap_err();
        assert!(matches!(err, Error::UnknownTrial(7)));
    }

    #[test]
    fn pruned_trials_keep_their_last_reported_value() {
        let mut trial = Trial::running(0, Params::new());
        for (step, value) in [(0, 3.0), (2, 1.0), (1, 2.0)] {
            trial
                .apply(&TrialEvent::Intermediate {
                    number: 0,
                    step,
                    value,
                })
                .unwrap();
        }
        trial.apply(&finish(0, Outcome::Pruned)).unwrap();
        assert_eq!(trial.state, TrialState::Pruned);
        assert_eq!(trial.value, Some(1.0));
    }

    #[test]
    fn non_finite_values_become_failures() {
        assert!(matches!(
            Outcome::Complete(f64::NAN).normalized(),
            Outcome::Failed(reason) if reason.contains("NaN")
        ));
        assert_eq!(Outcome::Complete(1.0).normalized(), Outcome::Complete(1.0));
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
