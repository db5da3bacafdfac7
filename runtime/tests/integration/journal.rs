//! Journal storage within one process: resuming, torn and corrupted files, space checks,
//! stale trials, and several journals on one file.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tunekit_runtime::{
    samplers::{Grid, Random},
    storage::{FsyncPolicy, Journal, Storage, StudyInfo},
    Direction, Domain, Error, Outcome, Params, SearchSpace, Study, TrialContext, TrialState,
};

fn space() -> SearchSpace {
    SearchSpace::builder()
        .add("x", Domain::int(0, 9))
        .add("kind", Domain::categorical(["a", "b"]))
        .build()
        .unwrap()
}

fn value_of(params: &Params) -> f64 {
    let x: f64 = params.get("x").unwrap();
    let bonus = if params.get::<String>("kind").unwrap() == "a" {
        0.5
    } else {
        0.0
    };
    (x - 4.0).abs() + bonus
}

fn study(path: &Path) -> tunekit_runtime::Result<Study<SearchSpace>> {
    Study::minimize(space())
        .seed(3)
        .storage(Journal::open(path)?)
        .build()
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn append_raw(path: &Path, bytes: &[u8]) {
    OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
}

fn config_message(err: Error) -> String {
    match err {
        Error::Config(message) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

fn storage_message(err: Error) -> String {
    match err {
        Error::Storage(message) => message,
        other => panic!("expected a storage error, got {other:?}"),
    }
}

#[test]
fn a_reopened_study_has_every_trial_and_continues_its_numbering() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.jsonl");
    let first = study(&path).unwrap();
    first
        .optimize(6, |p: &Params, trial: &mut TrialContext| {
            trial.report(0, f64::NAN)?;
            trial.report(1, value_of(p) + 1.0)?;
            trial.set_user_attr("note", format!("x={}", p.get::<i64>("x")?))?;
            if p.get::<i64>("x")? == 9 {
                return Err("nine is unlucky".into());
            }
            Ok::<f64, Box<dyn std::error::Error + Send + Sync>>(value_of(p))
        })
        .unwrap();
    let before = first.trials().unwrap();
    let best_before = first.best().map(|b| (b.number, b.value));
    drop(first);

    let second = study(&path).unwrap();
    let after = second.trials().unwrap();
    assert_eq!(after.len(), 6);
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a.number, b.number);
        assert_eq!(a.state, b.state);
        assert_eq!(a.params, b.params);
        assert_eq!(a.value, b.value);
        assert_eq!(a.failure, b.failure);
        assert_eq!(a.user_attrs, b.user_attrs);
        assert_eq!(a.started_at, b.started_at);
        assert_eq!(a.finished_at, b.finished_at);
        assert!(b.intermediate[&0].is_nan());
        assert_eq!(a.intermediate[&1], b.intermediate[&1]);
    }
    assert_eq!(second.best().map(|b| (b.number, b.value)), best_before);
    second.optimize(4, value_of).unwrap();
    let numbers: Vec<u64> = second.trials().unwrap().iter().map(|t| t.number).collect();
    assert_eq!(numbers, (0..10).collect::<Vec<_>>());
}

#[test]
fn a_resumed_grid_never_repeats_a_point() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grid.jsonl");
    let grid = |path: &Path| {
        Study::minimize(space())
            .sampler(Grid::new())
            .storage(Journal::open(path).unwrap())
            .build()
            .unwrap()
    };
    grid(&path).optimize(7, value_of).unwrap();
    grid(&path).optimize(5, value_of).unwrap();
    let study = grid(&path);
    let stop = study.optimize(100, value_of).unwrap();
    assert_eq!(stop, tunekit_runtime::StopReason::Exhausted);
    let trials = study.trials().unwrap();
    assert_eq!(
        trials.len(),
        20,
        "10 x values times 2 kinds, each exactly once"
    );
    for (i, a) in trials.iter().enumerate() {
        assert!(
            trials[..i].iter().all(|b| b.params != a.params),
            "trial {i} repeats a point"
        );
    }
    assert_eq!(study.best().unwrap().value, 0.0);
}

