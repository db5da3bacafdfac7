//! The dynamic search-space model shared by the macros and the samplers.

mod domain;
mod params;
pub mod range_rules;
mod search_space;
mod value;

pub use domain::Domain;
pub use params::Params;
pub use search_space::{Condition, Param, SearchSpace, SearchSpaceBuilder};
pub use value::{FromValue, Value};

/// `prefix.name`, or `name` alone when `prefix` is empty.
pub(crate) fn join_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}
