//! Journal storage: a study in an append-only JSON-lines file (see [`Journal`]).

mod owner;
mod record;
mod replay;

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use fs4::FileExt;

use self::owner::Owner;
use self::record::{Record, FORMAT};
use self::replay::{Header, Replay};
use super::{Propose, Storage, StudyInfo};
use crate::error::{Error, Result};
use crate::space::SearchSpace;
use crate::trial::{Outcome, Trial, TrialEvent};

/// When a journal asks the operating system to put its lines on disk (`fsync`).
///
/// Every line reaches the operating system before the call that wrote it returns, so a
/// killed process never loses an acknowledged line; this policy is about power loss and
/// kernel crashes.
///
/// What it costs depends on the disk: the `study_throughput` bench measures it
/// (`cargo bench -p tunekit-runtime --bench study_throughput`). On a shared virtual disk it
/// measured about 20 us per trial without syncs, and 0.3 to 3 ms per trial with
/// `OnFinish` or `EveryEvent`, which is noise next to trials that train a model and
/// dominant for objectives that take microseconds: use `Never` for those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FsyncPolicy {
    /// After every line: nothing acknowledged is ever lost, at the cost of one disk sync
    /// per event (intermediate values included).
    EveryEvent,
    /// After the header and each finished trial (the default): finished trials are never
    /// lost; a machine crash may lose the start and intermediate values of trials that
    /// were running, which are then simply absent.
    #[default]
    OnFinish,
    /// Never: the operating system writes when it likes. Fastest; a machine crash may
    /// lose recent trials.
    Never,
}

