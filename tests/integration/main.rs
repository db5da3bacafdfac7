//! The integration tests of the `tunekit` facade, in one test binary: one link instead of
//! one per file. Each module is one topic.

mod qmc_prelude;
mod space_macro;
// `pub`, so that the module's `#![deny(missing_docs)]` sees its items: the lint only
// checks what the crate root exports.
pub mod tunable_hygiene;
mod tunable_roundtrip;
mod tunable_study;
mod ui;
