//! Typed search spaces: the [`Tunable`] trait that `#[tunable]` implements, and
//! [`TypedSpace`], the [`Space`](crate::space::Space) a study searches to hand out typed configs.
//!
//! Path names: a field `hidden` of a nested struct field `model` is the param
//! `model.hidden`; an enum field `optimizer` is the categorical param `optimizer` over its
//! variant names, and the tuned fields of its variant `Sgd` are `optimizer.Sgd.momentum`,
//! active only when `optimizer` = `"Sgd"`. A top-level enum names its own variant
//! parameter `variant`, a top-level `bool` names its parameter `value`.
//!
//! Parameter values are `i64`, `f64`, `bool` or strings: an `f32` field holds the sampled
//! `f64` rounded to the nearest `f32`, and encodes back to the `f64` of that `f32`'s
//! shortest decimal form (what `{}` prints). Its range bounds are recorded the same way,
//! so `#[tune(1e-4..=1e-2)]` on an `f32` has the bounds `0.0001` and `0.01` (not
//! `9.999999747378752e-5`), and a decoded value stays in range. Every other type
//! round-trips exactly.

mod number;
mod overrides;
#[doc(hidden)]
pub mod private;
mod typed_space;

pub use number::{FloatNumber, TuneNumber};
/// What generated code decodes overrides through; not for hand-written code.
#[doc(hidden)]
pub use overrides::FieldOverrides;
/// What generated code lists a config type's fields with; not for hand-written code.
#[doc(hidden)]
pub use overrides::FieldType;
pub use overrides::Override;
pub use typed_space::TypedSpace;

use crate::error::Result;
use crate::space::{Condition, Params, SearchSpace, SearchSpaceBuilder};

/// A configuration type with a search space: implemented by `#[tunable]`.
///
/// The three methods take a path `prefix` so that tunable types nest: a struct field of a
/// tunable type is described, decoded and encoded under `prefix.field`.
///
/// ```
/// use tunekit::prelude::*; // brings the Tunable trait into scope
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// struct Train {
///     #[tune(1e-5..=1e-1, log)]
///     lr: f64,
///     #[tune]
///     optimizer: Optimizer,
/// }
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// enum Optimizer {
///     Sgd {
///         #[tune(0.0..=0.9)]
///         momentum: f64,
///     },
///     Adam,
/// }
///
/// let space = Train::search_space()?;
/// let names: Vec<&str> = space.params().iter().map(|p| p.name.as_str()).collect();
/// assert_eq!(names, ["lr", "optimizer", "optimizer.Sgd.momentum"]);
///
/// let config = Train { lr: 0.01, optimizer: Optimizer::Sgd { momentum: 0.5 } };
/// let mut params = Params::new();
/// config.encode(&mut params, "")?;
/// assert_eq!(params.get::<String>("optimizer")?, "Sgd");
/// assert_eq!(Train::from_params(&params)?, config);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not tunable",
    label = "`{Self}` has no `#[tunable]` on its definition",
    note = "add `#[tunable]` to the definition of `{Self}`; or, for a field of this type, give it a domain instead of a bare `#[tune]`: `#[tune(choice(a, b))]` or `#[tune(fixed = value)]`"
)]
pub trait Tunable: Sized + 'static {
    /// Adds this type's parameters to `builder`, named under `prefix`; every parameter
    /// that has no condition of its own gets `condition` (the branch it hangs under).
    fn describe(
        builder: SearchSpaceBuilder,
        prefix: &str,
        condition: Option<&Condition>,
    ) -> Result<SearchSpaceBuilder>;

    /// Builds a value from the parameters under `prefix`, taking the fields listed in
    /// `overrides` from there instead (what `space!` pins or narrows).
    fn decode_with(params: &Params, prefix: &str, overrides: &FieldOverrides<'_>) -> Result<Self>;

    /// Writes the parameters this value stands for under `prefix`, letting `overrides`
    /// write the fields they own.
    fn encode_with(
        &self,
        params: &mut Params,
        prefix: &str,
        overrides: &FieldOverrides<'_>,
    ) -> Result<()>;

    /// The top-level fields an [`Override`] may name, with their types; `None` (the
    /// default, for hand-written impls) when overrides are not checked against them.
    /// `#[tunable]` lists every field of a struct, and none for an enum.
    #[doc(hidden)]
    fn fields() -> Option<Vec<FieldType>> {
        None
    }

    /// Builds a value from the parameters under `prefix`.
    fn decode(params: &Params, prefix: &str) -> Result<Self> {
        Self::decode_with(params, prefix, &FieldOverrides::NONE)
    }

    /// Writes the parameters this value stands for under `prefix`.
    fn encode(&self, params: &mut Params, prefix: &str) -> Result<()> {
        self.encode_with(params, prefix, &FieldOverrides::NONE)
    }

    /// The validated search space of this type.
    fn search_space() -> Result<SearchSpace> {
        Self::describe(SearchSpace::builder(), "", None)?.build()
    }

    /// The value at one point of [`search_space`](Self::search_space).
    fn from_params(params: &Params) -> Result<Self> {
        Self::decode(params, "")
    }

    /// The point of [`search_space`](Self::search_space) this value stands for.
    fn to_params(&self) -> Result<Params> {
        let mut params = Params::new();
        self.encode(&mut params, "")?;
        Ok(params)
    }
}

/// `#[tune]` on a `bool` field: a categorical over `false`, `true`.
impl Tunable for bool {
    fn describe(
        builder: SearchSpaceBuilder,
        prefix: &str,
        condition: Option<&Condition>,
    ) -> Result<SearchSpaceBuilder> {
        private::add(
            builder,
            &leaf_path(prefix),
            condition,
            Ok(crate::space::Domain::categorical([false, true])),
        )
    }

    fn decode_with(params: &Params, prefix: &str, _: &FieldOverrides<'_>) -> Result<Self> {
        params.get(&leaf_path(prefix))
    }

    fn encode_with(&self, params: &mut Params, prefix: &str, _: &FieldOverrides<'_>) -> Result<()> {
        params.insert(leaf_path(prefix), *self);
        Ok(())
    }
}

/// The name of a value that is itself one parameter: its path, or `value` at the top.
fn leaf_path(prefix: &str) -> String {
    if prefix.is_empty() {
        "value".to_owned()
    } else {
        prefix.to_owned()
    }
}
