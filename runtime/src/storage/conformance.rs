//! One storage contract, one test suite: every backend runs these same tests, so the
//! behaviour of in-memory, journal and PostgreSQL storages cannot drift apart.
//!
//! A backend implements [`Backend`] (how to get handles on a study) and invokes
//! [`storage_conformance_tests!`](crate::storage_conformance_tests), which writes one
//! `#[test]` per case. Each case panics with a message naming the broken rule. Available
//! in this crate's tests and, for other crates and integration tests, with the
//! `conformance` cargo feature.
//!
//! The cases cover the [`Storage`] contract itself (numbering under concurrency, what
//! `create_trial` sees, finishing once, events that round-trip, reopening, stale trials)
//! and what a study needs from it: `open` returns what is stored, a reopened study with
//! another direction or space gets the same error on every backend, and a `propose` that
//! runs twice (a retried transaction) loses no enqueued config.
//!
//! A backend author's test file, here for the journal (with `tunekit` as a dependency and
//! `tunekit-runtime = { version = "=0.1.0", features = ["conformance"] }` as a
//! dev-dependency, which turns the suite on under `tunekit::storage` too):
//!
//! ```
//! use std::time::Duration;
//! use tunekit::storage::conformance::Backend;
//! use tunekit::storage::{Journal, Storage};
//!
//! /// Each place is a journal file in one temporary folder.
//! struct JournalBackend(tempfile::TempDir);
//!
//! impl Backend for JournalBackend {
//!     fn handle(&self, place: &str) -> Box<dyn Storage> {
//!         let path = self.0.path().join(format!("{place}.jsonl"));
//!         Box::new(Journal::open(path).expect("open journal"))
//!     }
//!     fn persistent(&self) -> bool {
//!         true // the trials outlive every handle
//!     }
//!     fn stale_after(&self) -> Option<Duration> {
//!         None // dead workers are found by their released locks, not by heartbeats
//!     }
//! }
//!
//! // One #[test] per case; `None` would skip them (say why on stderr).
//! tunekit::storage_conformance_tests!(tempfile::tempdir().ok().map(JournalBackend));
//! # fn main() {}
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{InMemory, Propose, Storage, StudyInfo};
use crate::error::{Error, Result};
use crate::space::{Domain, Params, SearchSpace};
use crate::trial::{Direction, Outcome, Trial};
use crate::trial::{TrialEvent, TrialState};

/// A storage backend under test.
pub trait Backend: Sync {
    /// A new, not yet opened handle on the study kept at `place`. Handles on one place
    /// share its trials, like workers on one study; each case uses its own places.
    fn handle(&self, place: &str) -> Box<dyn Storage>;

    /// Whether the trials outlive every handle (a file, a database), not only the
    /// process's first handle.
    fn persistent(&self) -> bool;

    /// The grace period after which a running trial without heartbeats is stale, as
    /// configured on the handles; `None` for a backend without heartbeats.
    fn stale_after(&self) -> Option<Duration>;
}

/// Writes one `#[test]` per conformance case. `$backend` is an expression of type
/// `Option<impl Backend>`, evaluated in each test; `None` skips the test (the expression
/// should say why on stderr, e.g. a missing database URL).
#[macro_export]
macro_rules! storage_conformance_tests {
    ($backend:expr) => {
        $crate::storage_conformance_tests!(@cases $backend;
            numbers_are_dense_and_unique_under_concurrency,
            create_trial_sees_every_earlier_trial,
            nothing_proposed_records_nothing,
            a_trial_finishes_once,
            events_round_trip,
            reopening_sees_everything,
            stale_trials_fail_exactly_once,
            open_returns_what_is_stored,
            reopening_checks_direction_and_space_alike,
            a_retried_proposal_loses_no_enqueued_config,
        );
    };
    (@cases $backend:expr; $($case:ident,)*) => {
        $(
            #[test]
            fn $case() {
                if let Some(backend) = $backend {
                    $crate::storage::conformance::$case(&backend);
                }
            }
        )*
    };
}

/// The in-memory backend: handles on one place share one [`InMemory`].
#[derive(Debug, Default)]
pub struct MemoryBackend {
    places: Mutex<HashMap<String, Arc<InMemory>>>,
}

impl MemoryBackend {
    /// A backend with no places yet.
    pub fn new() -> Self {
        MemoryBackend::default()
    }
}

