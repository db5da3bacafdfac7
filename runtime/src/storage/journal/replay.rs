//! The journal as this process knows it: every line up to `offset`, applied in order.
//!
//! Replay is incremental: each lock holder reads only the bytes appended since its last
//! visit, so the cost of catching up is proportional to what other processes wrote, not
//! to the size of the study.

use std::collections::HashMap;
use std::sync::Arc;

use super::record::{Record, FIRST_CHECKED_FORMAT, FORMAT};
use crate::error::{Error, Result};
use crate::space::{Params, SearchSpace};
use crate::trial::{Direction, Trial, TrialEvent, TrialState};

/// The study's header, as the first line of the file gives it.
#[derive(Debug, Clone)]
pub(super) struct Header {
    pub(super) name: String,
    pub(super) direction: Direction,
    /// The latest space: the header's, or that of the last `space` record.
    pub(super) space: SearchSpace,
    /// Whether every line carries a checksum (format 2 and later).
    pub(super) checked: bool,
}

/// The replayed content of a journal.
#[derive(Debug, Default)]
pub(super) struct Replay {
    pub(super) header: Option<Header>,
    pub(super) trials: Vec<Trial>,
    /// The owner id of each trial, by number.
    pub(super) owners: Vec<Arc<str>>,
    /// Owner ids are repeated on every `started` line; keep one copy of each.
    interned: HashMap<String, Arc<str>>,
    /// Bytes of the file applied so far (always just after a newline).
    pub(super) offset: u64,
    /// Lines applied so far, for messages naming a line.
    pub(super) lines: u64,
}

impl Replay {
    /// Applies one record read from the file (or just written to it). An error means the
    /// record does not fit what came before: the file is corrupted, and nothing changed.
    pub(super) fn apply(&mut self, record: Record) -> std::result::Result<(), String> {
        if self.header.is_none() && !matches!(record, Record::Study { .. }) {
            return Err(
                "the first line must be the study header (`\"record\":\"study\"`); \
                        this is not a tunekit journal"
                    .into(),
            );
        }
        match record {
            Record::Study {
                format,
                name,
                direction,
                space,
                ..
            } => {
                if self.header.is_some() {
                    return Err("a second study header; one journal file holds one study".into());
                }
                if format > FORMAT {
                    return Err(format!(
                        "the journal has format {format}, written by a newer tunekit; \
                         this version reads formats up to {FORMAT}: upgrade tunekit to open it"
                    ));
                }
                self.header = Some(Header {
                    name,
                    direction,
                    space,
                    checked: format >= FIRST_CHECKED_FORMAT,
                });
            }
            Record::Space { space } => {
                if let Some(header) = &mut self.header {
                    header.space = space;
                }
            }
            Record::Started {
                number,
                owner,
                started_at,
                params,
            } => {
                let expected = self.trials.len() as u64;
                if number != expected {
                    return Err(format!(
                        "trial {number} starts where trial {expected} was expected; \
                         trial numbers must be dense and unique"
                    ));
                }
                if let Some(header) = &self.header {
                    fits(&header.space, &params).map_err(|why| {
                        format!("trial {number} has params outside the study's space: {why}")
                    })?;
                }
                let mut trial = Trial::running(number, params);
                trial.started_at = started_at;
                let owner = match self.interned.get(&owner) {
                    Some(interned) => Arc::clone(interned),
                    None => {
                        let interned: Arc<str> = Arc::from(owner.as_str());
                        self.interned.insert(owner, Arc::clone(&interned));
                        interned
                    }
                };
                self.trials.push(trial);
                self.owners.push(owner);
            }
            Record::Intermediate {
                number,
                step,
                value,
            } => self.apply_event(TrialEvent::Intermediate {
                number,
                step,
                value,
            })?,
            Record::UserAttr { number, key, value } => {
                if let Some(trial) = self.finished_trial_of_format_1(number) {
                    // tunekit 0.1 (format 1) let `set_user_attr` change a finished trial;
                    // such a line is what that version recorded, so it is kept as
                    // written rather than locking the user out of the study.
                    trial.user_attrs.insert(key, value);
                } else {
                    self.apply_event(TrialEvent::UserAttr { number, key, value })?
                }
            }
            Record::Finished {
                number,
                outcome,
                finished_at,
            } => self.apply_event(TrialEvent::Finished {
                number,
                outcome,
                finished_at,
            })?,
        }
        Ok(())
    }

    /// Whether `params` are one point of the space in force (the header's, or the last
    /// `space` record's); `Err` says which param does not fit.
    pub(super) fn check_params(&self, params: &Params) -> std::result::Result<(), String> {
        match &self.header {
            Some(header) => fits(&header.space, params),
            None => Ok(()),
        }
    }

    /// Whether `record`, as the next line, must carry a checksum: in a journal whose
    /// header says every line does, and for a header of such a format itself.
    pub(super) fn wants_checksum(&self, record: &Record) -> bool {
        self.header.as_ref().is_some_and(|header| header.checked)
            || record
                .format()
                .is_some_and(|format| format >= FIRST_CHECKED_FORMAT)
    }

    /// Whether `event` may be recorded now; on `Err`, nothing is written.
    pub(super) fn check(&self, event: &TrialEvent) -> Result<()> {
        let number = event.number();
        let trial = usize::try_from(number)
            .ok()
            .and_then(|i| self.trials.get(i))
            .ok_or(Error::UnknownTrial(number))?;
        let mut probe = trial.clone();
        probe.apply(event)
    }

