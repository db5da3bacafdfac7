//! The runtime's integration tests, in one binary: one link instead of eleven. Tests that
//! need a PostgreSQL server skip themselves (with a note on stderr) unless
//! `TUNEKIT_TEST_POSTGRES_URL` is set. The process-level journal tests (SIGKILL, SIGINT)
//! are `tests/crash.rs`, which has its own `main`.

mod cmaes;
mod journal;
#[cfg(feature = "conformance")]
mod journal_conformance;
mod no_repeats;
mod one_value_domains;
mod ordinary_proposals;
mod parallel;
#[cfg(all(feature = "postgres", feature = "conformance"))]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_support;
#[cfg(feature = "postgres")]
mod postgres_workers;
mod pruners;
mod qmc;
mod random_uniformity;
mod report_and_cv;
mod space_fuzz;
mod study_core;
mod tpe;
mod tpe_parallel_batches;
