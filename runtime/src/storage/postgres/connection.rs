//! Connections to PostgreSQL: a small pool, transactions, and retrying after a lost
//! connection.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use postgres::types::ToSql;
use postgres::{Client, Config, NoTls, Row, Statement};

use crate::error::Error;

/// How many idle connections a [`Pool`] keeps; more are opened when threads need them.
const MAX_IDLE: usize = 8;

/// Why a unit of work on the database stopped.
#[derive(Debug)]
pub(super) enum Fail {
    /// The database or the connection failed; retried when the connection was lost.
    Db(postgres::Error),
    /// The work refused to go on (unknown trial, a proposal error, ...); never retried.
    Api(Error),
}

impl From<postgres::Error> for Fail {
    fn from(error: postgres::Error) -> Self {
        Fail::Db(error)
    }
}

impl From<Error> for Fail {
    fn from(error: Error) -> Self {
        Fail::Api(error)
    }
}

/// How a transaction ends when its work succeeds.
pub(super) enum Tx<T> {
    /// Keep what the work wrote.
    Commit(T),
    /// Undo it (e.g. the sampler proposed nothing).
    Rollback(T),
}

/// One connection, with the statements already prepared on it.
pub(super) struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
    /// Set when a rollback failed: the connection's state is unknown, so it is dropped.
    broken: bool,
}

impl Conn {
    /// Runs a prepared (and cached) statement, returning its rows.
    pub(super) fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.prepare(sql)?;
        self.client.query(&statement, params)
    }

    /// Runs a prepared (and cached) statement, returning how many rows it changed.
    pub(super) fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let statement = self.prepare(sql)?;
        self.client.execute(&statement, params)
    }

    /// Runs statements without parameters (DDL, transaction control).
    pub(super) fn batch(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.client.batch_execute(sql)
    }

    fn prepare(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// Runs `work` in a transaction opened by `begin` (e.g. `"BEGIN"`). Commits when it
    /// returns [`Tx::Commit`], rolls back otherwise, so no half-written trial is ever seen.
    pub(super) fn transaction<T>(
        &mut self,
        begin: &str,
        work: impl FnOnce(&mut Conn) -> Result<Tx<T>, Fail>,
    ) -> Result<T, Fail> {
        self.batch(begin)?;
        let result = work(self);
        let end = match &result {
            Ok(Tx::Commit(_)) => "COMMIT",
            _ => "ROLLBACK",
        };
        match (result, self.batch(end)) {
            (Ok(Tx::Commit(value) | Tx::Rollback(value)), Ok(())) => Ok(value),
            (Ok(_), Err(error)) => {
                self.broken = true;
                Err(Fail::Db(error))
            }
            (Err(fail), rollback) => {
                self.broken |= rollback.is_err();
                Err(fail)
            }
        }
    }
}

/// Opens connections on demand and keeps a few idle ones for reuse.
pub(super) struct Pool {
    config: Config,
    idle: Mutex<Vec<Conn>>,
    /// How long to keep reconnecting after the connection is lost, before giving up.
    retry_for: Duration,
    /// `user@host:port/database`, for messages (never the password).
    target: String,
}

