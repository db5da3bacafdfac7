//! Search spaces: the dynamic model ([`SearchSpace`] of [`Param`]s, each with a
//! [`Domain`] and an optional [`Condition`]) that samplers search and the macros generate,
//! the values of one point ([`Params`], [`Value`]), and the [`Space`] trait a study is
//! generic over.

pub(crate) mod diff;
mod domain;
mod params;
#[doc(hidden)]
pub mod range_rules;
mod search_space;
mod study_space;
mod value;

pub use domain::Domain;
pub use params::Params;
pub use search_space::{Condition, Param, SearchSpace, SearchSpaceBuilder};
pub use study_space::Space;
pub use value::{FromValue, Value};

/// `prefix.name`, or `name` alone when `prefix` is empty.
pub(crate) fn join_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}
