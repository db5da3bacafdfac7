//! PostgreSQL storage: one study shared by worker processes on many machines.
//!
//! How the contract of [`Storage`] holds across machines:
//!
//! - Every change to a study's trials first bumps the `version` of the study's row in
//!   `tunekit_studies`, which takes that row's lock until the transaction ends. Changes
//!   to one study therefore commit one at a time, in version order, and each trial and
//!   intermediate row is stamped with the version that last changed it.
//! - Each worker keeps its own copy of the trials and catches up by fetching only the
//!   rows stamped with a newer version than its copy, so asking for a trial costs the
//!   same with 100 or 100 000 trials in the study.
//! - [`create_trial`](Storage::create_trial) takes the study lock, catches up, lets the
//!   sampler propose from the complete history (running trials of every worker
//!   included) and inserts the trial numbered `trials.len()`, all in one transaction:
//!   numbers are dense and unique, and a grid point goes to exactly one worker.
//! - Running trials carry a heartbeat time (the database clock). Any worker may fail the
//!   trials whose heartbeat is older than the grace period with one conditional `UPDATE`,
//!   so each stale trial is failed exactly once.
//! - A lost connection (server restart, `pg_terminate_backend`) is retried on a new one
//!   for a while. Writes are transactions, so a trial is never half written, and a retry
//!   first checks whether the lost attempt committed.

mod connection;
mod schema;
mod view;

use std::fmt;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use postgres::types::Json;

use self::connection::{Conn, Fail, Pool, Tx};
use self::schema::Tables;
use self::view::{state_name, to_micros, CatchUp, View};
use super::{Propose, Storage, StudyInfo};
use crate::error::{Error, Result};
use crate::space::SearchSpace;
use crate::trial::{Direction, Outcome, Trial, TrialEvent, TrialState};

/// Keeps studies in a PostgreSQL database, so worker processes on any number of machines
/// can run one study together. Needs the `postgres` cargo feature.
///
/// ```no_run
/// use tunekit::prelude::*;
/// use tunekit::storage::Postgres;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1e-5..=1e-1, log)]
///     lr: f64,
///     #[tune(1..=4)]
///     layers: u32,
/// }
///
/// // Run this same program on every machine: they share one study.
/// let study = Study::minimize(space!(Train))
///     .name("shared-sweep") // every worker opens the study by this name
///     .storage(Postgres::connect("postgres://tunekit@db.example/tuning")?)
///     .build()?; // creates the study, or joins it if another worker already did
/// study.optimize(100, |cfg: &Train| (cfg.lr.log10() + 3.0).powi(2) + f64::from(cfg.layers))?;
/// # Ok::<(), tunekit::Error>(())
/// ```
///
/// The tables (`tunekit_*`) are created on first use, in the schema chosen with
/// [`schema`](Self::schema) (by default the connection's, usually `public`); one set of
/// tables holds any number of studies. TLS is not supported yet: connect over a trusted
/// network or a tunnel.
///
/// Watching a study from `psql` while workers run it:
///
/// ```sql
/// SELECT t.state, count(*), min(t.value) AS best
/// FROM tunekit_trials t JOIN tunekit_studies s ON s.id = t.study_id
/// WHERE s.name = 'shared-sweep'
/// GROUP BY t.state;
/// ```
///
/// or from Rust, with the same study opened by one more process:
/// [`Study::trials`](crate::study::Study::trials), [`Study::write_csv`](crate::study::Study::write_csv).
pub struct Postgres {
    pool: Pool,
    tables: Tables,
    sql: Statements,
    heartbeat_interval: Duration,
    stale_after: Duration,
    require_new_study: bool,
    study: OnceLock<StudyRef>,
    /// Also serializes this process's `create_trial` calls, which keeps them from
    /// queueing on the study lock in the database.
    view: Mutex<View>,
}

/// The study this storage was opened on.
#[derive(Debug)]
struct StudyRef {
    id: i64,
    name: String,
}

