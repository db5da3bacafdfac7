//! Which process owns a running trial, and whether that process is still alive.
//!
//! Each open [`Journal`](super::Journal) creates a small file in `<journal>.owners/`, named
//! by a fresh owner id, and holds an exclusive advisory lock on it for as long as it is
//! open. Its trials carry that id. The operating system drops the lock when the process
//! dies, however it dies (SIGKILL, power loss, OOM killer), so "the lock can be taken" is an
//! exact test for "the owner is gone": no clock, no grace period, no false alarm for a
//! trial that merely runs for a long time.

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
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(format!("creating the owner file {}", path.display()), e))?;
        FileExt::try_lock(&file).map_err(|e| {
            Error::io(
                format!("locking the owner file {}", path.display()),
                e.into(),
            )
        })?;
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
    fn ids_that_would_escape_the_directory_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for id in ["../x", "", ".hidden", "a/b"] {
            assert!(is_gone(dir.path(), id).is_err(), "{id}");
        }
    }
}
