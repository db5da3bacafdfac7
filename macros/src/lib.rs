//! Procedural macros of [tunekit](https://docs.rs/tunekit): `#[tunable]` and `space!`.
//! Use them through the `tunekit` crate, which documents the grammar with examples.
//!
//! The pipeline, one stage per file (as in serde_derive), driven by `tunable.rs` and
//! `space.rs`:
//!
//! 1. **parse** into a model of what was written: `item.rs` (the `#[tunable]` type),
//!    `domain.rs` (the `tune(...)` grammar), `space.rs` (a `space!` call); key names are
//!    the constants of `symbol.rs`. Parsing reports only tokens outside the grammar.
//! 2. **check** the model: `check.rs`, one function per rule, each recording every mistake
//!    it finds in the `Ctxt` (`ctxt.rs`) at the user's tokens.
//! 3. **generate**: `expand_tunable.rs`, `expand_space.rs`, `codegen.rs`; never reports a
//!    user error. With errors, a fallback impl stops the cascade.
//!
//! The rules about range values (order, `log`, `step`) live once, in the runtime's
//! `range_rules` (const fns that `Domain` validation runs too): generated code runs them
//! in const items on the bounds the compiler knows, literals included, so a broken range
//! is a compile error at its tokens with the runtime's own message.
//!
//! Generated code names the runtime only through `::tunekit::__private` (or
//! `#[tunable(crate = "path")]`), inside `const _: () = { .. };`.
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
//! Literal bounds, and bounds that are consts or expressions on primitive numeric fields,
//! are checked by const evaluation; anything else when the space is built.
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

mod check;
mod codegen;
mod ctxt;
mod domain;
mod expand_space;
mod expand_tunable;
mod item;
mod space;
mod symbol;
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