impl Postgres {
    /// Connects to the database at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, or
    /// the `key=value` form). Fails at once, with the reason, when the URL is invalid or
    /// the server cannot be reached; the tables are created when a study is opened.
    pub fn connect(url: &str) -> Result<Postgres> {
        let tables = Tables::new(None)?;
        Ok(Postgres {
            pool: Pool::connect(url)?,
            sql: Statements::new(&tables),
            tables,
            heartbeat_interval: Duration::from_secs(10),
            stale_after: Duration::from_secs(60),
            require_new_study: false,
            study: OnceLock::new(),
            view: Mutex::new(View::default()),
        })
    }

    /// Keeps the tunekit tables in this PostgreSQL schema (created if missing) instead of
    /// the connection's default. The name must be a lowercase identifier.
    pub fn schema(mut self, schema: &str) -> Result<Postgres> {
        self.tables = Tables::new(Some(schema))?;
        self.sql = Statements::new(&self.tables);
        Ok(self)
    }

    /// Makes opening a study that already exists an error, instead of loading it.
    pub fn require_new_study(mut self) -> Postgres {
        self.require_new_study = true;
        self
    }

    /// How often a worker refreshes the heartbeat of its running trials (default 10 s).
    pub fn heartbeat_every(mut self, interval: Duration) -> Postgres {
        self.heartbeat_interval = interval;
        self
    }

    /// After how long without a heartbeat a running trial counts as abandoned and is
    /// failed by the next worker that looks (default 60 s). Keep it several heartbeat
    /// intervals long, so a busy worker is not mistaken for a dead one.
    pub fn stale_after(mut self, grace: Duration) -> Postgres {
        self.stale_after = grace;
        self
    }

    /// How long to keep reconnecting after the connection is lost (default 30 s), before
    /// the call fails with the error.
    pub fn retry_for(mut self, period: Duration) -> Postgres {
        self.pool.set_retry_for(period);
        self
    }

    /// Whether each write waits until the server has flushed it to disk (PostgreSQL's
    /// `synchronous_commit`; by default, the server's setting, normally on). Off makes
    /// asking and telling several times faster on slow disks; a crash of the *server*
    /// may then lose the last fraction of a second of writes (whole transactions: never
    /// a half trial), and a worker whose trial was lost stops with an unknown-trial error.
    pub fn synchronous_commit(mut self, on: bool) -> Postgres {
        self.pool.set_synchronous_commit(on);
        self
    }

    fn study(&self) -> Result<&StudyRef> {
        self.study.get().ok_or_else(|| {
            Error::Storage(
                "this PostgreSQL storage has no study yet: give it to a study builder \
                 (StudyBuilder::storage), which opens it"
                    .into(),
            )
        })
    }

