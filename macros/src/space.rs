//! `space!(T)` and `space!(T { field: domain_or_value, .. })`: parse the call into a
//! model, check it, generate (`expand_space.rs`).
//!
//! ```text
//! space!( Type )
//! space!( Type { entry ("," entry)* ","? } )
//! entry := field ":" lo "..=" hi            search the field over this range
//!        | field ":" "choice" "(" values ")" search the field over these values
//!        | field ":" "tune" "(" tune-args ")" any #[tune(...)] domain: `tune(1e-4..=1e-2, log)`
//!        | field ":" expr                    pin the field to this value
//! ```

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Token};

use crate::check;
use crate::ctxt::Ctxt;
use crate::domain::{self, Spec, TuneArgs};
use crate::expand_space;
use crate::symbol::TUNE;

/// A `space!` call.
pub struct SpaceInput {
    /// The facade's path, passed first by its `macro_rules! space`.
    pub krate: TokenStream,
    pub ty: syn::Path,
    pub entries: Vec<Entry>,
}

/// `field: ...`
pub struct Entry {
    pub field: Ident,
    pub value: EntryValue,
}

pub enum EntryValue {
    /// A domain: `tune(...)`, `lo..=hi` or `choice(...)`.
    Args(TuneArgs),
    /// A value to pin the field to.
    Pin(Expr),
}

impl Entry {
    /// What the entry asks for, as code generation reads it.
    pub fn spec(&self) -> Option<Spec> {
        match &self.value {
            EntryValue::Args(args) => args.spec(),
            EntryValue::Pin(value) => Some(Spec::Fixed(value.clone())),
        }
    }
}

pub fn expand(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let output = match (|input: ParseStream| parse(&cx, input)).parse2(input) {
        Ok(input) => {
            let passed = check::space(&cx, &input);
            Some(expand_space::expand(&input, &passed))
        }
        Err(error) => {
            cx.syn_error(error);
            None
        }
    };
    match (cx.check(), output) {
        (Ok(()), Some(output)) => output,
        // The entries that passed are still generated (and the others' fields named), so
        // rustc reports their mistakes too, and the caller gets a value of the right type.
        (Err(errors), Some(output)) => {
            let errors = errors.to_compile_error();
            quote!({ #errors #output })
        }
        (result, None) => {
            let errors = result.err().map(|e| e.to_compile_error());
            quote!({ #errors ::core::unreachable!() })
        }
    }
}

/// Reads the call; only tokens outside the grammar are errors here (a `tune(...)` whose
/// arguments do not parse is recorded and skipped, so the other entries are still read).
fn parse(cx: &Ctxt, input: ParseStream) -> syn::Result<SpaceInput> {
    let mut krate = TokenStream::new();
    while !input.peek(Token![;]) {
        let tt: proc_macro2::TokenTree = input.parse()?;
        krate.extend([tt]);
    }
    input.parse::<Token![;]>()?;
    if input.is_empty() {
        return Err(input.error(
            "expected a #[tunable] type: `space!(Train)` or `space!(Train { epochs: 5 })`",
        ));
    }
    let ty: syn::Path = input.parse()?;
    let mut entries = Vec::new();
    if input.peek(syn::token::Brace) {
        let content;
        syn::braced!(content in input);
        while !content.is_empty() {
            let field: Ident = content.parse()?;
            if content.peek(Token![.]) {
                return Err(content.error(format!(
                    "only top-level fields can be overridden; pin `{field}` to a whole value instead, such as `{field}: value`, or narrow the field in its own type's #[tune]"
                )));
            }
            content.parse::<Token![:]>()?;
            match parse_value(&content)? {
                Ok(value) => entries.push(Entry { field, value }),
                Err(error) => cx.syn_error(error),
            }
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
    }
    if !input.is_empty() {
        return Err(input.error(
            "unexpected tokens after the type; write `space!(Train { field: value, .. })`",
        ));
    }
    Ok(SpaceInput { krate, ty, entries })
}

/// One entry's value, up to the next top-level comma. The inner result is the error of
/// `tune(...)` arguments that do not parse.
fn parse_value(input: ParseStream) -> syn::Result<syn::Result<EntryValue>> {
    if input.peek(Ident) && input.peek2(syn::token::Paren) {
        let key: Ident = input.fork().parse()?;
        if key == TUNE {
            input.parse::<Ident>()?;
            let content;
            let parens = syn::parenthesized!(content in input);
            let span = parens.span.join();
            return Ok(domain::parse_tune_args(&content, span).map(EntryValue::Args));
        }
    }
    let expr: Expr = input.parse()?;
    Ok(Ok(match TuneArgs::from_entry_expr(&expr) {
        Some(args) => EntryValue::Args(args),
        None => EntryValue::Pin(expr),
    }))
}
