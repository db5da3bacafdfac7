//! Code generation for `space!`: a `TypedSpace<T>` with one override per entry.
//!
//! The macro cannot see the fields of `Type`, so it names each field through an accessor
//! closure (`|cfg: &Type| &cfg.field`): rustc then reports an unknown field at the user's
//! token (with its own "a field with a similar name exists"), and the field's type is
//! inferred and checked against the value or domain given after it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit};

use crate::codegen::{self, RangeForm};
use crate::domain::{self, Spec};
use crate::expand_tunable::{label_tokens, value_label};
use crate::item::Kind;
use crate::space::{Entry, SpaceInput};

/// The space, with an override for each entry that `passed` its checks. The others only
/// name their field (so an unknown field is still reported), and range checks run on
/// every range, so that one build shows every mistake.
pub fn expand(input: &SpaceInput, passed: &[bool]) -> TokenStream {
    let (krate, ty) = (&input.krate, &input.ty);
    // `$crate` resolves only at its own span, so a path starting with it cannot be
    // re-spanned onto the user's tokens; an alias in scope can, which makes rustc put
    // trait-bound errors on the domain instead of on the whole `space!(..)`.
    let alias = Ident::new("__tunekit_private", Span::call_site());
    let p = quote!(#alias);
    let space = Ident::new("__tunekit_space", Span::mixed_site());
    let typed_space = codegen::respan(quote!(#p::typed_space), ty.span());
    let mut checks = TokenStream::new();
    let mut named = TokenStream::new();
    let mut overrides = Vec::new();
    for (entry, &passed) in input.entries.iter().zip(passed) {
        let spec = entry.spec();
        if let Some(Spec::Range(range)) = &spec {
            checks.extend(codegen::range_checks(&p, range, Kind::Other, None));
        }
        match spec {
            Some(spec) if passed => overrides.push(entry_override(&p, ty, entry, &spec)),
            _ => {
                let field_ref = field_ref(&p, ty, entry, None);
                named.extend(quote!(let _ = #field_ref;));
            }
        }
    }
    quote! {
        {
            #[allow(unused_imports)]
            use #krate::__private as #alias;
            #checks
            #named
            let #space = #typed_space::<#ty>();
            #(let #space = #space.with_override(#overrides);)*
            #space
        }
    }
}

/// `field::<T, _>("name", |cfg: &T| &cfg.name)`, at `spec`'s first token: an unmet bound
/// on the field's type (inferred from this call) is reported there, while the field name
/// inside keeps its own span for rustc's "no field" error.
fn field_ref(p: &TokenStream, ty: &syn::Path, entry: &Entry, spec: Option<&Spec>) -> TokenStream {
    let config = Ident::new("__tunekit_config", Span::mixed_site());
    let field = &entry.field;
    let name = field.to_string();
    let at = match spec {
        Some(Spec::Range(range)) => range.span,
        Some(Spec::Choice(choice)) => choice.span,
        _ => field.span(),
    };
    let callee = codegen::respan(quote!(#p::field::<#ty, _>), at);
    let mut args = proc_macro2::Group::new(
        proc_macro2::Delimiter::Parenthesis,
        quote!(#name, |#config: &#ty| &#config.#field),
    );
    args.set_span(at);
    quote!(#callee #args)
}

fn entry_override(p: &TokenStream, ty: &syn::Path, entry: &Entry, spec: &Spec) -> TokenStream {
    let bound = Ident::new("__tunekit_field", Span::mixed_site());
    let field_ref = field_ref(p, ty, entry, Some(spec));
    match spec {
        Spec::Fixed(value) => quote!(#p::pin(#field_ref, #value)),
        Spec::Range(range) => {
            let form = codegen::range_form(range);
            let function = match form {
                RangeForm::Typed => quote!(#p::narrow_range),
                RangeForm::FloatLiterals => quote!(#p::narrow_float_range),
                RangeForm::IntLiterals => quote!(#p::narrow_int_range),
            };
            let function = codegen::respan(function, range.span);
            let args = codegen::range_args(range, &form, |e| e.to_token_stream());
            quote!(#function(#field_ref, #args))
        }
        Spec::Choice(choice) => {
            let entries =
                choice
                    .items
                    .iter()
                    .zip(domain::labels(&choice.items))
                    .map(|(item, label)| {
                        // A choice that is not a literal is labeled from its value, typed
                        // by the field.
                        if let domain::Label::Text(text) = &label {
                            let v = Ident::new("__tunekit_value", Span::mixed_site());
                            let label = value_label(p, &v, text);
                            return quote!({
                                let #v = #bound.value(#item);
                                (#label, #v)
                            });
                        }
                        let label = label_tokens(p, &label, item.span());
                        let value = match item {
                            Expr::Lit(ExprLit {
                                lit: Lit::Str(s), ..
                            }) => {
                                // Typed by the field, at the literal: a field that is not
                                // string-like is reported on this choice.
                                let method = Ident::new("str_choice", s.span());
                                let mut receiver = proc_macro2::Group::new(
                                    proc_macro2::Delimiter::Parenthesis,
                                    bound.to_token_stream(),
                                );
                                receiver.set_span(s.span());
                                quote!(#receiver.#method(#s))
                            }
                            other => other.to_token_stream(),
                        };
                        quote!((#label, #value))
                    });
            let function = codegen::respan(quote!(#p::narrow_choice), choice.span);
            quote!({
                let #bound = #field_ref;
                #function(#bound, [#(#entries),*])
            })
        }
        Spec::Nested => unreachable!("a space! entry has a domain or a value"),
    }
}