impl Pool {
    /// Parses `url` and connects once, so that a bad URL or an unreachable server is
    /// reported where the storage is created.
    pub(super) fn connect(url: &str) -> Result<Pool, Error> {
        let mut config: Config = url.parse().map_err(|e| {
            Error::Storage(format!(
                "invalid PostgreSQL URL: {e}; expected \
                 postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("tunekit");
        }
        let pool = Pool {
            target: describe_target(&config),
            config,
            idle: Mutex::new(Vec::new()),
            retry_for: Duration::from_secs(30),
        };
        let first = pool.open().map_err(|e| {
            Error::Storage(format!(
                "cannot connect to PostgreSQL at {}: {}; check that the server is running \
                 and that the URL names the right host, port, database and user",
                pool.target,
                describe(&e)
            ))
        })?;
        pool.give_back(first);
        Ok(pool)
    }

    pub(super) fn set_retry_for(&mut self, retry_for: Duration) {
        self.retry_for = retry_for;
    }

    /// Sets `synchronous_commit` for every connection opened from now on.
    pub(super) fn set_synchronous_commit(&mut self, on: bool) {
        let setting = if on { "on" } else { "off" };
        let options = format!(
            "{} -c synchronous_commit={setting}",
            self.config.get_options().unwrap_or_default()
        );
        self.config.options(options.trim_start());
        // Connections opened before have the old setting.
        self.idle
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    pub(super) fn target(&self) -> &str {
        &self.target
    }

    fn open(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn {
            client: self.config.connect(NoTls)?,
            statements: HashMap::new(),
            broken: false,
        })
    }

    fn take(&self) -> Result<Conn, postgres::Error> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match idle {
            Some(conn) => Ok(conn),
            None => self.open(),
        }
    }

    fn give_back(&self, conn: Conn) {
        if conn.broken || conn.client.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }

    /// Runs `work` on a pooled connection. When the connection is lost (server restart,
    /// `pg_terminate_backend`, network) or the transaction aborted by a deadlock, drops the
    /// connection and runs `work` again on a new one, for up to the retry period; `work` learns from its attempt number (0 first) that
    /// an earlier attempt may have committed before the connection broke.
    pub(super) fn run<T>(
        &self,
        what: &str,
        mut work: impl FnMut(&mut Conn, u32) -> Result<T, Fail>,
    ) -> Result<T, Error> {
        let started = Instant::now();
        let mut delay = Duration::from_millis(20);
        let mut attempt = 0;
        loop {
            let result = self.take().map_err(Fail::Db).and_then(|mut conn| {
                let result = work(&mut conn, attempt);
                let transient = matches!(&result, Err(Fail::Db(e)) if is_transient(e));
                if !transient {
                    self.give_back(conn);
                }
                result
            });
            match result {
                Ok(value) => return Ok(value),
                Err(Fail::Api(error)) => return Err(error),
                Err(Fail::Db(error)) if is_transient(&error) => {
                    if started.elapsed() >= self.retry_for {
                        let (before, after) = if is_connection_lost(&error) {
                            ("lost the connection to", "and could not get it back")
                        } else {
                            ("the transactions of", "kept aborting")
                        };
                        return Err(Error::Storage(format!(
                            "{what}: {before} PostgreSQL at {} {after} within {:?}: {}",
                            self.target,
                            self.retry_for,
                            describe(&error)
                        )));
                    }
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_secs(1));
                    attempt += 1;
                }
                Err(Fail::Db(error)) => return Err(storage_error(what, &error)),
            }
        }
    }
}

/// Whether the same work may succeed if tried again: the connection was lost, or the
/// server aborted the transaction for a reason of the moment (a deadlock with a heartbeat).
fn is_transient(error: &postgres::Error) -> bool {
    is_connection_lost(error)
        || error
            .code()
            .is_some_and(|code| matches!(code.code(), "53300" | "40001" | "40P01"))
}

/// Whether the connection (not the statement) failed: the server went away or is
/// restarting, or the socket broke.
fn is_connection_lost(error: &postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    match error.code() {
        // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now.
        Some(code) => {
            let code = code.code();
            code.starts_with("08") || code.starts_with("57P")
        }
        // No SQLSTATE: an I/O error on the socket.
        None => std::error::Error::source(error)
            .is_some_and(|source| source.downcast_ref::<std::io::Error>().is_some()),
    }
}

/// The error of a failed statement, with advice for the failures users can fix.
pub(super) fn storage_error(what: &str, error: &postgres::Error) -> Error {
    let advice = match error.code().map(|c| c.code()) {
        Some("42501") => {
            "; the PostgreSQL user lacks a privilege tunekit needs: let an owner create the \
             tunekit tables first, or grant CREATE on the schema and SELECT, INSERT, UPDATE \
             on its tunekit_* tables"
        }
        Some("3D000") => "; create the database first (createdb), or fix its name in the URL",
        _ => "",
    };
    Error::Storage(format!("{what}: {}{advice}", describe(error)))
}

/// The server's message (with detail and hint) or the client's error chain.
pub(super) fn describe(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut text = format!("{} (SQLSTATE {})", db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            text.push_str(&format!("; {detail}"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!("; hint: {hint}"));
        }
        return text;
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(&format!(": {cause_text}"));
        }
        source = cause.source();
    }
    text
}

fn describe_target(config: &Config) -> String {
    use postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("(default user)");
    let database = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{database}")
}
