//! `space!(T)` and `space!(T { field: domain_or_value, .. })`.
//!
//! ```text
//! space!( Type )
//! space!( Type { entry ("," entry)* ","? } )
//! entry := field ":" lo "..=" hi            search the field over this range
//!        | field ":" "choice" "(" values ")" search the field over these values
//!        | field ":" "tune" "(" tune-args ")" any #[tune(...)] domain: `tune(1e-4..=1e-2, log)`
//!        | field ":" expr                    pin the field to this value
//! ```
//!
//! The macro cannot see the fields of `Type`, so it names each field through an accessor
//! closure (`|cfg: &Type| &cfg.field`): rustc then reports an unknown field at the user's
//! token (with its own "a field with a similar name exists"), and the field's type is
//! inferred and checked against the value or domain given after it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, Token};

use crate::codegen::{self, RangeForm};
use crate::ctxt::Ctxt;
use crate::domain::{self, Spec};
use crate::expand_tunable::label_tokens;

struct Entry {
    field: Ident,
    spec: Spec,
}

pub fn expand(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let parsed = (|input: ParseStream| parse(&cx, input)).parse2(input);
    let output = match parsed {
        Ok(Some((krate, ty, entries))) if !cx.has_errors() => generate(&krate, &ty, &entries),
        Ok(_) => TokenStream::new(),
        Err(error) => {
            cx.syn_error(error);
            TokenStream::new()
        }
    };
    match cx.check() {
        Ok(()) => output,
        Err(errors) => {
            // A value of the right type keeps the caller's code free of follow-up errors.
            let errors = errors.to_compile_error();
            quote!({ #errors ::core::unreachable!() })
        }
    }
}

type Parsed = (TokenStream, syn::Path, Vec<Entry>);

fn parse(cx: &Ctxt, input: ParseStream) -> syn::Result<Option<Parsed>> {
    // The facade's `macro_rules! space` passes its `$crate` first, then `;`.
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
    let mut entries: Vec<Entry> = Vec::new();
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
            let spec = parse_value(cx, &content)?;
            if entries.iter().any(|e| e.field == field) {
                cx.error_spanned_by(&field, format!("`{field}` is given twice; keep one"));
            } else if let Some(spec) = spec {
                entries.push(Entry { field, spec });
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
    Ok(Some((krate, ty, entries)))
}

/// One entry's value: up to the next top-level comma.
fn parse_value(cx: &Ctxt, input: ParseStream) -> syn::Result<Option<Spec>> {
    if input.peek(Ident) && input.peek2(syn::token::Paren) {
        let fork = input.fork();
        let key: Ident = fork.parse()?;
        if key == "tune" {
            input.parse::<Ident>()?;
            let content;
            let parens = syn::parenthesized!(content in input);
            let spec = domain::parse_spec(cx, &content, parens.span.join(), false);
            if let Some(Spec::Nested) = spec {
                cx.error_spanned_by(&key, "`tune()` needs a domain here");
                return Ok(None);
            }
            return Ok(spec);
        }
    }
    let expr: Expr = input.parse()?;
    let is_domain = match &expr {
        Expr::Range(_) => true,
        Expr::Call(call) => matches!(&*call.func, Expr::Path(p) if p.path.is_ident("choice")),
        _ => false,
    };
    if is_domain {
        let span = expr.span();
        let spec = (|input: ParseStream| Ok(domain::parse_spec(cx, input, span, false)))
            .parse2(expr.to_token_stream())?;
        Ok(spec)
    } else {
        Ok(Some(Spec::Fixed(expr)))
    }
}

fn generate(krate: &TokenStream, ty: &syn::Path, entries: &[Entry]) -> TokenStream {
    // `$crate` resolves only at its own span, so a path starting with it cannot be
    // re-spanned onto the user's tokens; an alias in scope can, which makes rustc put
    // trait-bound errors on the domain instead of on the whole `space!(..)`.
    let alias = Ident::new("__tunekit_private", Span::call_site());
    let p = quote!(#alias);
    let space = Ident::new("__tunekit_space", Span::mixed_site());
    let config = Ident::new("__tunekit_config", Span::mixed_site());
    let bound = Ident::new("__tunekit_field", Span::mixed_site());
    let typed_space = codegen::respan(quote!(#p::typed_space), ty.span());
    let overrides =
        entries.iter().map(|entry| {
            let field = &entry.field;
            let name = field.to_string();
            // The accessor call sits at the domain's first token, so that an unmet bound on
            // the field's type (inferred from this call) is reported there; the field name
            // inside keeps its own span for rustc's "no field" error.
            let at = match &entry.spec {
                Spec::Range(range) => range.span,
                Spec::Choice(choice) => choice.span,
                _ => field.span(),
            };
            let callee = codegen::respan(quote!(#p::field::<#ty, _>), at);
            let mut args = proc_macro2::Group::new(
                proc_macro2::Delimiter::Parenthesis,
                quote!(#name, |#config: &#ty| &#config.#field),
            );
            args.set_span(at);
            let field_ref = quote!(#callee #args);
            match &entry.spec {
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
                    let entries = choice.items.iter().zip(domain::labels(&choice.items)).map(
                        |(item, label)| {
                            let label = label_tokens(&p, &label, item.span());
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
                        },
                    );
                    let function = codegen::respan(quote!(#p::narrow_choice), choice.span);
                    quote!({
                        let #bound = #field_ref;
                        #function(#bound, [#(#entries),*])
                    })
                }
                Spec::Nested => unreachable!("rejected while parsing"),
            }
        });
    quote! {
        {
            #[allow(unused_imports)]
            use #krate::__private as #alias;
            let #space = #typed_space::<#ty>();
            #(let #space = #space.with_override(#overrides);)*
            #space
        }
    }
}