/// Storage in an append-only JSON-lines file: a study that survives crashes and can be
/// shared by processes.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::storage::{FsyncPolicy, Journal};
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1e-5..=1e-1, log)]
///     lr: f64,
/// }
///
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("sweep.jsonl");
/// let objective = |cfg: &Train| (cfg.lr.log10() + 3.0).powi(2);
///
/// let study = Study::minimize(space!(Train)).storage(Journal::open(&path)?).build()?;
/// study.optimize(5, objective)?;
/// drop(study); // or a crash
///
/// // Later, or in another process: the same file resumes the study.
/// let journal = Journal::open(&path)?.fsync(FsyncPolicy::EveryEvent);
/// let study = Study::minimize(space!(Train)).storage(journal).build()?;
/// study.optimize(5, objective)?;
/// assert_eq!(study.trials()?.len(), 10); // numbering went on from 5
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # The file
///
/// One JSON object per line, each tagged by `"record"` and ending in its checksum:
///
/// ```text
/// {"record":"study","format":2,"name":"study","direction":"minimize","space":[...],"created_at":"...","crc":"..."}
/// {"record":"started","number":0,"owner":"pid4242-9f..","started_at":"...","params":{"x":0.3},"crc":"..."}
/// {"record":"intermediate","number":0,"step":1,"value":0.5,"crc":"..."}
/// {"record":"user_attr","number":0,"key":"folds","value":[0.9,0.8],"crc":"..."}
/// {"record":"finished","number":0,"outcome":{"complete":0.09},"finished_at":"...","crc":"..."}
/// {"record":"space","space":[...],"crc":"..."}
/// ```
///
/// The first line names the study, its direction and space, and the format version. A
/// `space` line appears only when a study was reopened with a changed space and
/// [`StudyBuilder::allow_space_change`](crate::study::StudyBuilder::allow_space_change).
/// Non-finite intermediate values are written as the
/// strings `"NaN"`, `"inf"`, `"-inf"`. One file holds one study.
///
/// **Checksums.** `"crc"` is always the last member: eight lowercase hex digits of the
/// CRC-32 (IEEE) of the line's bytes with `,"crc":"…"` taken out, that is, of the record
/// exactly as written before the checksum was added. A line whose checksum does not match
/// is an error naming it, so a flipped byte in a param, a value or a user attribute is
/// never read as data. The rule for which lines must carry one is fixed by the header,
/// which is itself checked:
///
/// - a journal whose header has `"format":2` (every journal this version creates) has a
///   checksum on every line, and a line without one is an error: damage cannot turn a
///   checked line into an unchecked one, since deleting or garbling the `"crc"` member
///   makes the line fail to read, and turning the header's 2 into a 1 breaks the
///   header's own checksum;
/// - a journal of format 1 (written before checksums existed) stays format 1: it is read
///   as before and this version appends to it without checksums, so older and newer
///   processes can still share it. Its lines have no integrity check (a line that does
///   carry one is still verified); start a new journal to get one. tunekit 0.1 let a
///   user attribute be set on a finished trial; in a format-1 journal such a line is kept
///   as written, in format 2 it is an error like any record that does not fit.
///
/// An old journal is not upgraded in place (say, by a "checked from here" marker line):
/// older tunekit versions sharing the file would then refuse it, and the rule for every
/// line would no longer live in one place, the checked header.
///
/// # Guarantees
///
/// - **Atomic appends, shared by processes.** Every operation takes an exclusive advisory
///   lock on the file (`flock` on Unix, `LockFileEx` on Windows), reads what other
///   processes appended since its last visit, then appends its one line with a single
///   write and releases the lock. Creating a trial is one such step (lock, catch up,
///   propose, append, unlock), so trial numbers are unique and dense across processes, and
///   every proposal sees every trial started before it, running ones included.
/// - **Durability.** Each line is written to the operating system before the call returns,
///   so it survives the process being killed. Whether it also survives a power loss
///   depends on the [`FsyncPolicy`]: by default the file is synced after each finished
///   trial (and the header), so a machine crash can lose at most the starts and
///   intermediate values of trials that were still running.
/// - **Torn lines.** A crash in the middle of a write leaves a partial last line: the start
///   of a record, cut short before its newline (or zeros, after a power loss). The next
///   process to take the lock logs a warning and cuts it off (it held nothing that was
///   ever acknowledged); a complete record that only lost its newline is kept. Only that is
///   torn: a newline-terminated line, or complete JSON, that does not read as a record is
///   an error like any other. Any unreadable line, a line that does not fit the lines
///   before it, or a file whose first line is not a study header is an error naming the
///   file and line: the journal is never "repaired" by dropping data silently. A header
///   with a newer `format` than this version knows is an error asking to upgrade tunekit.
/// - **Reopening.** The study builder checks the header against the study, as for every
///   storage: same name and direction, and the same space (params compared by name, order
///   aside) unless
///   [`allow_space_change`](crate::study::StudyBuilder::allow_space_change) was given; the error
///   names the first param that differs.
/// - **Params fit the space.** Every `started` line is checked against the space in force
///   at that line (the header's, or the last `space` line's): a param outside its domain,
///   missing, inactive or unknown is an error naming the line and the param. Creating a
///   trial checks the proposal the same way before writing it, so a journal never writes
///   a line it would refuse to read (for instance after another process changed the
///   space).
/// - **Stale trials.** Each open journal holds a lock on its own file in the
///   `<journal>.owners/` directory beside the journal, and every trial records the id of
///   that file. The operating system releases the lock when the process ends, however it
///   ends, so a running trial whose owner's lock can be taken belongs to a dead process:
///   [`fail_stale_trials`](Storage::fail_stale_trials) (run when a journal is opened, when
///   `optimize` starts, and by [`create_trial`](Storage::create_trial) at most every
///   [`stale_check_interval`](Journal::stale_check_interval)) marks it failed with a
///   reason starting with `stale`, exactly once since the check runs under the file lock.
///   This needs no heartbeat and never fails a slow trial of a live process. The same
///   check then removes every owner file whose lock is free and which owns no running
///   trial, so `<journal>.owners/` holds the live processes only (an owner file is created
///   under a hidden name and renamed only once locked, so a process that is just starting
///   is never mistaken for a dead one; one killed in that instant leaves a hidden
///   `.claiming-*` file behind, which is left alone).
///
/// Advisory locks must work on the file system holding the journal: local disks do; for
/// network file systems, check that `flock` is supported (NFSv4 is fine).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    owners_dir: PathBuf,
    owner: Owner,
    fsync: FsyncPolicy,
    stale_check_every: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    replay: Replay,
    last_stale_check: Option<Instant>,
}