    /// Brings `view` up to date in one consistent snapshot.
    fn catch_up(&self, study: i64, view: &mut View) -> Result<()> {
        self.pool.run("reading trials", |conn, _| {
            conn.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", |conn| {
                self.sql.catch_up.run(conn, study, view)?;
                Ok(Tx::Commit(()))
            })
        })
    }

    fn lock_view(&self) -> MutexGuard<'_, View> {
        // A panic while the lock was held (in a sampler) leaves a view that only ever
        // holds committed data, so poisoning is safe to ignore.
        self.view.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates the study row, or loads the stored one; returns its id and, for a study
    /// that existed, what it holds.
    fn open_study(
        &self,
        conn: &mut Conn,
        info: &StudyInfo,
    ) -> Result<(i64, Option<StudyInfo>), Fail> {
        let direction = direction_name(info.direction);
        let space = serde_json::to_value(&info.space)
            .map_err(|e| Error::Storage(format!("cannot store the search space: {e}")))?;
        let inserted = conn.query(
            &self.sql.insert_study,
            &[&info.name, &direction, &Json(&space)],
        )?;
        if let Some(row) = inserted.first() {
            return Ok((row.get(0), None));
        }
        if self.require_new_study {
            return Err(Fail::Api(Error::Config(format!(
                "study `{}` already exists in PostgreSQL (schema `{}`): choose another \
                 name, or drop require_new_study() to load it",
                info.name,
                self.tables.schema_name()
            ))));
        }
        let rows = conn.query(&self.sql.select_study, &[&info.name])?;
        let row = rows.first().ok_or_else(|| {
            Error::Storage(format!(
                "study `{}` vanished while it was opened",
                info.name
            ))
        })?;
        let stored_direction: &str = row.get(1);
        let direction = match stored_direction {
            "minimize" => Direction::Minimize,
            "maximize" => Direction::Maximize,
            other => {
                return Err(Fail::Api(Error::Storage(format!(
                    "study `{}` has direction `{other}` in PostgreSQL, which is neither \
                     `minimize` nor `maximize`: was the row changed by hand?",
                    info.name
                ))))
            }
        };
        let Json(stored_space): Json<serde_json::Value> = row.get(2);
        let space = serde_json::from_value::<SearchSpace>(stored_space).map_err(|e| {
            Error::Storage(format!(
                "the stored search space of study `{}` cannot be read: {e}",
                info.name
            ))
        })?;
        let stored = StudyInfo {
            name: info.name.clone(),
            direction,
            space,
        };
        Ok((row.get(0), Some(stored)))
    }

    /// After a lost connection: whether the lost attempt had committed trial `number`.
    fn committed(
        &self,
        conn: &mut Conn,
        study: i64,
        number: i64,
        token: i64,
    ) -> Result<bool, Fail> {
        let rows = conn.query(&self.sql.find_trial_token, &[&study, &number, &token])?;
        Ok(!rows.is_empty())
    }

    /// The error for an event on trial `number` that is not running (or does not exist).
    fn not_running(&self, conn: &mut Conn, study: i64, number: u64) -> Result<Error, Fail> {
        let rows = conn.query(&self.sql.trial_state, &[&study, &(number as i64)])?;
        Ok(match rows.first() {
            None => Error::UnknownTrial(number),
            Some(row) => Error::TrialAlreadyFinished {
                number,
                state: view::parse_state(row.get(0)).unwrap_or(TrialState::Failed),
            },
        })
    }

    fn finish(
        &self,
        study: i64,
        number: u64,
        outcome: &Outcome,
        finished_at: DateTime<Utc>,
    ) -> Result<()> {
        let finished_at = to_micros(finished_at);
        let (state, value, failure) = match outcome {
            Outcome::Complete(value) => (TrialState::Complete, Some(*value), None),
            Outcome::Pruned => (TrialState::Pruned, None, None),
            Outcome::Failed(reason) => (TrialState::Failed, None, Some(reason.as_str())),
        };
        let state = state_name(state);
        self.pool.run("finishing a trial", |conn, attempt| {
            conn.transaction("BEGIN", |conn| {
                let version = self.bump_version(conn, study)?;
                let changed = conn.execute(
                    &self.sql.finish_trial,
                    &[
                        &study,
                        &(number as i64),
                        &state,
                        &value,
                        &failure,
                        &finished_at,
                        &version,
                    ],
                )?;
                if changed == 1 {
                    return Ok(Tx::Commit(()));
                }
                // After a lost connection, the lost attempt may have been the one that
                // finished the trial: the same state and time mean it was.
                if attempt > 0 {
                    let rows = conn.query(&self.sql.trial_finish, &[&study, &(number as i64)])?;
                    if let Some(row) = rows.first() {
                        let (stored_state, stored_at): (&str, Option<DateTime<Utc>>) =
                            (row.get(0), row.get(1));
                        if stored_state == state && stored_at == Some(finished_at) {
                            return Ok(Tx::Rollback(()));
                        }
                    }
                }
                Err(Fail::Api(self.not_running(conn, study, number)?))
            })
        })
    }

    /// Takes the study lock (until the transaction ends) and returns the version that
    /// stamps this transaction's changes.
    fn bump_version(&self, conn: &mut Conn, study: i64) -> Result<i64, Fail> {
        let rows = conn.query(&self.sql.bump_version, &[&study])?;
        Ok(rows
            .first()
            .ok_or_else(|| Error::Storage(format!("study row {study} was deleted")))?
            .get(0))
    }

    /// The study's trial numbers in the database must be representable; they always are
    /// below 2^63, so this only guards hand-made events.
    fn db_number(number: u64) -> Result<i64> {
        i64::try_from(number).map_err(|_| Error::UnknownTrial(number))
    }
}

