//! Compile-time checks of `#[tunable]` and `space!`: every mistake a user can make is a
//! compile error whose caret is on the offending tokens and whose message says what to
//! write instead. One mistake per file; the expected output is the `.stderr` beside it.
//! Regenerate with `TRYBUILD=overwrite cargo test --test ui` and review every diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    for topic in ["range", "choice", "keys", "types", "space"] {
        t.compile_fail(format!("tests/ui/{topic}/*.rs"));
    }
}