#[test]
fn a_torn_last_line_is_cut_off_and_the_study_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("torn.jsonl");
    study(&path).unwrap().optimize(3, value_of).unwrap();
    let intact = fs::read(&path).unwrap();
    // What a crash in the middle of writing `finished` leaves.
    append_raw(
        &path,
        br#"{"record":"started","number":3,"owner":"pid1-x","started_at":"2026-"#,
    );

    let reopened = study(&path).unwrap();
    assert_eq!(reopened.trials().unwrap().len(), 3);
    assert_eq!(&fs::read(&path).unwrap()[..intact.len()], &intact[..]);
    reopened.optimize(2, value_of).unwrap();
    let trials = reopened.trials().unwrap();
    assert_eq!(trials.len(), 5);
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    drop(reopened);
    // Every line of the repaired file parses: the torn bytes are gone, not buried.
    for line in lines(&path) {
        assert!(
            serde_json::from_str::<serde_json::Value>(&line).is_ok(),
            "{line}"
        );
    }
}

#[test]
fn a_whole_last_record_without_its_newline_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-newline.jsonl");
    let first = study(&path).unwrap();
    let asked = first.ask().unwrap();
    drop(first);
    // The `finished` line made it to disk, its newline did not.
    let finished = format!(
        r#"{{"record":"finished","number":{},"outcome":{{"complete":1.5}},"finished_at":"2026-11-27T12:00:00Z"}}"#,
        asked.number()
    );
    append_raw(&path, with_checksum(&finished).as_bytes());
    let reopened = study(&path).unwrap();
    let trials = reopened.trials().unwrap();
    assert_eq!(trials[0].state, TrialState::Complete);
    assert_eq!(trials[0].value, Some(1.5));
    reopened.optimize(1, value_of).unwrap();
    assert_eq!(reopened.trials().unwrap().len(), 2);
}

#[test]
fn zeros_left_by_a_power_loss_at_the_end_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zeros.jsonl");
    study(&path).unwrap().optimize(2, value_of).unwrap();
    append_raw(&path, &[0; 512]);
    let reopened = study(&path).unwrap();
    assert_eq!(reopened.trials().unwrap().len(), 2);
}

#[test]
fn corruption_before_the_last_line_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.jsonl");
    study(&path).unwrap().optimize(3, value_of).unwrap();
    let mut content = lines(&path);
    content[2] = content[2].replacen("\"record\"", "\"recrod\"", 1);
    fs::write(&path, content.join("\n") + "\n").unwrap();
    let size = fs::metadata(&path).unwrap().len();

    let message = storage_message(study(&path).err().unwrap());
    assert!(
        message.starts_with(&format!(
            "journal {}, line 3: the line does not match its checksum",
            path.display()
        )),
        "{message}"
    );
    assert_eq!(
        fs::metadata(&path).unwrap().len(),
        size,
        "an erroring open must not change the file"
    );
}

#[test]
fn a_line_that_contradicts_the_ones_before_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contradiction.jsonl");
    study(&path).unwrap().optimize(2, value_of).unwrap();
    // A second `finished` for trial 0, then a valid trial after it: not a torn tail.
    let finished_again = r#"{"record":"finished","number":0,"outcome":{"complete":9.0},"finished_at":"2026-11-27T12:00:00Z"}"#;
    append_raw(
        &path,
        format!("{}\n", with_checksum(finished_again)).as_bytes(),
    );
    let message = storage_message(study(&path).err().unwrap());
    assert_eq!(
        message,
        format!(
            "journal {}, line 6: trial 0 is already finished (complete); a trial is told exactly once",
            path.display()
        )
    );
}

#[test]
fn a_file_that_is_not_a_journal_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    fs::write(&path, "shopping list\neggs").unwrap();
    let message = storage_message(study(&path).err().unwrap());
    assert!(
        message.starts_with(&format!(
            "journal {}, line 1: not a journal record: expected value",
            path.display()
        )),
        "{message}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "shopping list\neggs");

    // One line without a newline is not mistaken for a torn record either.
    fs::write(&path, "eggs").unwrap();
    assert!(study(&path).is_err());
    assert_eq!(fs::read_to_string(&path).unwrap(), "eggs");
}

#[test]
fn a_journal_of_another_study_or_direction_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.jsonl");
    study(&path).unwrap();
    let renamed = Study::minimize(space())
        .name("other")
        .storage(Journal::open(&path).unwrap())
        .build();
    assert_eq!(
        config_message(renamed.err().unwrap()),
        format!(
            "the journal {} holds study `study`, not `other`: name the study `study` \
             (StudyBuilder::name) or use another storage",
            path.display()
        )
    );
    let flipped = Study::maximize(space())
        .storage(Journal::open(&path).unwrap())
        .build();
    assert_eq!(
        config_message(flipped.err().unwrap()),
        format!(
            "the journal {} holds study `study`, which minimizes, but this study maximizes: \
             a study's direction cannot change; use another study name or the same direction",
            path.display()
        )
    );
}