impl Backend for MemoryBackend {
    fn handle(&self, place: &str) -> Box<dyn Storage> {
        let mut places = self.places.lock().unwrap_or_else(|e| e.into_inner());
        let shared = places.entry(place.to_owned()).or_default();
        Box::new(Arc::clone(shared))
    }

    fn persistent(&self) -> bool {
        false
    }

    fn stale_after(&self) -> Option<Duration> {
        None
    }
}

/// Threads × handles create trials at once: numbers are `0..n`, each given once, and
/// every trial holds the params its creator proposed.
pub fn numbers_are_dense_and_unique_under_concurrency(backend: &dyn Backend) {
    const THREADS: i64 = 4;
    const PER_THREAD: i64 = 25;
    let handles = [open(backend, "numbering"), open(backend, "numbering")];
    let created = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let (handle, created) = (&handles[thread as usize % 2], &created);
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    let tag = thread * 1000 + i;
                    let trial = create(handle.as_ref(), tag);
                    created.lock().unwrap().push((trial.number, tag));
                }
            });
        }
    });
    let mut created = created.into_inner().unwrap();
    created.sort_unstable();
    let numbers: Vec<u64> = created.iter().map(|(number, _)| *number).collect();
    let expected: Vec<u64> = (0..(THREADS * PER_THREAD) as u64).collect();
    assert_eq!(numbers, expected, "trial numbers must be dense and unique");
    for handle in &handles {
        let trials = snapshot(handle.as_ref());
        assert_eq!(
            trials.len(),
            expected.len(),
            "every handle sees every trial"
        );
        for (trial, (number, tag)) in trials.iter().zip(&created) {
            assert_eq!(trial.number, *number, "trials are indexed by number");
            assert_eq!(
                trial.params,
                params(*tag),
                "trial {number} keeps its params"
            );
            assert_eq!(trial.state, TrialState::Running);
        }
    }
}

/// Each proposal sees exactly the trials numbered below the new one, running ones
/// included, whichever handle created them; finished states show too.
pub fn create_trial_sees_every_earlier_trial(backend: &dyn Backend) {
    let handles = [open(backend, "atomic"), open(backend, "atomic")];
    // For each created trial: the tags of the trials its proposal saw.
    let seen_by = Mutex::new(BTreeMap::<u64, Vec<i64>>::new());
    std::thread::scope(|scope| {
        for thread in 0..4_i64 {
            let (handle, seen_by) = (&handles[thread as usize % 2], &seen_by);
            scope.spawn(move || {
                for i in 0..15 {
                    let mut seen = Vec::new();
                    let trial = handle
                        .create_trial(&mut |trials: &[Trial]| {
                            seen = trials.iter().map(tag_of).collect();
                            Ok(Some(params(thread * 1000 + i)))
                        })
                        .expect("create_trial")
                        .expect("a trial");
                    assert_eq!(
                        seen.len() as u64,
                        trial.number,
                        "the proposal of trial {} must see every earlier trial",
                        trial.number
                    );
                    seen_by.lock().unwrap().insert(trial.number, seen);
                }
            });
        }
    });
    let trials = snapshot(handles[0].as_ref());
    let tags: Vec<i64> = trials.iter().map(tag_of).collect();
    for (number, seen) in seen_by.into_inner().unwrap() {
        assert_eq!(
            seen,
            tags[..number as usize],
            "the proposal of trial {number} saw other trials than those numbered below it"
        );
    }
    // A state change on one handle is seen by the next proposal on the other.
    let last = trials.len() as u64;
    handles[0]
        .record(finished(0, Outcome::Complete(2.5), 1))
        .expect("finish trial 0");
    let mut first_state = None;
    let trial = handles[1]
        .create_trial(&mut |trials: &[Trial]| {
            first_state = Some((trials[0].state, trials[0].value));
            Ok(Some(params(-1)))
        })
        .expect("create_trial")
        .expect("a trial");
    assert_eq!(trial.number, last);
    assert_eq!(first_state, Some((TrialState::Complete, Some(2.5))));
}

/// A proposal of nothing, or an error, records no trial and uses up no number.
pub fn nothing_proposed_records_nothing(backend: &dyn Backend) {
    let storage = open(backend, "nothing");
    let none = storage
        .create_trial(&mut |_| Ok(None))
        .expect("create_trial");
    assert!(none.is_none(), "proposing nothing creates no trial");
    let error = storage
        .create_trial(&mut |_| Err(Error::Exhausted))
        .expect_err("the proposal's error is returned");
    assert!(matches!(error, Error::Exhausted), "got {error:?}");
    assert!(snapshot(storage.as_ref()).is_empty());
    assert_eq!(
        create(storage.as_ref(), 1).number,
        0,
        "no number was used up"
    );
}

