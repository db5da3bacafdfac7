//! A worker's local copy of a study's trials, brought up to date incrementally: only the
//! rows stamped with a study version newer than the copy's are fetched.

use chrono::{DateTime, Utc};
use postgres::types::Json;
use postgres::Row;

use super::connection::{Conn, Fail};
use super::schema::Tables;
use crate::error::Error;
use crate::space::Params;
use crate::trial::{Trial, TrialState};

/// The trials of one study as of study version `version`.
#[derive(Debug, Default)]
pub(super) struct View {
    /// Every change stamped with this version or an older one is in `trials`.
    pub(super) version: i64,
    /// Indexed by number.
    pub(super) trials: Vec<Trial>,
}

/// The statements that fetch changes, for one set of tables.
#[derive(Debug)]
pub(super) struct CatchUp {
    trials: String,
    intermediate: String,
}

impl CatchUp {
    pub(super) fn new(tables: &Tables) -> CatchUp {
        CatchUp {
            trials: format!(
                "SELECT number, state, params, value, failure, user_attrs, started_at, \
                        finished_at, version
                 FROM {} WHERE study_id = $1 AND version > $2",
                tables.trials
            ),
            intermediate: format!(
                "SELECT number, step, value, version FROM {}
                 WHERE study_id = $1 AND version > $2",
                tables.intermediate
            ),
        }
    }

    /// Fetches every change newer than `view.version` and applies it. The caller runs this
    /// in one snapshot (a repeatable-read transaction, or while holding the study lock),
    /// so the two queries agree. Safe to repeat after a failure: changes are overwrites.
    pub(super) fn run(&self, conn: &mut Conn, study_id: i64, view: &mut View) -> Result<(), Fail> {
        let rows = conn.query(&self.trials, &[&study_id, &view.version])?;
        let mut changed = rows
            .iter()
            .map(trial_from_row)
            .collect::<Result<Vec<_>, Fail>>()?;
        // Sorted here, not by `ORDER BY number`, which could tempt the planner into
        // walking the whole study in number order instead of the few changed rows.
        changed.sort_unstable_by_key(|(trial, _)| trial.number);
        let mut newest = view.version;
        for (trial, version) in changed {
            newest = newest.max(version);
            let index = trial.number as usize;
            match view.trials.len() {
                len if index < len => {
                    let known = &mut view.trials[index];
                    let intermediate = std::mem::take(&mut known.intermediate);
                    *known = Trial {
                        intermediate,
                        ..trial
                    };
                }
                len if index == len => view.trials.push(trial),
                len => {
                    return Err(Fail::Api(Error::Storage(format!(
                        "PostgreSQL holds trial {index} but no trial {len}: trial numbers \
                         must be dense; were rows deleted by hand?"
                    ))))
                }
            }
        }
        let rows = conn.query(&self.intermediate, &[&study_id, &view.version])?;
        for row in &rows {
            let number: i64 = row.get(0);
            let step: i64 = row.get(1);
            let version: i64 = row.get(3);
            newest = newest.max(version);
            let trial = view.trials.get_mut(number as usize).ok_or_else(|| {
                Fail::Api(Error::Storage(format!(
                    "PostgreSQL holds an intermediate value of trial {number}, which is \
                     missing"
                )))
            })?;
            trial.intermediate.insert(step as u64, row.get(2));
        }
        view.version = newest;
        Ok(())
    }
}

fn trial_from_row(row: &Row) -> Result<(Trial, i64), Fail> {
    let number: i64 = row.get("number");
    let invalid = |what: &str, error: &dyn std::fmt::Display| {
        Fail::Api(Error::Storage(format!(
            "trial {number} in PostgreSQL has invalid {what}: {error}"
        )))
    };
    let state: &str = row.get("state");
    let state = parse_state(state).ok_or_else(|| invalid("state", &state))?;
    let params: Json<Params> = row.try_get("params").map_err(|e| invalid("params", &e))?;
    let user_attrs: Json<_> = row
        .try_get("user_attrs")
        .map_err(|e| invalid("user attributes", &e))?;
    let trial = Trial {
        number: number as u64,
        state,
        params: params.0,
        value: row.get("value"),
        failure: row.get("failure"),
        intermediate: Default::default(),
        user_attrs: user_attrs.0,
        started_at: row.get("started_at"),
        finished_at: row.get("finished_at"),
    };
    Ok((trial, row.get("version")))
}

/// The state's name in the `state` column.
pub(super) fn state_name(state: TrialState) -> &'static str {
    match state {
        TrialState::Running => "running",
        TrialState::Complete => "complete",
        TrialState::Pruned => "pruned",
        TrialState::Failed => "failed",
    }
}

pub(super) fn parse_state(name: &str) -> Option<TrialState> {
    [
        TrialState::Running,
        TrialState::Complete,
        TrialState::Pruned,
        TrialState::Failed,
    ]
    .into_iter()
    .find(|state| state_name(*state) == name)
}

/// `time` cut to the microseconds PostgreSQL keeps, so what a worker holds in memory
/// equals what any worker reads back.
pub(super) fn to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(time.timestamp_micros()).unwrap_or(time)
}