impl Journal {
    /// Opens (or creates) the journal at `path`. The study it holds is checked against
    /// the study being built when the journal is passed to
    /// [`StudyBuilder::storage`](crate::study::StudyBuilder::storage).
    pub fn open(path: impl AsRef<Path>) -> Result<Journal> {
        let path = path.as_ref().to_path_buf();
        let Some(file_name) = path.file_name() else {
            return Err(Error::Config(format!(
                "the journal path {} names no file",
                path.display()
            )));
        };
        let mut owners_name = file_name.to_os_string();
        owners_name.push(".owners");
        let owners_dir = path.with_file_name(owners_name);
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| Error::io(format!("opening the journal {}", path.display()), e))?;
        let owner = Owner::claim(&owners_dir)?;
        Ok(Journal {
            path,
            file,
            owners_dir,
            owner,
            fsync: FsyncPolicy::default(),
            stale_check_every: Duration::from_secs(10),
            state: Mutex::new(State::default()),
        })
    }

    /// When lines are synced to disk (default [`FsyncPolicy::OnFinish`]).
    #[must_use]
    pub fn fsync(mut self, policy: FsyncPolicy) -> Self {
        self.fsync = policy;
        self
    }

    /// How often [`create_trial`](Storage::create_trial) looks for running trials of
    /// processes that died (default 10 s). Each look costs one lock attempt per other
    /// process with running trials.
    #[must_use]
    pub fn stale_check_interval(mut self, every: Duration) -> Self {
        self.stale_check_every = every;
        self
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The id this journal writes into its trials' `started` lines.
    pub fn owner_id(&self) -> &str {
        self.owner.id()
    }

    /// Runs `work` holding the in-process mutex and the file lock, on an up-to-date view.
    fn locked<T>(&self, work: impl FnOnce(&mut Session<'_>) -> Result<T>) -> Result<T> {
        // A panic in a caller's closure (a sampler's proposal) happens before anything is
        // appended, and replay state only changes after a successful append, so a poisoned
        // mutex still guards consistent state.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        FileExt::lock(&self.file)
            .map_err(|e| Error::io(format!("locking the journal {}", self.path.display()), e))?;
        let _unlock = Unlock(&self.file);
        let mut session = Session {
            journal: self,
            state: &mut state,
        };
        session.catch_up()?;
        work(&mut session)
    }
}

/// Releases the file lock when a locked section ends, by return, error or panic.
struct Unlock<'a>(&'a File);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        let _ = FileExt::unlock(self.0);
    }
}

/// One locked visit to the journal.
struct Session<'a> {
    journal: &'a Journal,
    state: &'a mut State,
}

/// How every record line starts (serde writes the tag first); a torn line that is not a
/// prefix of this was not written by a journal.
const RECORD_PREFIX: &[u8] = b"{\"record\":\"";