/// A trial is finished exactly once and takes no event after that (no intermediate value,
/// no user attribute); events on unknown trials change nothing.
pub fn a_trial_finishes_once(backend: &dyn Backend) {
    let handles = [open(backend, "finish_once"), open(backend, "finish_once")];
    create(handles[0].as_ref(), 0);
    create(handles[0].as_ref(), 1);
    handles[0]
        .record(finished(0, Outcome::Complete(1.5), 1))
        .expect("first finish");
    for handle in &handles {
        let error = handle
            .record(finished(0, Outcome::Complete(9.0), 2))
            .expect_err("a second finish must fail");
        assert!(
            matches!(
                error,
                Error::TrialAlreadyFinished {
                    number: 0,
                    state: TrialState::Complete
                }
            ),
            "got {error:?}"
        );
        let error = handle
            .record(TrialEvent::Intermediate {
                number: 0,
                step: 0,
                value: 1.0,
            })
            .expect_err("no intermediate value after the finish");
        assert!(matches!(
            error,
            Error::TrialAlreadyFinished { number: 0, .. }
        ));
        let error = handle
            .record(TrialEvent::UserAttr {
                number: 0,
                key: "late".into(),
                value: serde_json::json!(1),
            })
            .expect_err("no user attribute after the finish");
        assert!(
            matches!(error, Error::TrialAlreadyFinished { number: 0, .. }),
            "got {error:?}"
        );
    }
    for event in [
        finished(7, Outcome::Pruned, 3),
        TrialEvent::Intermediate {
            number: 7,
            step: 0,
            value: 1.0,
        },
        TrialEvent::UserAttr {
            number: 7,
            key: "k".into(),
            value: serde_json::json!(1),
        },
    ] {
        let error = handles[1]
            .record(event)
            .expect_err("trial 7 does not exist");
        assert!(matches!(error, Error::UnknownTrial(7)), "got {error:?}");
    }
    handles[1]
        .record(finished(1, Outcome::Failed("boom".into()), 4))
        .expect("finish trial 1");
    for handle in &handles {
        let trials = snapshot(handle.as_ref());
        assert_eq!(trials.len(), 2, "unknown trials were not created");
        assert_eq!(
            (trials[0].state, trials[0].value),
            (TrialState::Complete, Some(1.5))
        );
        assert_eq!(trials[0].finished_at, Some(at(1)), "the first finish stays");
        assert!(trials[0].intermediate.is_empty());
        assert!(
            trials[0].user_attrs.is_empty(),
            "the finished trial is unchanged"
        );
        assert_eq!(trials[1].state, TrialState::Failed);
        assert_eq!(trials[1].failure.as_deref(), Some("boom"));
        assert_eq!(trials[1].value, None);
    }
}

/// Intermediate values, user attributes and outcomes read back exactly as recorded,
/// through the handle that wrote them and through another.
pub fn events_round_trip(backend: &dyn Backend) {
    let handles = [open(backend, "round_trip"), open(backend, "round_trip")];
    let mut expected: Vec<Trial> = (0..4).map(|tag| create(handles[0].as_ref(), tag)).collect();
    let attr = |number: u64, key: &str, value: serde_json::Value| TrialEvent::UserAttr {
        number,
        key: key.into(),
        value,
    };
    let step = |number: u64, step: u64, value: f64| TrialEvent::Intermediate {
        number,
        step,
        value,
    };
    let events = [
        step(0, 2, 0.5),
        step(0, 0, 3.0),
        step(0, 1, 1.25),
        step(0, 1, 1.0), // reported again: the last report counts
        attr(0, "folds", serde_json::json!([0.9, 0.8125])),
        attr(0, "note", serde_json::json!("first")),
        attr(
            0,
            "nested",
            serde_json::json!({"k": [1, null, true], "s": "ü\"\n"}),
        ),
        attr(0, "tiny", serde_json::json!(1e-7)),
        attr(0, "huge", serde_json::json!(1e300)),
        attr(0, "note", serde_json::json!("second")),
        finished(0, Outcome::Pruned, 10),
        step(1, 0, -2.0),
        attr(1, "just_before_finish", serde_json::json!({"ok": 1})),
        finished(1, Outcome::Complete(-0.125), 11),
        finished(
            2,
            Outcome::Failed("it broke: \"quoted\", ünïcode".into()),
            12,
        ),
        step(3, 5, f64::MAX),
        step(3, u64::from(u32::MAX), f64::MIN_POSITIVE),
    ];
    for (i, event) in events.into_iter().enumerate() {
        handles[i % 2].record(event.clone()).expect("record");
        expected[event.number() as usize]
            .apply(&event)
            .expect("the event is valid");
    }
    assert_eq!(
        expected[0].value,
        Some(0.5),
        "a pruned trial keeps its last value"
    );
    for handle in &handles {
        assert_eq!(snapshot(handle.as_ref()), expected);
    }
}

