//! The tables tunekit keeps in PostgreSQL, created on first use and versioned.
//!
//! - `tunekit_schema_version`: one row, the layout version of the tables below;
//! - `tunekit_studies`: one row per study, with a `version` counter bumped (under the
//!   row's lock) by every change to the study's trials, and the number of trials;
//! - `tunekit_trials`: one row per trial, stamped with the study version of its last
//!   change, so a worker fetches only what changed since it last looked;
//! - `tunekit_intermediate`: one row per reported (trial, step), stamped the same way.

use super::connection::{Conn, Fail, Tx};
use crate::error::Error;

/// The layout this tunekit reads and writes.
pub(super) const SCHEMA_VERSION: i32 = 1;

/// Serializes schema creation across processes (an arbitrary constant: "tunekit").
const SCHEMA_LOCK_KEY: i64 = 0x0074_756e_656b_6974;

/// The qualified names of tunekit's tables in one PostgreSQL schema.
#[derive(Debug, Clone)]
pub(super) struct Tables {
    /// The PostgreSQL schema, `None` for the connection's default (`public`).
    pub(super) schema: Option<String>,
    pub(super) version: String,
    pub(super) studies: String,
    pub(super) trials: String,
    pub(super) intermediate: String,
}

impl Tables {
    /// Names in `schema`, which must be a plain lowercase identifier (it is spliced into
    /// SQL, so anything else is refused rather than quoted).
    pub(super) fn new(schema: Option<&str>) -> Result<Tables, Error> {
        if let Some(name) = schema {
            let mut chars = name.chars();
            let valid = chars
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && name.len() <= 63;
            if !valid {
                return Err(Error::Config(format!(
                    "PostgreSQL schema name `{name}` is not allowed: use 1 to 63 lowercase \
                     letters, digits and underscores, starting with a letter or underscore"
                )));
            }
        }
        let qualify = |table: &str| match schema {
            Some(schema) => format!("\"{schema}\".{table}"),
            None => table.to_owned(),
        };
        Ok(Tables {
            schema: schema.map(str::to_owned),
            version: qualify("tunekit_schema_version"),
            studies: qualify("tunekit_studies"),
            trials: qualify("tunekit_trials"),
            intermediate: qualify("tunekit_intermediate"),
        })
    }

    /// Where the tables live, for messages.
    pub(super) fn schema_name(&self) -> &str {
        self.schema.as_deref().unwrap_or("public")
    }

    fn create_statements(&self) -> String {
        let Tables {
            version,
            studies,
            trials,
            intermediate,
            ..
        } = self;
        format!(
            "CREATE TABLE {version} (
                 only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
                 version integer NOT NULL
             );
             INSERT INTO {version} (version) VALUES ({SCHEMA_VERSION});
             CREATE TABLE {studies} (
                 id bigserial PRIMARY KEY,
                 name text NOT NULL UNIQUE,
                 direction text NOT NULL CHECK (direction IN ('minimize', 'maximize')),
                 space json NOT NULL,
                 created_at timestamptz NOT NULL DEFAULT now(),
                 trial_count bigint NOT NULL DEFAULT 0,
                 version bigint NOT NULL DEFAULT 0
             );
             CREATE TABLE {trials} (
                 study_id bigint NOT NULL REFERENCES {studies} (id) ON DELETE CASCADE,
                 number bigint NOT NULL,
                 state text NOT NULL
                     CHECK (state IN ('running', 'complete', 'pruned', 'failed')),
                 params json NOT NULL,
                 value double precision,
                 failure text,
                 user_attrs jsonb NOT NULL DEFAULT '{{}}',
                 started_at timestamptz NOT NULL,
                 finished_at timestamptz,
                 heartbeat_at timestamptz,
                 token bigint NOT NULL,
                 version bigint NOT NULL,
                 PRIMARY KEY (study_id, number)
             );
             CREATE INDEX tunekit_trials_by_version ON {trials} (study_id, version);
             CREATE INDEX tunekit_trials_running ON {trials} (study_id, heartbeat_at)
                 WHERE state = 'running';
             CREATE TABLE {intermediate} (
                 study_id bigint NOT NULL,
                 number bigint NOT NULL,
                 step bigint NOT NULL,
                 value double precision NOT NULL,
                 version bigint NOT NULL,
                 PRIMARY KEY (study_id, number, step),
                 FOREIGN KEY (study_id, number) REFERENCES {trials} (study_id, number)
                     ON DELETE CASCADE
             );
             CREATE INDEX tunekit_intermediate_by_version
                 ON {intermediate} (study_id, version);"
        )
    }

    /// Creates the schema and tables if missing, or checks that the existing ones have
    /// the layout this tunekit understands.
    pub(super) fn ensure(&self, conn: &mut Conn) -> Result<(), Fail> {
        conn.transaction("BEGIN", |conn| {
            conn.query("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK_KEY])?;
            if let Some(schema) = &self.schema {
                let exists =
                    conn.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[schema])?;
                if exists.is_empty() {
                    conn.batch(&format!("CREATE SCHEMA \"{schema}\""))?;
                }
            }
            let found = conn.query("SELECT to_regclass($1) IS NOT NULL", &[&self.version])?;
            if !found.first().is_some_and(|row| row.get::<_, bool>(0)) {
                conn.batch(&self.create_statements())?;
                return Ok(Tx::Commit(()));
            }
            let rows = conn.query(&format!("SELECT version FROM {}", self.version), &[])?;
            let Some(found) = rows.first().map(|row| row.get::<_, i32>(0)) else {
                return Err(Fail::Api(Error::Storage(format!(
                    "the table {} is empty, so the layout of the tunekit tables in schema \
                     `{}` is unknown; restore its row or use another schema",
                    self.version,
                    self.schema_name()
                ))));
            };
            if found != SCHEMA_VERSION {
                let what = if found > SCHEMA_VERSION {
                    "newer than this tunekit understands; upgrade tunekit"
                } else {
                    "older than this tunekit understands; migrate it or use another schema"
                };
                return Err(Fail::Api(Error::Storage(format!(
                    "the tunekit tables in PostgreSQL schema `{}` have layout version \
                     {found}, {what} (this tunekit reads version {SCHEMA_VERSION})",
                    self.schema_name()
                ))));
            }
            Ok(Tx::Commit(()))
        })
    }
}
