//! Which process owns a running trial, and whether that process is still alive.
//!
//! Each open [`Journal`](super::Journal) creates a small file in `<journal>.owners/`, named
//! by a fresh owner id, and holds an exclusive advisory lock on it for as long as it is
//! open. Its trials carry that id. The operating system drops the lock when the process
//! dies, however it dies (SIGKILL, power loss, OOM killer), so "the lock can be taken" is an
//! exact test for "the owner is gone": no clock, no grace period, no false alarm for a
//! trial that merely runs for a long time.
//!
//! A claim is made under a hidden name (`.claiming-<id>`), locked, and only then renamed
//! to `<id>`; the lock belongs to the open file, so it survives the rename. Anything named
//! by an id is therefore locked from the moment it can be seen, and a process looking
//! for dead owners never takes the lock of one that is just starting. Owner files whose
//! lock is free and that own no running trial are removed ([`remove_gone`]), so the
//! directory does not grow with every killed process.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use fs4::{FileExt, TryLockError};

use crate::error::{Error, Result};

/// This process's claim on its trials: a locked file that lives as long as the journal.
#[derive(Debug)]
pub(super) struct Owner {
    id: String,
    path: PathBuf,
    file: File,
}

impl Owner {
    /// Creates and locks a fresh owner file in `dir`.
    pub(super) fn claim(dir: &Path) -> Result<Owner> {
        fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating the owner directory {}", dir.display()), e))?;
        let id = format!("pid{}-{:016x}", std::process::id(), rand::random::<u64>());
        let path = dir.join(&id);
        let claiming = dir.join(format!("{CLAIMING}{id}"));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&claiming)
            .map_err(|e| Error::io(format!("creating the owner file {}", claiming.display()), e))?;
        let locked = FileExt::try_lock(&file)
            .map_err(|e| {
                Error::io(
                    format!("locking the owner file {}", claiming.display()),
                    e.into(),
                )
            })
            .and_then(|()| {
                fs::rename(&claiming, &path)
                    .map_err(|e| Error::io(format!("naming the owner file {}", path.display()), e))
            });
        if let Err(e) = locked {
            let _ = fs::remove_file(&claiming);
            return Err(e);
        }
        Ok(Owner { id, path, file })
    }

    /// The id written into this process's `started` records.
    pub(super) fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        // Removing the file while still holding the lock means nobody can mistake a
        // half-removed owner for a live one; trials this journal leaves running become
        // stale for the next process that looks, which is what they are.
        let _ = fs::remove_file(&self.path);
        let _ = FileExt::unlock(&self.file);
    }
}

/// How the name of an owner file starts while it is being claimed (not yet locked).
const CLAIMING: &str = ".claiming-";

/// Removes the owner files in `dir` whose lock is free (their process has gone) and whose
/// id is not in `running` (the owners of running trials, whose trials must be failed
/// first); returns the ids removed. Hidden files (claims in progress) and `me` are left
/// alone. The lock is held while the file is removed, so a file is never removed from
/// under a live owner.
pub(super) fn remove_gone(dir: &Path, me: &str, running: &HashSet<&str>) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::io(
                format!("listing the owner directory {}", dir.display()),
                e,
            ))
        }
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry
            .map_err(|e| Error::io(format!("listing the owner directory {}", dir.display()), e))?;
        let Ok(id) = entry.file_name().into_string() else {
            continue; // not a name this code writes
        };
        if id.starts_with('.') || id == me || running.contains(id.as_str()) {
            continue;
        }
        let path = entry.path();
        let file = match OpenOptions::new().write(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(Error::io(
                    format!("opening the owner file {}", path.display()),
                    e,
                ))
            }
        };
        match FileExt::try_lock(&file) {
            Ok(()) => {
                fs::remove_file(&path).map_err(|e| {
                    Error::io(
                        format!(
                            "removing the owner file {} of a process that has gone",
                            path.display()
                        ),
                        e,
                    )
                })?;
                removed.push(id);
            }
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => {
                return Err(Error::io(
                    format!("checking the owner file {}", path.display()),
                    e,
                ))
            }
        }
    }
    Ok(removed)
}

/// Whether the process that owns `id` has gone: its owner file is missing (it was cleaned
/// up, or the journal was moved without its `.owners` directory) or unlocked.
///
/// On `true` the owner file is removed, so the directory does not grow with every run.
pub(super) fn is_gone(dir: &Path, id: &str) -> Result<bool> {
    if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
        // Not an id this code wrote; never turn it into a path outside `dir`.
        return Err(Error::Storage(format!(
            "owner id `{id}` in the journal is not one tunekit writes; the file was edited or is corrupted"
        )));
    }
    let path = dir.join(id);
    let file = match OpenOptions::new().write(true).open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(true),
        Err(e) => {
            return Err(Error::io(
                format!("opening the owner file {}", path.display()),
                e,
            ))
        }
    };
    match FileExt::try_lock(&file) {
        Ok(()) => {
            let _ = fs::remove_file(&path);
            Ok(true)
        }
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(e)) => Err(Error::io(
            format!("checking the owner file {}", path.display()),
            e,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_is_alive_while_its_claim_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let owner = Owner::claim(dir.path()).unwrap();
        let id = owner.id().to_owned();
        assert!(!is_gone(dir.path(), &id).unwrap());
        assert!(
            !is_gone(dir.path(), &id).unwrap(),
            "checking must not steal the claim"
        );
        drop(owner);
        assert!(is_gone(dir.path(), &id).unwrap());
        assert!(is_gone(dir.path(), "pid1-never-existed").unwrap());
    }

    #[test]
    fn a_dead_owners_file_is_unlocked_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        // What a killed process leaves behind: the file, without the lock.
        fs::write(dir.path().join("pid7-dead"), b"").unwrap();
        assert!(is_gone(dir.path(), "pid7-dead").unwrap());
        assert!(!dir.path().join("pid7-dead").exists());
    }

    #[test]
    fn a_claim_is_named_by_its_id_only_once_locked() {
        let dir = tempfile::tempdir().unwrap();
        let owner = Owner::claim(dir.path()).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, [owner.id().to_owned()], "no claim left half made");
        assert!(remove_gone(dir.path(), "someone-else", &HashSet::new())
            .unwrap()
            .is_empty());
        assert!(
            !is_gone(dir.path(), owner.id()).unwrap(),
            "the rename kept the lock"
        );
    }

    #[test]
    fn only_unlocked_owners_without_running_trials_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let live = Owner::claim(dir.path()).unwrap();
        for name in ["pid7-dead", "pid8-dead-running", ".claiming-pid9-new"] {
            fs::write(dir.path().join(name), b"").unwrap();
        }
        let running = HashSet::from(["pid8-dead-running", live.id()]);
        let removed = remove_gone(dir.path(), "me", &running).unwrap();
        assert_eq!(removed, ["pid7-dead"]);
        for kept in ["pid8-dead-running", ".claiming-pid9-new", live.id()] {
            assert!(dir.path().join(kept).exists(), "{kept}");
        }
        assert!(remove_gone(dir.path(), "me", &HashSet::new()).unwrap() == ["pid8-dead-running"]);
        assert!(dir.path().join(live.id()).exists());
        assert!(
            remove_gone(&dir.path().join("missing"), "me", &HashSet::new())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn ids_that_would_escape_the_directory_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for id in ["../x", "", ".hidden", "a/b"] {
            assert!(is_gone(dir.path(), id).is_err(), "{id}");
        }
    }
}