/// A handle opened later (after every earlier one is gone, for persistent backends) sees
/// every trial and event, numbering goes on, and opening returns the stored study.
pub fn reopening_sees_everything(backend: &dyn Backend) {
    let first = open(backend, "reopen");
    for tag in 0..3 {
        create(first.as_ref(), tag);
    }
    for event in [
        TrialEvent::Intermediate {
            number: 0,
            step: 1,
            value: 0.25,
        },
        TrialEvent::UserAttr {
            number: 1,
            key: "k".into(),
            value: serde_json::json!([1, 2]),
        },
        finished(0, Outcome::Complete(0.5), 1),
        finished(2, Outcome::Failed("x".into()), 2),
    ] {
        first.record(event).expect("record");
    }
    let before = snapshot(first.as_ref());
    let _kept = if backend.persistent() {
        drop(first);
        None
    } else {
        Some(first)
    };
    let second = open(backend, "reopen");
    let after = snapshot(second.as_ref());
    assert_eq!(after.len(), before.len(), "a new handle sees every trial");
    for (seen, recorded) in after.iter().zip(&before) {
        // A backend that knows the first handle is gone (the journal's released owner
        // lock) may fail its running trial as stale on reopen; nothing else may change.
        let failed_as_stale = recorded.state == TrialState::Running
            && seen.state == TrialState::Failed
            && seen
                .failure
                .as_deref()
                .is_some_and(|f| f.starts_with("stale"))
            && Trial {
                state: TrialState::Running,
                failure: None,
                finished_at: None,
                ..seen.clone()
            } == *recorded;
        assert!(
            seen == recorded || failed_as_stale,
            "a new handle sees everything: {seen:?} != {recorded:?}"
        );
    }
    assert_eq!(create(second.as_ref(), 3).number, 3, "numbering goes on");
    // Whether the study fits is the builder's call (see
    // `reopening_checks_direction_and_space_alike`): the storage returns what it holds.
    let stored = backend
        .handle("reopen")
        .open(&info("reopen"))
        .expect("reopen");
    assert_eq!(
        stored,
        Some(info("reopen")),
        "reopening returns the stored study"
    );
}

/// A trial whose worker stopped sending heartbeats is failed as stale exactly once, even
/// with two workers noticing at the same moment; a trial with heartbeats is left alone.
/// Backends without heartbeats never fail trials this way.
pub fn stale_trials_fail_exactly_once(backend: &dyn Backend) {
    let dying = open(backend, "stale");
    create(dying.as_ref(), 0); // abandoned: no heartbeat from now on
    create(dying.as_ref(), 1); // kept alive below
    let Some(grace) = backend.stale_after() else {
        assert_eq!(dying.heartbeat_interval(), None);
        dying.heartbeat(&[0, 1]).expect("heartbeat");
        assert_eq!(
            dying.fail_stale_trials().expect("fail_stale_trials"),
            Vec::<u64>::new()
        );
        assert!(snapshot(dying.as_ref())
            .iter()
            .all(|t| t.state == TrialState::Running));
        return;
    };
    let interval = dying
        .heartbeat_interval()
        .expect("a backend with a grace period has a heartbeat interval");
    assert!(
        interval < grace,
        "heartbeats must come more often than the grace period"
    );
    let watchers = [open(backend, "stale"), open(backend, "stale")];
    assert_eq!(
        watchers[0].fail_stale_trials().expect("fail"),
        Vec::<u64>::new()
    );
    let done = std::sync::atomic::AtomicBool::new(false);
    let barrier = Barrier::new(2);
    let results = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                dying.heartbeat(&[1]).expect("heartbeat");
                std::thread::sleep(interval);
            }
        });
        std::thread::sleep(grace + grace / 2);
        let noticing: Vec<_> = watchers
            .iter()
            .map(|watcher| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    watcher.fail_stale_trials().expect("fail_stale_trials")
                })
            })
            .collect();
        let results: Vec<Vec<u64>> = noticing.into_iter().map(|h| h.join().unwrap()).collect();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        results
    });
    let mut failed: Vec<u64> = results.concat();
    failed.sort_unstable();
    assert_eq!(
        failed,
        vec![0],
        "trial 0 is failed exactly once, trial 1 not at all"
    );
    assert_eq!(
        watchers[1].fail_stale_trials().expect("fail"),
        Vec::<u64>::new()
    );
    let trials = snapshot(watchers[0].as_ref());
    assert_eq!(trials[0].state, TrialState::Failed);
    let reason = trials[0].failure.as_deref().unwrap_or_default();
    assert!(reason.starts_with("stale"), "failure reason: {reason:?}");
    assert!(trials[0].finished_at.is_some());
    assert_eq!(trials[1].state, TrialState::Running);
    // The abandoned worker coming back cannot overwrite the verdict.
    let error = dying
        .record(finished(0, Outcome::Complete(1.0), 1))
        .expect_err("a stale trial is finished");
    assert!(matches!(
        error,
        Error::TrialAlreadyFinished { number: 0, .. }
    ));
    dying
        .record(finished(1, Outcome::Complete(1.0), 2))
        .expect("the live trial finishes normally");
}

