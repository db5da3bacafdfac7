//! The one rule for changing a stored trial: which events its state allows. A running
//! trial takes intermediate values, user attributes and one finish; a finished trial
//! takes nothing more.
//!
//! Storages are the only writers of trial records, so the rule lives here, next to them,
//! and the trial model itself stays plain data (as in Optuna, where storages refuse
//! updates of finished trials).

use crate::error::{Error, Result};
use crate::trial::{Outcome, Trial, TrialEvent, TrialState};

impl Trial {
    /// Applies one event to this record, refusing what the state does not allow.
    pub fn apply(&mut self, event: &TrialEvent) -> Result<()> {
        match event {
            TrialEvent::Intermediate { step, value, .. } => {
                self.ensure_running()?;
                self.intermediate.insert(*step, *value);
            }
            TrialEvent::UserAttr { key, value, .. } => {
                self.ensure_running()?;
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
    use crate::space::Params;
    use crate::trial::Outcome;
    use chrono::Utc;

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
    fn a_finished_trial_takes_no_more_events() {
        let mut trials = vec![Trial::running(0, Params::new())];
        apply_event(&mut trials, &finish(0, Outcome::Complete(1.0))).unwrap();
        let before = trials[0].clone();
        for event in [
            TrialEvent::UserAttr {
                number: 0,
                key: "late".into(),
                value: serde_json::json!(1),
            },
            TrialEvent::Intermediate {
                number: 0,
                step: 0,
                value: 2.0,
            },
        ] {
            let err = apply_event(&mut trials, &event).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::TrialAlreadyFinished {
                        number: 0,
                        state: TrialState::Complete
                    }
                ),
                "{err:?}"
            );
        }
        assert_eq!(trials[0], before);
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
}