#[test]
fn a_different_space_names_the_param_unless_the_study_may_extend() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("space.jsonl");
    study(&path).unwrap().optimize(3, value_of).unwrap();
    let wider = SearchSpace::builder()
        .add("x", Domain::int(0, 19))
        .add("kind", Domain::categorical(["a", "b"]))
        .add("depth", Domain::int(1, 3))
        .build()
        .unwrap();
    let refused = Study::minimize(wider.clone())
        .storage(Journal::open(&path).unwrap())
        .build();
    match refused.err().unwrap() {
        Error::InvalidSpace { param, message } => {
            assert_eq!(param, "x");
            assert!(
                message
                    .contains(r#"the stored space has {"name":"x","type":"int","low":0,"high":9"#)
                    && message.contains(r#""high":19"#)
                    && message.contains("StudyBuilder::allow_space_change()"),
                "{message}"
            );
        }
        other => panic!("expected InvalidSpace, got {other:?}"),
    }

    let extended = Study::minimize(wider.clone())
        .storage(Journal::open(&path).unwrap())
        .allow_space_change()
        .build()
        .unwrap();
    extended
        .optimize(2, |p: &Params| {
            p.get::<f64>("x").unwrap() + p.get::<f64>("depth").unwrap()
        })
        .unwrap();
    assert_eq!(extended.trials().unwrap().len(), 5);
    drop(extended);
    assert!(lines(&path)
        .iter()
        .any(|l| l.starts_with(r#"{"record":"space""#)));
    // The extended space is now the study's space: reopening with it needs no flag,
    // and the old space is the one refused.
    Study::minimize(wider)
        .storage(Journal::open(&path).unwrap())
        .build()
        .unwrap();
    let old = study(&path).err().unwrap();
    assert!(
        matches!(old, Error::InvalidSpace { ref param, .. } if param == "x"),
        "{old:?}"
    );
}

#[test]
fn trials_of_a_closed_journal_become_stale_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stale.jsonl");
    let info = StudyInfo {
        name: "study".into(),
        direction: Direction::Minimize,
        space: space(),
    };
    let propose = |x: i64| {
        move |_: &[tunekit_runtime::Trial]| Ok(Some(Params::new().with("x", x).with("kind", "a")))
    };

    let alive = Journal::open(&path).unwrap();
    alive.open(&info).unwrap();
    alive.create_trial(&mut propose(1)).unwrap().unwrap();
    let dying = Journal::open(&path).unwrap();
    dying.open(&info).unwrap();
    let orphan = dying.create_trial(&mut propose(2)).unwrap().unwrap();
    dying.create_trial(&mut propose(3)).unwrap().unwrap();
    dying
        .record(tunekit_runtime::trial::TrialEvent::Finished {
            number: 2,
            outcome: Outcome::Complete(1.0),
            finished_at: chrono::Utc::now(),
        })
        .unwrap();
    assert_eq!(orphan.number, 1);
    drop(dying); // its process "dies": the owner lock is released

    let a = Journal::open(&path).unwrap();
    let b = Journal::open(&path).unwrap();
    assert_eq!(a.fail_stale_trials().unwrap(), [1]);
    assert_eq!(b.fail_stale_trials().unwrap(), Vec::<u64>::new());
    a.open(&info).unwrap();
    assert_eq!(a.fail_stale_trials().unwrap(), Vec::<u64>::new());

    let mut states = Vec::new();
    b.read(&mut |trials| {
        states = trials
            .iter()
            .map(|t| (t.state, t.failure.clone().unwrap_or_default()))
            .collect()
    })
    .unwrap();
    assert_eq!(
        states[0],
        (TrialState::Running, String::new()),
        "the live owner's trial stays running"
    );
    assert_eq!(states[1].0, TrialState::Failed);
    assert!(
        states[1]
            .1
            .starts_with("stale: the process that ran it (pid"),
        "{}",
        states[1].1
    );
    assert_eq!(states[2].0, TrialState::Complete);
    let stale_lines = lines(&path).iter().filter(|l| l.contains("stale:")).count();
    assert_eq!(stale_lines, 1, "two journals noticed, one marked");
    drop(alive);
}

#[test]
fn a_running_trial_of_another_journal_is_visible_to_proposals() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visible.jsonl");
    let one = Study::minimize(space())
        .storage(Journal::open(&path).unwrap())
        .build()
        .unwrap();
    let two = Study::minimize(space())
        .storage(Journal::open(&path).unwrap())
        .build()
        .unwrap();
    let asked_by_one = one.ask().unwrap();
    let asked_by_two = two.ask().unwrap();
    assert_eq!((asked_by_one.number(), asked_by_two.number()), (0, 1));
    let running: Vec<_> = two.trials().unwrap().iter().map(|t| t.state).collect();
    assert_eq!(running, [TrialState::Running, TrialState::Running]);
    one.tell(&asked_by_one, 2.0).unwrap();
    assert_eq!(two.trials().unwrap()[0].value, Some(2.0));
    // A trial is told once, whichever process tries again.
    assert!(matches!(
        two.tell(0, 3.0),
        Err(Error::TrialAlreadyFinished { number: 0, .. })
    ));
    two.tell(&asked_by_two, 1.0).unwrap();
    assert_eq!(one.best().unwrap().number, 1);
}

#[test]
fn every_fsync_policy_writes_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut shapes = Vec::new();
    for (i, policy) in [
        FsyncPolicy::EveryEvent,
        FsyncPolicy::OnFinish,
        FsyncPolicy::Never,
    ]
    .into_iter()
    .enumerate()
    {
        let path = dir.path().join(format!("sync-{i}.jsonl"));
        let study = Study::minimize(space())
            .seed(11)
            .sampler(Random::new())
            .storage(Journal::open(&path).unwrap().fsync(policy))
            .build()
            .unwrap();
        study.optimize(4, value_of).unwrap();
        let trials = study.trials().unwrap();
        shapes.push(
            trials
                .iter()
                .map(|t| (t.params.clone(), t.value))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(shapes[0], shapes[1]);
    assert_eq!(shapes[1], shapes[2]);
}

#[test]
fn a_finished_trial_cannot_be_finished_again_and_the_file_does_not_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("twice.jsonl");
    let study = study(&path).unwrap();
    let asked = study.ask().unwrap();
    study.tell(&asked, 1.0).unwrap();
    let size = fs::metadata(&path).unwrap().len();
    assert!(study.tell(&asked, 2.0).is_err());
    assert!(matches!(study.tell(99, 2.0), Err(Error::UnknownTrial(99))));
    assert_eq!(fs::metadata(&path).unwrap().len(), size);
}

#[test]
fn two_journals_on_one_file_share_a_grid_without_repeating_a_point() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared-grid.jsonl");
    // Two journals are two file descriptions, locked against each other exactly like two
    // processes; each study also runs two worker threads.
    let studies: Vec<_> = (0..2)
        .map(|_| {
            Study::minimize(space())
                .sampler(Grid::new())
                .workers(2)
                .storage(Journal::open(&path).unwrap())
                .build()
                .unwrap()
        })
        .collect();
    // Each study's first trials wait (up to 5 s) until the other study has started one,
    // so both take part even if the scheduler starts one thread late.
    let started = [AtomicBool::new(false), AtomicBool::new(false)];
    std::thread::scope(|scope| {
        for (me, study) in studies.iter().enumerate() {
            let started = &started;
            scope.spawn(move || {
                let stop = study
                    .optimize(1000, |p: &Params| {
                        started[me].store(true, Ordering::SeqCst);
                        let deadline = Instant::now() + Duration::from_secs(5);
                        while !started[1 - me].load(Ordering::SeqCst) && Instant::now() < deadline {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        std::thread::sleep(Duration::from_millis(1));
                        value_of(p)
                    })
                    .unwrap();
                assert_eq!(stop, tunekit_runtime::StopReason::Exhausted);
            });
        }
    });
    let trials = studies[0].trials().unwrap();
    assert_eq!(trials.len(), 20);
    for (i, a) in trials.iter().enumerate() {
        assert_eq!(a.number, i as u64);
        assert_eq!(a.state, TrialState::Complete);
        assert!(
            trials[..i].iter().all(|b| b.params != a.params),
            "trial {i} repeats a point"
        );
    }
    let owners: std::collections::BTreeSet<String> = lines(&path)
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("owner").map(|o| o.to_string()))
        .collect();
    assert_eq!(owners.len(), 2, "both journals took part");
}

/// Reopens `path` expecting a storage error; checks it names the file and `line`, and that
/// neither the file nor its trials changed (nothing was cut off or failed as stale).
fn assert_refused_at_line(path: &Path, line: usize) -> String {
    let before = fs::read(path).unwrap();
    let message = storage_message(study(path).err().unwrap());
    assert!(
        message.starts_with(&format!("journal {}, line {line}: ", path.display())),
        "{message}"
    );
    assert_eq!(
        fs::read(path).unwrap(),
        before,
        "a refused journal is untouched"
    );
    message
}

/// `line` with the first digit of its `finished_at` month made 9 (month 90 to 99).
fn month_digit_changed(line: &str) -> String {
    let at = line.find("\"finished_at\":\"").unwrap() + "\"finished_at\":\"YYYY-".len();
    let mut bytes = line.as_bytes().to_vec();
    bytes[at] = b'9';
    String::from_utf8(bytes).unwrap()
}

#[test]
fn a_complete_last_line_that_does_not_parse_is_an_error_not_a_torn_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("last.jsonl");
    study(&path).unwrap().optimize(2, value_of).unwrap();
    let original = lines(&path);
    let last = original.len() - 1;
    assert!(original[last].contains(r#""record":"finished""#));
    let variants = [
        month_digit_changed(&original[last]),
        original[last].replacen(
            "{\"record\":\"finished\",",
            "{\"record\":\"finished\",\"extra\":1,",
            1,
        ),
        original[last].replacen("\"record\":\"finished\"", "\"record\":\"vanished\"", 1),
        original[last].replacen("T", "X", 1),
    ];
    for variant in variants {
        assert_ne!(variant, original[last]);
        let mut content = original.clone();
        content[last] = variant;
        fs::write(&path, content.join("\n") + "\n").unwrap();
        assert_refused_at_line(&path, last + 1);
    }
    // The same line without its newline is not a torn write either: it is complete JSON.
    let mut content = original.clone();
    content[last] = content[last].replacen("\"record\":\"finished\"", "\"record\":\"vanished\"", 1);
    fs::write(&path, content.join("\n")).unwrap();
    assert_refused_at_line(&path, last + 1);
}

#[test]
fn a_journal_of_a_newer_format_says_to_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.jsonl");
    fs::write(
        &path,
        concat!(
            r#"{"record":"study","format":99,"name":"study","direction":"minimize","#,
            r#""space":[],"created_at":"2030-01-01T00:00:00Z","new_field":{"x":1}}"#,
            "\n"
        ),
    )
    .unwrap();
    let message = assert_refused_at_line(&path, 1);
    assert!(message.contains("format 99"), "{message}");
    assert!(message.contains("upgrade tunekit"), "{message}");
}

/// `json` (one record) as a journal of format 2 writes it: with its checksum, the CRC-32 of
/// the record's bytes, as a last `"crc"` member.
fn with_checksum(json: &str) -> String {
    let crc = crc32fast::hash(json.as_bytes());
    format!("{},\"crc\":\"{crc:08x}\"}}", &json[..json.len() - 1])
}

fn info() -> StudyInfo {
    StudyInfo {
        name: "study".into(),
        direction: Direction::Minimize,
        space: space(),
    }
}

#[test]
fn every_line_carries_a_checksum_of_the_rest_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checked.jsonl");
    study(&path).unwrap().optimize(2, value_of).unwrap();
    let content = lines(&path);
    assert!(content[0].contains(r#""format":2,"#), "{}", content[0]);
    for line in &content {
        let (record, crc) = line.rsplit_once(r#","crc":""#).unwrap();
        assert_eq!(with_checksum(&format!("{record}}}")), *line);
        assert_eq!(crc.len(), 10, "{line}");
        // Still plain JSON: any JSON tool reads it.
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
}

#[test]
fn a_flip_of_any_single_byte_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flips.jsonl");
    study(&path)
        .unwrap()
        .optimize(2, |p: &Params, trial: &mut TrialContext| {
            trial.report(1, 0.25)?;
            trial.set_user_attr("note", "kept")?;
            Ok::<f64, tunekit_runtime::Error>(value_of(p))
        })
        .unwrap();
    let original = fs::read(&path).unwrap();
    let flipped = dir.path().join("flipped.jsonl");
    let mut line = 1;
    for at in 0..original.len() {
        let mut bytes = original.clone();
        bytes[at] ^= 0x01;
        fs::write(&flipped, &bytes).unwrap();
        let journal = Journal::open(&flipped).unwrap();
        match journal.open(&info()) {
            Err(Error::Storage(message)) => {
                // A flipped newline joins two lines: the error is at the first of them.
                assert!(
                    message.starts_with(&format!("journal {}, line {line}: ", flipped.display())),
                    "byte {at}: {message}"
                );
            }
            other => panic!(
                "byte {at} ({:?}) flipped was accepted: {other:?}",
                original[at] as char
            ),
        }
        assert_eq!(
            fs::read(&flipped).unwrap(),
            bytes,
            "byte {at}: the file changed"
        );
        if original[at] == b'\n' {
            line += 1;
        }
    }
}

#[test]
fn a_line_without_its_checksum_in_a_checked_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unchecked-line.jsonl");
    let asked = {
        let study = study(&path).unwrap();
        study.ask().unwrap().number()
    };
    append_raw(
        &path,
        format!(
            "{{\"record\":\"user_attr\",\"number\":{asked},\"key\":\"k\",\"value\":1}}\n{}\n",
            with_checksum(&format!(
                r#"{{"record":"finished","number":{asked},"outcome":{{"complete":1.5}},"finished_at":"2026-11-27T12:00:00Z"}}"#
            ))
        )
        .as_bytes(),
    );
    let message = assert_refused_at_line(&path, 3);
    assert!(message.contains("no checksum"), "{message}");
}

#[test]
fn a_format_1_journal_is_read_and_kept_without_checksums() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("format-1.jsonl");
    let space_json = serde_json::to_string(&space()).unwrap();
    let old = [
        format!(
            r#"{{"record":"study","format":1,"name":"study","direction":"minimize","space":{space_json},"created_at":"2026-01-01T00:00:00Z"}}"#
        ),
        r#"{"record":"started","number":0,"owner":"pid1-0000000000000000","started_at":"2026-01-01T00:00:01Z","params":{"x":4,"kind":"b"}}"#.to_owned(),
        r#"{"record":"user_attr","number":0,"key":"note","value":"old"}"#.to_owned(),
        r#"{"record":"finished","number":0,"outcome":{"complete":0.0},"finished_at":"2026-01-01T00:00:02Z"}"#.to_owned(),
    ];
    fs::write(&path, old.join("\n") + "\n").unwrap();
    let reopened = study(&path).unwrap();
    let trials = reopened.trials().unwrap();
    assert_eq!(trials.len(), 1);
    assert_eq!(trials[0].value, Some(0.0));
    assert_eq!(trials[0].user_attrs["note"], "old");
    reopened.optimize(2, value_of).unwrap();
    drop(reopened);
    let content = lines(&path);
    assert_eq!(content[..4], old[..], "old lines stay as they were");
    assert!(content.len() > 4);
    assert!(
        content.iter().all(|l| !l.contains(r#""crc""#)),
        "a format-1 journal is written in format 1"
    );
    assert_eq!(study(&path).unwrap().trials().unwrap().len(), 3);
}

#[test]
fn a_started_line_outside_the_space_is_an_error_naming_the_line_and_param() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outside.jsonl");
    study(&path).unwrap().optimize(1, value_of).unwrap();
    let good = lines(&path);
    for (params, param) in [
        (r#"{"x":12,"kind":"a"}"#, "`x` = 12"),
        (r#"{"x":3,"kind":"c"}"#, "`kind`"),
        (r#"{"x":3,"kind":"a","depth":2}"#, "`depth`"),
        (r#"{"x":3.5,"kind":"a"}"#, "`x`"),
    ] {
        fs::write(&path, good.join("\n") + "\n").unwrap();
        append_raw(
            &path,
            format!(
                "{}\n",
                with_checksum(&format!(
                    r#"{{"record":"started","number":1,"owner":"pid1-0000000000000000","started_at":"2026-11-27T12:00:00Z","params":{params}}}"#
                ))
            )
            .as_bytes(),
        );
        let message = assert_refused_at_line(&path, good.len() + 1);
        assert!(message.contains(param), "{message}");
        assert!(message.contains("space"), "{message}");
    }
}

#[test]
fn a_proposal_outside_the_space_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("refused-proposal.jsonl");
    let journal = Journal::open(&path).unwrap();
    journal.open(&info()).unwrap();
    let size = fs::metadata(&path).unwrap().len();
    let err = journal
        .create_trial(&mut |_: &[tunekit_runtime::Trial]| {
            Ok(Some(Params::new().with("x", 42).with("kind", "a")))
        })
        .unwrap_err();
    let message = storage_message(err);
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("`x` = 42"), "{message}");
    assert_eq!(fs::metadata(&path).unwrap().len(), size);
    // The journal is still usable, and reopens.
    journal
        .create_trial(&mut |_: &[tunekit_runtime::Trial]| {
            Ok(Some(Params::new().with("x", 4).with("kind", "a")))
        })
        .unwrap()
        .unwrap();
    drop(journal);
    assert_eq!(study(&path).unwrap().trials().unwrap().len(), 1);
}

fn owner_files(path: &Path) -> std::collections::BTreeSet<String> {
    let mut dir = path.as_os_str().to_owned();
    dir.push(".owners");
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect()
}

#[test]
fn owner_files_of_dead_processes_are_removed_once_their_trials_are_failed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("owners.jsonl");
    let alive = Journal::open(&path).unwrap();
    alive.open(&info()).unwrap();
    alive
        .create_trial(&mut |_: &[tunekit_runtime::Trial]| {
            Ok(Some(Params::new().with("x", 1).with("kind", "a")))
        })
        .unwrap()
        .unwrap();
    // What killed processes leave: owner files nobody locks, one with a running trial,
    // one that never started a trial.
    let owners = dir.path().join("owners.jsonl.owners");
    let (with_trial, without) = ("pid9-00000000000000aa", "pid9-00000000000000bb");
    fs::write(owners.join(with_trial), b"").unwrap();
    fs::write(owners.join(without), b"").unwrap();
    append_raw(
        &path,
        format!(
            "{}\n",
            with_checksum(&format!(
                r#"{{"record":"started","number":1,"owner":"{with_trial}","started_at":"2026-11-27T12:00:00Z","params":{{"x":2,"kind":"a"}}}}"#
            ))
        )
        .as_bytes(),
    );
    // A claim being made right now (created, not yet locked and named) is left alone.
    fs::write(owners.join(".claiming-pid8-00000000000000cc"), b"").unwrap();
    let before = owner_files(&path);
    assert!(before.contains(with_trial) && before.contains(without));

    let other = Journal::open(&path).unwrap();
    assert_eq!(other.fail_stale_trials().unwrap(), [1]);
    let after = owner_files(&path);
    let expected: std::collections::BTreeSet<String> = [
        alive.owner_id().to_owned(),
        other.owner_id().to_owned(),
        ".claiming-pid8-00000000000000cc".to_owned(),
    ]
    .into();
    assert_eq!(after, expected);
    // The live owners keep their claims: their trials are not stale.
    let third = Journal::open(&path).unwrap();
    assert_eq!(third.fail_stale_trials().unwrap(), Vec::<u64>::new());
    assert!(owner_files(&path).contains(alive.owner_id()));
    drop((alive, other, third));
    assert_eq!(
        owner_files(&path),
        [".claiming-pid8-00000000000000cc".to_owned()].into()
    );
}

/// Hardening item 1: a journal written when choices that are not literals were labeled
/// by their source text (`"cfg.small"`) reopens with an error that says so and what to do.
#[test]
fn a_study_stored_with_source_text_labels_says_why_it_no_longer_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old-labels.jsonl");
    let old = SearchSpace::builder()
        .add("lr", Domain::categorical(["cfg.small", "cfg.large"]))
        .build()
        .unwrap();
    let study = Study::minimize(old)
        .storage(Journal::open(&path).unwrap())
        .build()
        .unwrap();
    study.optimize(2, |_: &Params| 1.0).unwrap();
    drop(study);
    let now = SearchSpace::builder()
        .add("lr", Domain::categorical([0.25, 0.5]))
        .build()
        .unwrap();
    let err = Study::minimize(now.clone())
        .storage(Journal::open(&path).unwrap())
        .build()
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("param `lr`"), "{err}");
    assert!(err.contains("now labeled by their values"), "{err}");
    assert!(err.contains("allow_space_change()"), "{err}");
    // As the message says, it reopens with `allow_space_change`.
    let reopened = Study::minimize(now)
        .storage(Journal::open(&path).unwrap())
        .allow_space_change()
        .build()
        .unwrap();
    assert_eq!(reopened.trials().unwrap().len(), 2);
}
