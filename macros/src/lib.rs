//! Procedural macros of [tunekit](https://docs.rs/tunekit): `#[tunable]` and `space!`.
//! Use them through the `tunekit` crate, which documents the grammar with examples.
//!
//! The pipeline, one file per stage (as in serde_derive): `item.rs` and `domain.rs` parse
//! the attributes into a model and check it, collecting every error in a `Ctxt`
//! (`ctxt.rs`); `expand_tunable.rs` and `space.rs` generate code. Generated code names the runtime only
//! through `::tunekit::__private` (or `#[tunable(crate = "path")]`), inside
//! `const _: () = { .. };`.
//!
//! # `#[tune(...)]` grammar
//!
//! ```text
//! #[tune]                          the field's type is #[tunable] (nested struct: params
//!                                  `field.x`; enum: categorical `field` over variant names,
//!                                  variant fields `field.Variant.x` under that variant)
//!                                  or bool (choice of false, true)
//! #[tune(lo..=hi)]                 a range; int or float by the field's type
//! #[tune(lo..=hi, log)]            searched on a log scale (lo > 0, or >= 1 for ints)
//! #[tune(lo..=hi, step = s)]       on the grid lo, lo + s, ... (not with `log`)
//! #[tune(choice(a, b, c))]         one of these values of the field's type
//! #[tune(fixed = expr)]            pinned, not searched
//! (no #[tune])                     not searched: Default::default()
//! ```
//!
//! On an enum: unit variants, struct variants (tuned fields at `Variant.x` under the
//! enum's path) and newtype variants `V(#[tune..] T)`, whose one field takes the path
//! `V` itself.
//!
//! Integer literal bounds on a float field read as floats (`0..=1` is `0.0..=1.0`).
//! Literal bounds are checked by the macro; bounds that are consts or expressions are
//! checked by const evaluation on primitive numeric fields, and otherwise when the space
//! is built.
//!
//! # `space!` grammar
//!
//! ```text
//! space!(Type)                                  the declared space
//! space!(Type { field: lo..=hi, .. })           a narrower (or other) range
//! space!(Type { field: choice(a, b), .. })      other choices
//! space!(Type { field: tune(lo..=hi, log), .. }) any #[tune(...)] domain
//! space!(Type { field: expr, .. })              pinned to a value (Clone)
//! ```
//! Only top-level fields can be overridden; a nested field is pinned as a whole value.

use proc_macro::TokenStream;

mod codegen;
mod ctxt;
mod domain;
mod expand_tunable;
mod item;
mod space;
mod tunable;

/// Derives `tunekit::Tunable` for a struct with named fields or an enum, from
/// `#[tune(...)]` attributes on its fields. See the `tunekit` crate docs.
#[proc_macro_attribute]
pub fn tunable(args: TokenStream, input: TokenStream) -> TokenStream {
    tunable::expand(args.into(), input.into()).into()
}

/// The implementation of `tunekit::space!`; call that macro instead, which passes its
/// own crate path first (`$crate; Type { .. }`).
#[doc(hidden)]
#[proc_macro]
pub fn space(input: TokenStream) -> TokenStream {
    space::expand(input.into()).into()
}
