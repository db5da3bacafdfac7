//! Compile-time checks of `#[tunable]` and `space!`: every mistake a user can make is a
//! compile error whose caret is on the offending tokens and whose message says what to
//! write instead. One mistake per file; the expected output is the `.stderr` beside it.
//! Regenerate with `TRYBUILD=overwrite cargo test -p tunekit --test integration -- --exact ui::ui`
//! and review every diff.

/// The folders of `tests/ui/` whose cases must fail to compile (`pass/` must compile).
const COMPILE_FAIL: [&str; 6] = ["range", "choice", "keys", "types", "space", "objective"];

/// One trybuild run (one compile session) for every case.
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    for topic in COMPILE_FAIL {
        t.compile_fail(format!("tests/ui/{topic}/*.rs"));
    }
}

/// A new folder under `tests/ui/` is run, not silently skipped.
#[test]
fn every_ui_folder_is_run() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    for entry in std::fs::read_dir(root).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            name == "pass" || COMPILE_FAIL.contains(&name.as_str()),
            "tests/ui/{name} is not in COMPILE_FAIL"
        );
    }
}