/// Opening creates the study and returns nothing; a later open returns exactly what is
/// stored, and after `set_space` the new space: storages store, the builder judges.
pub fn open_returns_what_is_stored(backend: &dyn Backend) {
    let place = "conformance_open_returns_stored";
    let first = backend.handle(place);
    let created = first.open(&info(place)).expect("open a new study");
    assert_eq!(created, None, "a new study has nothing stored");
    let mut wanted = info(place);
    wanted.direction = Direction::Maximize;
    let stored = backend
        .handle(place)
        .open(&wanted)
        .expect("open an existing study")
        .expect("an existing study is returned");
    assert_eq!(
        stored,
        info(place),
        "open returns the stored study, not the one asked for, and judges nothing"
    );
    let wider = wider_space();
    first.set_space(&wider).expect("set_space");
    let stored = backend
        .handle(place)
        .open(&info(place))
        .expect("open again")
        .expect("still there");
    assert_eq!(stored.space, wider, "set_space replaces the stored space");
    assert!(!first.describe().is_empty(), "describe names the storage");
}

/// A reopened study with another direction is an [`Error::Config`], with another space an
/// [`Error::InvalidSpace`] naming the param, on every backend; param order does not
/// count, and [`allow_space_change`](crate::StudyBuilder::allow_space_change) records the
/// new space for the next reopen.
pub fn reopening_checks_direction_and_space_alike(backend: &dyn Backend) {
    use crate::study::Study;

    let place = "conformance_reopen_checks";
    let space = info(place).space;
    let value = |p: &Params| -> Result<f64> { Ok(p.get::<f64>("x")?.abs()) };
    let build = |study: crate::study::StudyBuilder<SearchSpace>| {
        study.name(place).storage(backend.handle(place)).build()
    };
    let first = build(Study::minimize(space.clone()).seed(1)).expect("a new study");
    first.optimize(2, value).expect("two trials");

    match build(Study::maximize(space.clone())) {
        Err(Error::Config(message)) => assert!(
            message.contains("which minimizes, but this study maximizes"),
            "{message}"
        ),
        other => panic!(
            "another direction: expected Error::Config, got {:?}",
            other.err()
        ),
    }

    let reordered = SearchSpace::builder()
        .add("opt", Domain::categorical(["adam", "sgd"]))
        .add("lr", Domain::float(1e-6, 1.0))
        .add("x", Domain::int(-1_000_000, 1_000_000))
        .build()
        .expect("a valid space");
    let same = build(Study::minimize(reordered)).expect("the same params in another order");
    assert_eq!(same.trials().expect("trials").len(), 2);

    let wider = wider_space();
    match build(Study::minimize(wider.clone())) {
        Err(Error::InvalidSpace { param, message }) => {
            assert_eq!(param, "x");
            assert!(message.contains("allow_space_change"), "{message}");
        }
        other => panic!(
            "another space: expected Error::InvalidSpace, got {:?}",
            other.err()
        ),
    }
    let extended = build(Study::minimize(wider.clone()).allow_space_change())
        .expect("a changed space, allowed");
    assert_eq!(extended.trials().expect("trials").len(), 2);
    build(Study::minimize(wider)).expect("the recorded space reopens without the flag");
    match build(Study::minimize(space)) {
        Err(Error::InvalidSpace { param, .. }) => assert_eq!(param, "x"),
        other => panic!(
            "the old space: expected Error::InvalidSpace, got {:?}",
            other.err()
        ),
    }
}