impl Storage for Postgres {
    fn open(&self, info: &StudyInfo) -> Result<Option<StudyInfo>> {
        if let Some(study) = self.study.get().filter(|study| study.name != info.name) {
            return Err(Error::Config(format!(
                "this PostgreSQL storage is already open on study `{}`: connect another \
                 one for study `{}`",
                study.name, info.name
            )));
        }
        let (id, stored) = self.pool.run("opening the study", |conn, _| {
            self.tables.ensure(conn)?;
            self.open_study(conn, info)
        })?;
        self.catch_up(id, &mut self.lock_view())?;
        let _ = self.study.set(StudyRef {
            id,
            name: info.name.clone(),
        });
        Ok(stored)
    }

    fn set_space(&self, space: &SearchSpace) -> Result<()> {
        let study = self.study()?.id;
        let space = serde_json::to_value(space)
            .map_err(|e| Error::Storage(format!("cannot store the search space: {e}")))?;
        self.pool.run("changing the study's space", |conn, _| {
            conn.execute(&self.sql.set_space, &[&study, &Json(&space)])?;
            Ok(())
        })
    }

    fn describe(&self) -> String {
        format!("PostgreSQL (schema `{}`)", self.tables.schema_name())
    }

    fn create_trial(&self, propose: &mut Propose<'_>) -> Result<Option<Trial>> {
        let study = self.study()?.id;
        let mut view = self.lock_view();
        // Identifies this call's row, so a retry can tell whether a lost attempt committed.
        let token: i64 = rand::random();
        let mut attempted: Option<i64> = None;
        let created = self.pool.run("creating a trial", |conn, _| {
            if let Some(number) = attempted {
                if self.committed(conn, study, number, token)? {
                    return Ok(Created::ByLostAttempt(number));
                }
            }
            conn.transaction("BEGIN", |conn| {
                let rows = conn.query(&self.sql.bump_version_and_count, &[&study])?;
                let row = rows
                    .first()
                    .ok_or_else(|| Error::Storage(format!("study row {study} was deleted")))?;
                let (version, count): (i64, i64) = (row.get(0), row.get(1));
                self.sql.catch_up.run(conn, study, &mut view)?;
                if view.trials.len() as i64 != count - 1 {
                    return Err(Fail::Api(Error::Storage(format!(
                        "the study row counts {} trials but {} trials were read: were \
                         rows changed by hand?",
                        count - 1,
                        view.trials.len()
                    ))));
                }
                let Some(params) = propose(&view.trials)? else {
                    return Ok(Tx::Rollback(Created::Nothing));
                };
                let number = view.trials.len() as u64;
                let mut trial = Trial::running(number, params);
                trial.started_at = to_micros(trial.started_at);
                attempted = Some(number as i64);
                conn.execute(
                    &self.sql.insert_trial,
                    &[
                        &study,
                        &(number as i64),
                        &Json(&trial.params),
                        &trial.started_at,
                        &token,
                        &version,
                    ],
                )?;
                Ok(Tx::Commit(Created::Trial(trial, version)))
            })
        })?;
        match created {
            Created::Trial(trial, version) => {
                view.trials.push(trial.clone());
                view.version = version;
                Ok(Some(trial))
            }
            Created::Nothing => Ok(None),
            Created::ByLostAttempt(number) => {
                self.catch_up(study, &mut view)?;
                let trial = view.trials.get(number as usize).cloned().ok_or_else(|| {
                    Error::Storage(format!("trial {number} was created but cannot be read"))
                })?;
                Ok(Some(trial))
            }
        }
    }