    /// Trial `number` when it is finished and the journal is of format 1, the only format
    /// whose writer let user attributes follow the finish.
    fn finished_trial_of_format_1(&mut self, number: u64) -> Option<&mut Trial> {
        if self.header.as_ref().is_none_or(|header| header.checked) {
            return None;
        }
        let trial = self.trials.get_mut(usize::try_from(number).ok()?)?;
        trial.state.is_finished().then_some(trial)
    }

    fn apply_event(&mut self, event: TrialEvent) -> std::result::Result<(), String> {
        crate::storage::apply_event(&mut self.trials, &event).map_err(|e| e.to_string())
    }

    /// The owners of running trials.
    pub(super) fn running_owners(&self) -> std::collections::HashSet<&str> {
        self.trials
            .iter()
            .zip(&self.owners)
            .filter(|(trial, _)| trial.state == TrialState::Running)
            .map(|(_, owner)| &**owner)
            .collect()
    }

    /// Running trials whose owner is not `me`, with their owners.
    pub(super) fn foreign_running<'a>(
        &'a self,
        me: &'a str,
    ) -> impl Iterator<Item = (u64, &'a Arc<str>)> + 'a {
        self.trials
            .iter()
            .zip(&self.owners)
            .filter(move |(trial, owner)| trial.state == TrialState::Running && &***owner != me)
            .map(|(trial, owner)| (trial.number, owner))
    }
}

fn fits(space: &SearchSpace, params: &Params) -> std::result::Result<(), String> {
    space.check(params).map_err(|e| match e {
        Error::InvalidParams(why) => why,
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::trial::Outcome;

    fn header() -> Record {
        Record::Study {
            format: FORMAT,
            name: "s".into(),
            direction: Direction::Minimize,
            space: SearchSpace::empty(),
            created_at: Utc::now(),
        }
    }

    fn started(number: u64, owner: &str) -> Record {
        Record::Started {
            number,
            owner: owner.into(),
            started_at: Utc::now(),
            params: Params::new(),
        }
    }

    fn finished(number: u64, value: f64) -> Record {
        Record::Finished {
            number,
            outcome: Outcome::Complete(value),
            finished_at: Utc::now(),
        }
    }

    #[test]
    fn replays_trials_in_order() {
        let mut replay = Replay::default();
        for record in [header(), started(0, "a"), started(1, "b"), finished(1, 2.0)] {
            replay.apply(record).unwrap();
        }
        assert_eq!(replay.trials.len(), 2);
        assert_eq!(replay.trials[1].value, Some(2.0));
        let running: Vec<_> = replay
            .foreign_running("b")
            .map(|(n, o)| (n, o.to_string()))
            .collect();
        assert_eq!(running, [(0, "a".to_string())]);
        assert_eq!(replay.foreign_running("a").count(), 0);
    }

    #[test]
    fn refuses_records_that_do_not_fit() {
        let mut replay = Replay::default();
        let err = replay.apply(started(0, "a")).unwrap_err();
        assert!(err.contains("first line must be the study header"), "{err}");
        replay.apply(header()).unwrap();
        assert!(replay
            .apply(header())
            .unwrap_err()
            .contains("second study header"));
        let err = replay.apply(started(1, "a")).unwrap_err();
        assert!(
            err.contains("trial 1 starts where trial 0 was expected"),
            "{err}"
        );
        let err = replay.apply(finished(0, 1.0)).unwrap_err();
        assert!(err.contains("unknown trial 0"), "{err}");
        replay.apply(started(0, "a")).unwrap();
        replay.apply(finished(0, 1.0)).unwrap();
        let err = replay.apply(finished(0, 3.0)).unwrap_err();
        assert!(err.contains("already finished"), "{err}");
        assert_eq!(replay.trials[0].value, Some(1.0));
        let newer = Record::Study {
            format: FORMAT + 1,
            name: "s".into(),
            direction: Direction::Minimize,
            space: SearchSpace::empty(),
            created_at: Utc::now(),
        };
        let err = Replay::default().apply(newer).unwrap_err();
        assert!(err.contains("newer tunekit"), "{err}");
    }

    fn user_attr(number: u64) -> Record {
        Record::UserAttr {
            number,
            key: "note".into(),
            value: serde_json::json!("late"),
        }
    }

    #[test]
    fn a_user_attr_after_the_finish_is_refused_from_format_2_and_kept_in_format_1() {
        let mut replay = Replay::default();
        for record in [header(), started(0, "a"), finished(0, 1.0)] {
            replay.apply(record).unwrap();
        }
        let err = replay.apply(user_attr(0)).unwrap_err();
        assert!(err.contains("already finished"), "{err}");
        assert!(replay.trials[0].user_attrs.is_empty());

        let format_1 = Record::Study {
            format: 1,
            name: "s".into(),
            direction: Direction::Minimize,
            space: SearchSpace::empty(),
            created_at: Utc::now(),
        };
        let mut replay = Replay::default();
        for record in [format_1, started(0, "a"), finished(0, 1.0), user_attr(0)] {
            replay.apply(record).unwrap();
        }
        assert_eq!(
            replay.trials[0].user_attrs["note"],
            serde_json::json!("late")
        );
        assert_eq!(replay.trials[0].value, Some(1.0));
        let err = replay.apply(user_attr(1)).unwrap_err();
        assert!(err.contains("unknown trial 1"), "{err}");
    }
}
