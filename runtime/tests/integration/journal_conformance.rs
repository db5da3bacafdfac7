//! The storage conformance suite, run against the journal file backend.

use std::time::Duration;

use tunekit_runtime::storage::conformance::Backend;
use tunekit_runtime::storage::{Journal, Storage};

/// Each place is a journal file in one temporary folder.
struct JournalBackend {
    dir: tempfile::TempDir,
}

impl Backend for JournalBackend {
    fn handle(&self, place: &str) -> Box<dyn Storage> {
        let path = self.dir.path().join(format!("{place}.jsonl"));
        Box::new(Journal::open(path).expect("open journal"))
    }

    fn persistent(&self) -> bool {
        true
    }

    /// The journal detects dead workers by their released owner locks, not by heartbeats.
    fn stale_after(&self) -> Option<Duration> {
        None
    }
}

fn backend() -> Option<JournalBackend> {
    Some(JournalBackend {
        dir: tempfile::tempdir().expect("temp dir"),
    })
}

tunekit_runtime::storage_conformance_tests!(backend());