    fn record(&self, event: TrialEvent) -> Result<()> {
        let study = self.study()?.id;
        let number = Self::db_number(event.number())?;
        match &event {
            TrialEvent::Intermediate { step, value, .. } => {
                let step = i64::try_from(*step).map_err(|_| {
                    Error::Storage(format!("step {step} is too large for PostgreSQL (bigint)"))
                })?;
                self.pool.run("recording an intermediate value", |conn, _| {
                    conn.transaction("BEGIN", |conn| {
                        let version = self.bump_version(conn, study)?;
                        let changed = conn.execute(
                            &self.sql.upsert_intermediate,
                            &[&study, &number, &step, value, &version],
                        )?;
                        if changed == 1 {
                            return Ok(Tx::Commit(()));
                        }
                        Err(Fail::Api(self.not_running(conn, study, number as u64)?))
                    })
                })
            }
            TrialEvent::UserAttr { key, value, .. } => {
                self.pool.run("recording a user attribute", |conn, _| {
                    conn.transaction("BEGIN", |conn| {
                        let version = self.bump_version(conn, study)?;
                        let changed = conn.execute(
                            &self.sql.set_user_attr,
                            &[&study, &number, key, &Json(value), &version],
                        )?;
                        if changed == 1 {
                            return Ok(Tx::Commit(()));
                        }
                        Err(Fail::Api(self.not_running(conn, study, number as u64)?))
                    })
                })
            }
            TrialEvent::Finished {
                outcome,
                finished_at,
                ..
            } => self.finish(study, number as u64, outcome, *finished_at),
        }
    }

    fn read(&self, read: &mut dyn FnMut(&[Trial])) -> Result<()> {
        let study = self.study()?.id;
        let mut view = self.lock_view();
        self.catch_up(study, &mut view)?;
        read(&view.trials);
        Ok(())
    }

    fn heartbeat_interval(&self) -> Option<Duration> {
        Some(self.heartbeat_interval)
    }

    fn heartbeat(&self, running: &[u64]) -> Result<()> {
        let study = self.study()?.id;
        let numbers: Vec<i64> = running.iter().map(|&n| n as i64).collect();
        self.pool.run("sending a heartbeat", |conn, _| {
            conn.execute(&self.sql.heartbeat, &[&study, &numbers])?;
            Ok(())
        })
    }

    fn fail_stale_trials(&self) -> Result<Vec<u64>> {
        let study = self.study()?.id;
        let grace = self.stale_after.as_secs_f64();
        let reason = format!(
            "stale: no heartbeat for {:?}; the worker running this trial stopped or lost \
             its connection",
            self.stale_after
        );
        self.pool.run("failing stale trials", |conn, _| {
            // A cheap look first, so the study lock is taken only when there is work.
            if conn
                .query(&self.sql.any_stale, &[&study, &grace])?
                .is_empty()
            {
                return Ok(Vec::new());
            }
            conn.transaction("BEGIN", |conn| {
                let version = self.bump_version(conn, study)?;
                let rows =
                    conn.query(&self.sql.fail_stale, &[&study, &grace, &reason, &version])?;
                let mut numbers: Vec<u64> =
                    rows.iter().map(|r| r.get::<_, i64>(0) as u64).collect();
                numbers.sort_unstable();
                Ok(Tx::Commit(numbers))
            })
        })
    }
}

impl fmt::Debug for Postgres {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Postgres")
            .field("target", &self.pool.target())
            .field("schema", &self.tables.schema_name())
            .field("study", &self.study.get().map(|s| s.name.as_str()))
            .field("heartbeat_interval", &self.heartbeat_interval)
            .field("stale_after", &self.stale_after)
            .finish_non_exhaustive()
    }
}

/// How a `create_trial` attempt ended.
enum Created {
    /// This attempt inserted the trial, stamped with this version.
    Trial(Trial, i64),
    /// The sampler proposed nothing.
    Nothing,
    /// An attempt whose connection was lost had committed trial number .0.
    ByLostAttempt(i64),
}

