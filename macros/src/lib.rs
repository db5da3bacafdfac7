//! Procedural macros of tunekit. Use them through the `tunekit` crate.