/// A storage whose `create_trial` calls `propose` twice, as a backend retrying a lost
/// transaction does; only the second proposal is recorded.
struct ProposeTwice(Box<dyn Storage>);

impl Storage for ProposeTwice {
    fn open(&self, info: &StudyInfo) -> Result<Option<StudyInfo>> {
        self.0.open(info)
    }
    fn set_space(&self, space: &SearchSpace) -> Result<()> {
        self.0.set_space(space)
    }
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn create_trial(&self, propose: &mut Propose<'_>) -> Result<Option<Trial>> {
        self.0.create_trial(&mut |trials| {
            propose(trials)?;
            propose(trials)
        })
    }
    fn record(&self, event: TrialEvent) -> Result<()> {
        self.0.record(event)
    }
    fn read(&self, read: &mut dyn FnMut(&[Trial])) -> Result<()> {
        self.0.read(read)
    }
}

/// `propose` may run more than once for one trial: every enqueued config is still
/// evaluated, once, in order.
pub fn a_retried_proposal_loses_no_enqueued_config(backend: &dyn Backend) {
    use crate::samplers::Random;
    use crate::study::Study;

    let place = "conformance_retried_proposal";
    let study = Study::minimize(info(place).space)
        .name(place)
        .sampler(Random)
        .seed(5)
        .storage(ProposeTwice(backend.handle(place)))
        .build()
        .expect("a study");
    for tag in [11, 12, 13] {
        study.enqueue(params(tag)).expect("enqueue");
    }
    let tags: Vec<i64> = (0..5)
        .map(|_| {
            let trial = study.ask().expect("ask");
            trial.params().get::<i64>("x").expect("an x")
        })
        .collect();
    assert_eq!(
        &tags[..3],
        [11, 12, 13],
        "every queued config, once, in order"
    );
    assert!(
        tags[3..].iter().all(|tag| ![11, 12, 13].contains(tag)),
        "then the sampler: {tags:?}"
    );
}

/// The space of [`info`] with a wider `x`.
fn wider_space() -> SearchSpace {
    SearchSpace::builder()
        .add("x", Domain::int(-1_000_000, 2_000_000))
        .add("lr", Domain::float(1e-6, 1.0))
        .add("opt", Domain::categorical(["adam", "sgd"]))
        .build()
        .expect("a valid space")
}

/// The study every case opens: one integer, one log-scaled float, one categorical.
pub fn info(place: &str) -> StudyInfo {
    StudyInfo {
        name: place.to_owned(),
        direction: Direction::Minimize,
        space: SearchSpace::builder()
            .add("x", Domain::int(-1_000_000, 1_000_000))
            .add("lr", Domain::float(1e-6, 1.0))
            .add("opt", Domain::categorical(["adam", "sgd"]))
            .build()
            .expect("a valid space"),
    }
}

/// Params that identify `tag` (its `x`), with a float and a string that must round-trip.
pub fn params(tag: i64) -> Params {
    Params::new()
        .with("x", tag)
        .with("lr", 1e-6 + (tag.unsigned_abs() % 997) as f64 / 997.0 * 0.1)
        .with("opt", if tag % 2 == 0 { "adam" } else { "sgd" })
}

fn tag_of(trial: &Trial) -> i64 {
    trial.params.get("x").expect("every trial has an x")
}

fn open(backend: &dyn Backend, place: &str) -> Box<dyn Storage> {
    let storage = backend.handle(place);
    storage.open(&info(place)).expect("open the study");
    storage
}

fn create(storage: &dyn Storage, tag: i64) -> Trial {
    storage
        .create_trial(&mut |_| Ok(Some(params(tag))))
        .expect("create_trial")
        .expect("a trial")
}

fn snapshot(storage: &dyn Storage) -> Vec<Trial> {
    let mut all = Vec::new();
    storage
        .read(&mut |trials| all = trials.to_vec())
        .expect("read");
    all
}

/// A finish time with whole microseconds (what databases keep), `seconds` after a fixed
/// instant.
fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + seconds, 123_456_000).expect("a valid time")
}

fn finished(number: u64, outcome: Outcome, seconds: i64) -> TrialEvent {
    TrialEvent::Finished {
        number,
        outcome,
        finished_at: at(seconds),
    }
}

#[cfg(test)]
mod in_memory {
    crate::storage_conformance_tests!(Some(super::MemoryBackend::new()));
}