fn direction_name(direction: Direction) -> &'static str {
    match direction {
        Direction::Minimize => "minimize",
        Direction::Maximize => "maximize",
    }
}

/// Every statement, with the table names of one schema spliced in.
#[derive(Debug)]
struct Statements {
    catch_up: CatchUp,
    insert_study: String,
    select_study: String,
    set_space: String,
    bump_version: String,
    bump_version_and_count: String,
    insert_trial: String,
    find_trial_token: String,
    trial_state: String,
    trial_finish: String,
    finish_trial: String,
    upsert_intermediate: String,
    set_user_attr: String,
    heartbeat: String,
    any_stale: String,
    fail_stale: String,
}

impl Statements {
    fn new(tables: &Tables) -> Statements {
        let Tables {
            studies,
            trials,
            intermediate,
            ..
        } = tables;
        Statements {
            catch_up: CatchUp::new(tables),
            insert_study: format!(
                "INSERT INTO {studies} (name, direction, space) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING RETURNING id"
            ),
            select_study: format!("SELECT id, direction, space FROM {studies} WHERE name = $1"),
            set_space: format!("UPDATE {studies} SET space = $2 WHERE id = $1"),
            bump_version: format!(
                "UPDATE {studies} SET version = version + 1 WHERE id = $1 RETURNING version"
            ),
            bump_version_and_count: format!(
                "UPDATE {studies} SET version = version + 1, trial_count = trial_count + 1
                 WHERE id = $1 RETURNING version, trial_count"
            ),
            insert_trial: format!(
                "INSERT INTO {trials}
                     (study_id, number, state, params, started_at, heartbeat_at, token, version)
                 VALUES ($1, $2, 'running', $3, $4, now(), $5, $6)"
            ),
            find_trial_token: format!(
                "SELECT 1 FROM {trials} WHERE study_id = $1 AND number = $2 AND token = $3"
            ),
            trial_state: format!("SELECT state FROM {trials} WHERE study_id = $1 AND number = $2"),
            trial_finish: format!(
                "SELECT state, finished_at FROM {trials} WHERE study_id = $1 AND number = $2"
            ),
            finish_trial: format!(
                "UPDATE {trials} SET
                     state = $3::text,
                     value = CASE WHEN $3::text = 'pruned' THEN
                                 (SELECT i.value FROM {intermediate} i
                                  WHERE i.study_id = $1 AND i.number = $2
                                  ORDER BY i.step DESC LIMIT 1)
                             ELSE $4::double precision END,
                     failure = $5, finished_at = $6, heartbeat_at = NULL, version = $7
                 WHERE study_id = $1 AND number = $2 AND state = 'running'"
            ),
            upsert_intermediate: format!(
                "INSERT INTO {intermediate} (study_id, number, step, value, version)
                 SELECT $1, $2, $3, $4, $5 FROM {trials}
                 WHERE study_id = $1 AND number = $2 AND state = 'running'
                 ON CONFLICT (study_id, number, step)
                 DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version"
            ),
            set_user_attr: format!(
                "UPDATE {trials}
                 SET user_attrs = user_attrs || jsonb_build_object($3::text, $4::jsonb),
                     version = $5
                 WHERE study_id = $1 AND number = $2 AND state = 'running'"
            ),
            heartbeat: format!(
                "UPDATE {trials} SET heartbeat_at = now()
                 WHERE study_id = $1 AND number = ANY($2) AND state = 'running'"
            ),
            any_stale: format!(
                "SELECT 1 FROM {trials}
                 WHERE study_id = $1 AND state = 'running'
                   AND heartbeat_at < now() - make_interval(secs => $2)
                 LIMIT 1"
            ),
            fail_stale: format!(
                "UPDATE {trials} SET state = 'failed', failure = $3, finished_at = now(),
                                     heartbeat_at = NULL, version = $4
                 WHERE study_id = $1 AND state = 'running'
                   AND heartbeat_at < now() - make_interval(secs => $2)
                 RETURNING number"
            ),
        }
    }
}