impl Session<'_> {
    fn error(&self, line: u64, message: impl std::fmt::Display) -> Error {
        Error::Storage(format!(
            "journal {}, line {line}: {message}",
            self.journal.path.display()
        ))
    }

    fn io_error(&self, doing: &str, e: std::io::Error) -> Error {
        Error::io(
            format!("{doing} the journal {}", self.journal.path.display()),
            e,
        )
    }

    /// Applies every line appended since the last visit.
    fn catch_up(&mut self) -> Result<()> {
        let mut bytes = Vec::new();
        let mut file = &self.journal.file;
        file.seek(SeekFrom::Start(self.state.replay.offset))
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(|e| self.io_error("reading", e))?;
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let line_number = self.state.replay.lines + 1;
            let (line, has_newline) = match rest.iter().position(|&b| b == b'\n') {
                Some(end) => (&rest[..end], true),
                None => (rest, false),
            };
            rest = &rest[(line.len() + usize::from(has_newline)).min(rest.len())..];
            if line.iter().all(u8::is_ascii_whitespace) && has_newline {
                self.advance(line.len() as u64 + 1);
                continue;
            }
            match Record::from_line(line) {
                Ok((record, had_checksum)) => {
                    if self.state.replay.wants_checksum(&record) && !had_checksum {
                        return Err(self.error(
                            line_number,
                            "the line has no checksum, but every line of a journal of \
                             format 2 or later carries one: it was changed or written by \
                             something other than tunekit; restore the journal from a backup, \
                             or move it aside and start a new one",
                        ));
                    }
                    self.state
                        .replay
                        .apply(record)
                        .map_err(|message| self.error(line_number, message))?;
                    if !has_newline {
                        // The whole record made it, only its newline did not: keep it.
                        tracing::warn!(
                            journal = %self.journal.path.display(),
                            line = line_number,
                            "the last line of the journal had no newline (a write was cut short); completing it"
                        );
                        file.write_all(b"\n")
                            .map_err(|e| self.io_error("repairing", e))?;
                    }
                    self.advance(line.len() as u64 + 1);
                }
                Err(e) if !has_newline && is_torn(line) => {
                    let at = self.state.replay.offset;
                    tracing::warn!(
                        journal = %self.journal.path.display(),
                        line = line_number,
                        bytes = line.len(),
                        "skipping a torn last line (a write was cut short by a crash): {e}"
                    );
                    self.journal
                        .file
                        .set_len(at)
                        .map_err(|e| self.io_error("cutting a torn line off", e))?;
                    return Ok(());
                }
                Err(e) => return Err(self.error(line_number, e)),
            }
        }
        Ok(())
    }

    fn advance(&mut self, bytes: u64) {
        self.state.replay.offset += bytes;
        self.state.replay.lines += 1;
    }

    /// Writes one line (the replay must already have checked it fits) and applies it.
    fn append(&mut self, record: Record) -> Result<()> {
        let line = record
            .to_line(self.state.replay.wants_checksum(&record))
            .map_err(|e| Error::json("encoding a journal record", e))?;
        let mut file = &self.journal.file;
        if let Err(e) = file.write_all(&line) {
            // Never leave half a record behind: cut the file back to where it was.
            let _ = self.journal.file.set_len(self.state.replay.offset);
            return Err(self.io_error("appending to", e));
        }
        let sync = match self.journal.fsync {
            FsyncPolicy::EveryEvent => true,
            FsyncPolicy::OnFinish => record.is_milestone(),
            FsyncPolicy::Never => false,
        };
        if sync {
            self.journal
                .file
                .sync_data()
                .map_err(|e| self.io_error("syncing", e))?;
        }
        let line_number = self.state.replay.lines + 1;
        self.state.replay.apply(record).map_err(|message| {
            self.error(
                line_number,
                format!("just wrote a record that does not fit: {message}"),
            )
        })?;
        self.advance(line.len() as u64);
        Ok(())
    }

    fn header(&self) -> Result<&Header> {
        self.state.replay.header.as_ref().ok_or_else(|| {
            Error::Storage(format!(
                "the journal {} holds no study yet; pass it to StudyBuilder::storage before using it",
                self.journal.path.display()
            ))
        })
    }

    /// Marks failed every running trial whose owner has gone; returns their numbers.
    fn fail_stale(&mut self) -> Result<Vec<u64>> {
        self.state.last_stale_check = Some(Instant::now());
        let me = self.journal.owner.id();
        let candidates: Vec<(u64, Arc<str>)> = self
            .state
            .replay
            .foreign_running(me)
            .map(|(number, owner)| (number, Arc::clone(owner)))
            .collect();
        let mut gone: HashMap<Arc<str>, bool> = HashMap::new();
        let mut failed = Vec::new();
        for (number, owner) in candidates {
            let is_gone = match gone.get(&owner) {
                Some(&known) => known,
                None => {
                    let verdict = owner::is_gone(&self.journal.owners_dir, &owner)?;
                    gone.insert(Arc::clone(&owner), verdict);
                    verdict
                }
            };
            if !is_gone {
                continue;
            }
            tracing::warn!(
                journal = %self.journal.path.display(),
                trial = number,
                owner = %owner,
                "marking a trial of a process that died as failed (stale)"
            );
            self.append(Record::Finished {
                number,
                outcome: Outcome::Failed(format!(
                    "stale: the process that ran it ({owner}) stopped before finishing it"
                )),
                finished_at: Utc::now(),
            })?;
            failed.push(number);
        }
        // Now that no dead owner has a running trial, its file can go.
        let running = self.state.replay.running_owners();
        // Housekeeping only: the trials are already right, so a failure here is a warning.
        match owner::remove_gone(&self.journal.owners_dir, me, &running) {
            Ok(removed) if !removed.is_empty() => tracing::debug!(
                journal = %self.journal.path.display(),
                owners = ?removed,
                "removed the owner files of processes that have gone"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(
                journal = %self.journal.path.display(),
                "could not remove the owner files of processes that have gone: {e}"
            ),
        }
        Ok(failed)
    }
}

/// Whether an unparsable last line without a newline is what a crash mid-write leaves: the
/// start of a record cut short (JSON that ends too early), or the zeros some file systems
/// show after a power loss (or blanks, which hold nothing either). A complete line, or
/// one that is wrong before it ends, is not torn: it is an error.
fn is_torn(line: &[u8]) -> bool {
    if line.iter().all(|&b| b == 0 || b.is_ascii_whitespace()) || RECORD_PREFIX.starts_with(line) {
        return true;
    }
    line.starts_with(RECORD_PREFIX)
        && serde_json::from_slice::<serde_json::Value>(line)
            .is_err_and(|e| e.classify() == serde_json::error::Category::Eof)
}

impl Storage for Journal {
    fn open(&self, info: &StudyInfo) -> Result<Option<StudyInfo>> {
        self.locked(|session| {
            let stored = match session.state.replay.header.clone() {
                None => {
                    session.append(Record::Study {
                        format: FORMAT,
                        name: info.name.clone(),
                        direction: info.direction,
                        space: info.space.clone(),
                        created_at: Utc::now(),
                    })?;
                    None
                }
                Some(header) => Some(StudyInfo {
                    name: header.name,
                    direction: header.direction,
                    space: header.space,
                }),
            };
            session.fail_stale()?;
            Ok(stored)
        })
    }

    fn set_space(&self, space: &SearchSpace) -> Result<()> {
        self.locked(|session| {
            session.header()?;
            session.append(Record::Space {
                space: space.clone(),
            })
        })
    }

    fn describe(&self) -> String {
        format!("the journal {}", self.path.display())
    }

    fn create_trial(&self, propose: &mut Propose<'_>) -> Result<Option<Trial>> {
        self.locked(|session| {
            session.header()?;
            let due = session
                .state
                .last_stale_check
                .is_none_or(|at| at.elapsed() >= session.journal.stale_check_every);
            if due {
                session.fail_stale()?;
            }
            let Some(params) = propose(&session.state.replay.trials)? else {
                return Ok(None);
            };
            let number = session.state.replay.trials.len() as u64;
            if let Err(why) = session.state.replay.check_params(&params) {
                return Err(Error::Storage(format!(
                    "the journal {}: refusing to record trial {number}, whose proposed params \
                     do not fit the study's space there: {why}; if another process changed \
                     the space (StudyBuilder::allow_space_change), rebuild this study with \
                     the new space",
                    session.journal.path.display()
                )));
            }
            session.append(Record::Started {
                number,
                owner: session.journal.owner.id().to_owned(),
                started_at: Utc::now(),
                params,
            })?;
            Ok(session.state.replay.trials.last().cloned())
        })
    }

    fn record(&self, event: TrialEvent) -> Result<()> {
        self.locked(|session| {
            session.header()?;
            session.state.replay.check(&event)?;
            session.append(event.into())
        })
    }

    fn read(&self, read: &mut dyn FnMut(&[Trial])) -> Result<()> {
        self.locked(|session| {
            read(&session.state.replay.trials);
            Ok(())
        })
    }

    fn fail_stale_trials(&self) -> Result<Vec<u64>> {
        self.locked(|session| {
            session.header()?;
            session.fail_stale()
        })
    }
}
