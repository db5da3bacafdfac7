//! Code generation for `#[tunable]`: `impl Tunable` for a struct or an enum, and the const
//! checks of its ranges. The checks (`check.rs`) find every user error before this runs;
//! this only writes code.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, LitFloat, LitInt};

use crate::codegen::{self, RangeForm};
use crate::domain::{self, ChoiceSpec, Label, RangeSpec, Spec};
use crate::item::{Body, Container, Field, Fields, Kind, Variant};

/// The identifiers of generated locals: mixed-site, so user code cannot see them, and
/// prefixed, because a user const of the same name would still turn a binding into a
/// pattern.
struct Locals {
    builder: Ident,
    prefix: Ident,
    condition: Ident,
    params: Ident,
    overrides: Ident,
    tag: Ident,
}

impl Locals {
    fn new() -> Self {
        let at = Span::mixed_site();
        Locals {
            builder: Ident::new("__tunekit_builder", at),
            prefix: Ident::new("__tunekit_prefix", at),
            condition: Ident::new("__tunekit_condition", at),
            params: Ident::new("__tunekit_params", at),
            overrides: Ident::new("__tunekit_overrides", at),
            tag: Ident::new("__tunekit_tag", at),
        }
    }
}

/// Generates the code for one field list (a struct's, or a variant's).
struct FieldsCode<'a> {
    p: &'a TokenStream,
    l: &'a Locals,
    /// Names the helper functions of this field list apart from other variants'.
    scope: String,
}

impl FieldsCode<'_> {
    fn path(&self, field: &Field) -> TokenStream {
        let (p, prefix, name) = (self.p, &self.l.prefix, &field.name);
        if name.is_empty() {
            // The one field of a newtype variant lives at the variant's own path.
            return quote!(#prefix);
        }
        quote!(&#p::join(#prefix, #name))
    }

    fn choices_fn(&self, field: &Field) -> Ident {
        format_ident!("__tunekit_choices_{}_{}", self.scope, field.name)
    }

    /// Helper items (choice tables, const checks) placed beside the impl.
    fn items(&self, field: &Field) -> TokenStream {
        let p = self.p;
        let ty = &field.ty;
        match &field.spec() {
            Some(Spec::Choice(choice)) => {
                let name = self.choices_fn(field);
                let n = choice.items.len();
                let entries = choice_entries(p, choice, field);
                quote! {
                    fn #name() -> [(#p::Value, #ty); #n] {
                        [#(#entries),*]
                    }
                }
            }
            Some(Spec::Range(range)) => {
                codegen::range_checks(p, range, field.kind, Some(&field.ty))
            }
            _ => TokenStream::new(),
        }
    }

    fn describe(&self, field: &Field) -> TokenStream {
        let (p, l) = (self.p, self.l);
        let (builder, condition) = (&l.builder, &l.condition);
        let ty = &field.ty;
        let path = self.path(field);
        match &field.spec() {
            None | Some(Spec::Fixed(_)) => TokenStream::new(),
            Some(Spec::Nested) => {
                let tunable = quote_spanned!(ty.span()=> <#ty as #p::Tunable>::describe);
                quote!(let #builder = #tunable(#builder, #path, #condition)?;)
            }
            Some(Spec::Range(range)) => {
                let domain = range_domain(p, field, range);
                quote!(let #builder = #p::add(#builder, #path, #condition, #domain)?;)
            }
            Some(Spec::Choice(_)) => {
                let choices = self.choices_fn(field);
                quote!(let #builder = #p::add(#builder, #path, #condition, #p::choice_domain(&#choices()))?;)
            }
        }
    }

    /// An expression of the field's type.
    fn decode(&self, field: &Field) -> TokenStream {
        let p = self.p;
        let params = &self.l.params;
        let ty = &field.ty;
        let path = self.path(field);
        match &field.spec() {
            None => quote_spanned!(ty.span()=> #p::untuned_default::<#ty>()),
            Some(Spec::Fixed(value)) => {
                let v = Ident::new("__tunekit_value", Span::mixed_site());
                quote!({ let #v: #ty = #value; #v })
            }
            Some(Spec::Nested) => quote!(<#ty as #p::Tunable>::decode(#params, #path)?),
            Some(Spec::Range(_)) => quote!(#p::decode_number::<#ty>(#params, #path)?),
            Some(Spec::Choice(_)) => {
                let choices = self.choices_fn(field);
                quote!(#p::decode_choice(#params, #path, #choices())?)
            }
        }
    }

    /// Statements writing the field, given `value: &FieldType`.
    fn encode(&self, field: &Field, value: &TokenStream) -> TokenStream {
        let p = self.p;
        let params = &self.l.params;
        let ty = &field.ty;
        let path = self.path(field);
        match &field.spec() {
            None | Some(Spec::Fixed(_)) => TokenStream::new(),
            Some(Spec::Nested) => quote!(<#ty as #p::Tunable>::encode(#value, #params, #path)?;),
            Some(Spec::Range(_)) => quote!(#p::encode_number::<#ty>(#params, #path, *#value)?;),
            Some(Spec::Choice(_)) => {
                let choices = self.choices_fn(field);
                quote!(#p::encode_choice(#params, #path, #value, &#choices())?;)
            }
        }
    }

    fn is_encoded(field: &Field) -> bool {
        matches!(
            field.spec(),
            Some(Spec::Nested | Spec::Range(_) | Spec::Choice(_))
        )
    }
}

/// The domain expression of a range field.
fn range_domain(p: &TokenStream, field: &Field, range: &RangeSpec) -> TokenStream {
    let ty = &field.ty;
    // A field the macro knows is a number gets its bounds as written (rustc then checks
    // literals against the exact type); other types go through one trait bound.
    let form = match field.kind {
        Kind::Int | Kind::Float => RangeForm::Typed,
        _ => codegen::range_form(range),
    };
    let function = match form {
        RangeForm::Typed => quote!(#p::range::<#ty>),
        RangeForm::FloatLiterals => quote!(#p::float_range::<#ty>),
        RangeForm::IntLiterals => quote!(#p::int_range::<#ty>),
    };
    let args = codegen::range_args(range, &form, |e| bound(e, field.kind));
    quote!(#function(#args))
}

/// A bound as written, except that integer literals become float literals on float
/// fields (`0..=1` on an `f64` means `0.0..=1.0`).
fn bound(expr: &Expr, kind: Kind) -> TokenStream {
    if kind == Kind::Float {
        if let Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) = expr
        {
            if int.suffix().is_empty() {
                let float = LitFloat::new(&format!("{}.0", int.base10_digits()), int.span());
                return float.into_token_stream();
            }
        }
        if let Expr::Unary(unary) = expr {
            if matches!(unary.op, syn::UnOp::Neg(_)) {
                let inner = bound(&unary.expr, kind);
                let op = &unary.op;
                return quote!(#op #inner);
            }
        }
    }
    expr.to_token_stream()
}

/// `(label, value)` pairs of a choice list.
fn choice_entries(p: &TokenStream, choice: &ChoiceSpec, field: &Field) -> Vec<TokenStream> {
    let (kind, ty) = (field.kind, &field.ty);
    choice
        .items
        .iter()
        .zip(domain::labels(&choice.items))
        .map(|(item, label)| {
            // A choice that is not a literal (a const, an expression, a variant with
            // fields) is labeled from its value, so the dynamic space and exports show
            // `0.001`, not `MIN_LR`.
            if let Label::Text(text) = &label {
                let v = Ident::new("__tunekit_value", Span::mixed_site());
                let value = bound(item, kind);
                let label = value_label(p, &v, text);
                return quote! {{
                    let #v: #ty = #value;
                    (#label, #v)
                }};
            }
            let label = label_tokens(p, &label, item.span());
            let value = match item {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => {
                    let call = codegen::respan(quote!(#p::from_str_literal::<#ty>), s.span());
                    quote!(#call(#s))
                }
                other => bound(other, kind),
            };
            quote!((#label, #value))
        })
        .collect()
}

/// The label of the choice value bound to `v`, built from the value (see the runtime's
/// `ChoiceLabel`), with the source `text` as the last resort.
pub fn value_label(p: &TokenStream, v: &Ident, text: &str) -> TokenStream {
    let label = Ident::new("__tunekit_label", Span::mixed_site());
    // The borrows pick the label (autoref specialization): not the user's to simplify.
    quote! {{
        #[allow(unused_imports)]
        use #p::{DebugLabel as _, ScalarLabel as _, TextLabel as _, TunableLabel as _};
        #[allow(clippy::all, clippy::pedantic, clippy::nursery)]
        let #label = (&&&&#p::ChoiceLabel(&#v)).choice_label(#text);
        #label
    }}
}

pub fn label_tokens(p: &TokenStream, label: &Label, span: Span) -> TokenStream {
    match label {
        Label::Int(i) => {
            let lit = LitInt::new(&format!("{i}i64"), span);
            quote!(#p::Value::Int(#lit))
        }
        Label::Float(f) => {
            let lit = LitFloat::new(&format!("{f:?}f64"), span);
            quote!(#p::Value::Float(#lit))
        }
        Label::Bool(b) => quote!(#p::Value::Bool(#b)),
        Label::Str(s) | Label::Text(s) => quote!(#p::label(#s)),
    }
}

/// `impl Tunable` for the model, inside `const _: () = { .. };`.
pub fn expand(krate: &syn::Path, container: &Container) -> TokenStream {
    let ident = &container.ident;
    let p = quote!(#krate::__private);
    let l = Locals::new();
    let Locals {
        builder,
        prefix,
        condition,
        params,
        overrides,
        ..
    } = &l;
    let (items, describe, decode, encode) = match &container.data {
        Body::Struct(fields) => struct_bodies(&p, &l, fields),
        Body::Enum(variants) => enum_bodies(&p, &l, variants),
        Body::Union(_) => unreachable!("the checks reject unions"),
    };
    // The fields `space!` overrides may name (an enum has no top-level fields).
    let field_types: Vec<TokenStream> = match &container.data {
        Body::Struct(fields) => fields
            .iter()
            .filter(|f| !f.name.is_empty())
            .map(|f| {
                let (name, ty) = (&f.name, &f.ty);
                quote!(#p::FieldType::of::<#ty>(#name))
            })
            .collect(),
        _ => Vec::new(),
    };
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, unused_variables, unused_mut, clippy::all, clippy::pedantic, clippy::nursery)]
        const _: () = {
            #items

            #[automatically_derived]
            impl #p::Tunable for #ident {
                fn describe(
                    #builder: #p::SearchSpaceBuilder,
                    #prefix: &str,
                    #condition: ::core::option::Option<&#p::Condition>,
                ) -> #p::Result<#p::SearchSpaceBuilder> {
                    #describe
                }

                fn fields() -> ::core::option::Option<::std::vec::Vec<#p::FieldType>> {
                    ::core::option::Option::Some(::std::vec![#(#field_types),*])
                }

                fn decode_with(
                    #params: &#p::Params,
                    #prefix: &str,
                    #overrides: &#p::FieldOverrides<'_>,
                ) -> #p::Result<Self> {
                    #decode
                }

                fn encode_with(
                    &self,
                    #params: &mut #p::Params,
                    #prefix: &str,
                    #overrides: &#p::FieldOverrides<'_>,
                ) -> #p::Result<()> {
                    #encode
                }
            }
        };
    }
}

type Bodies = (TokenStream, TokenStream, TokenStream, TokenStream);

fn struct_bodies(p: &TokenStream, l: &Locals, fields: &Fields) -> Bodies {
    let code = FieldsCode {
        p,
        l,
        scope: String::new(),
    };
    let Locals {
        builder,
        params,
        overrides,
        ..
    } = l;
    let items: TokenStream = fields.iter().map(|f| code.items(f)).collect();
    let describe: TokenStream = fields.iter().map(|f| code.describe(f)).collect();
    let decode = fields.iter().map(|f| {
        let member = &f.member;
        let ty = &f.ty;
        let name = &f.name;
        let path = code.path(f);
        let plain = code.decode(f);
        let v = Ident::new("__tunekit_value", Span::mixed_site());
        quote! {
            #member: match #overrides.decode::<#ty>(#name, #params, #path)? {
                ::core::option::Option::Some(#v) => #v,
                ::core::option::Option::None => #plain,
            }
        }
    });
    let encode = fields
        .iter()
        .filter(|f| FieldsCode::is_encoded(f))
        .map(|f| {
            let member = &f.member;
            let ty = &f.ty;
            let name = &f.name;
            let path = code.path(f);
            let value = quote!(&self.#member);
            let plain = code.encode(f, &value);
            quote! {
                if !#overrides.encode::<#ty>(#name, #value, #params, #path)? {
                    #plain
                }
            }
        });
    (
        items,
        quote! {
            #describe
            ::core::result::Result::Ok(#builder)
        },
        quote!(::core::result::Result::Ok(Self { #(#decode,)* })),
        quote! {
            #(#encode)*
            ::core::result::Result::Ok(())
        },
    )
}

fn enum_bodies(p: &TokenStream, l: &Locals, variants: &[Variant]) -> Bodies {
    let Locals {
        builder,
        prefix,
        condition,
        params,
        tag,
        ..
    } = l;
    let names: Vec<String> = variants.iter().map(|v| v.ident.to_string()).collect();
    let chosen = Ident::new("__tunekit_chosen", Span::mixed_site());
    let other = Ident::new("__tunekit_other", Span::mixed_site());
    let mut items = TokenStream::new();
    let mut describe = TokenStream::new();
    let mut decode_arms = Vec::new();
    let mut encode_arms = Vec::new();
    for (variant, name) in variants.iter().zip(&names) {
        let code = FieldsCode {
            p,
            l,
            scope: name.clone(),
        };
        let ident = &variant.ident;
        items.extend(variant.fields.iter().map(|f| code.items(f)));
        let field_describe: TokenStream = variant.fields.iter().map(|f| code.describe(f)).collect();
        if !field_describe.is_empty() {
            describe.extend(quote! {
                let #builder = {
                    let #prefix: &str = &#p::join(#prefix, #name);
                    let #condition = #p::Condition::equals(&#tag, #name);
                    let #condition = ::core::option::Option::Some(&#condition);
                    #field_describe
                    #builder
                };
            });
        }
        if matches!(variant.fields, Fields::Unit) {
            decode_arms.push(quote!(#name => ::core::result::Result::Ok(Self::#ident)));
            encode_arms.push(quote!(Self::#ident => { #params.insert(#tag, #name); }));
            continue;
        }
        let members: Vec<_> = variant.fields.iter().map(|f| &f.member).collect();
        let decoded: Vec<_> = variant.fields.iter().map(|f| code.decode(f)).collect();
        decode_arms.push(quote! {
            #name => {
                let #prefix: &str = &#p::join(#prefix, #name);
                ::core::result::Result::Ok(Self::#ident { #(#members: #decoded,)* })
            }
        });
        let encoded: Vec<&Field> = variant
            .fields
            .iter()
            .filter(|f| FieldsCode::is_encoded(f))
            .collect();
        let bindings: Vec<Ident> = (0..encoded.len())
            .map(|i| Ident::new(&format!("__tunekit_field{i}"), Span::mixed_site()))
            .collect();
        let bound_members = encoded.iter().map(|f| &f.member);
        let writes = encoded
            .iter()
            .zip(&bindings)
            .map(|(f, b)| code.encode(f, &b.to_token_stream()));
        encode_arms.push(quote! {
            Self::#ident { #(#bound_members: #bindings,)* .. } => {
                #params.insert(#tag.clone(), #name);
                let #prefix: &str = &#p::join(#prefix, #name);
                #(#writes)*
            }
        });
    }
    (
        items,
        quote! {
            let #tag = #p::enum_tag_path(#prefix);
            let #builder = #p::add(
                #builder,
                &#tag,
                #condition,
                ::core::result::Result::Ok(#p::Domain::categorical([#(#names),*])),
            )?;
            #describe
            ::core::result::Result::Ok(#builder)
        },
        quote! {
            let #tag = #p::enum_tag_path(#prefix);
            let #chosen: ::std::string::String = #params.get(&#tag)?;
            match #chosen.as_str() {
                #(#decode_arms,)*
                #other => ::core::result::Result::Err(#p::unknown_variant(&#tag, #other, &[#(#names),*])),
            }
        },
        quote! {
            let #tag = #p::enum_tag_path(#prefix);
            match self {
                #(#encode_arms)*
            }
            ::core::result::Result::Ok(())
        },
    )
}

/// When the input has errors: an impl that compiles, so the user sees their mistakes and
/// not a cascade of "`T` is not tunable" wherever the type is used; and the const checks
/// of every range, so the build reports broken ranges together with the other mistakes.
pub fn fallback(krate: &syn::Path, container: &Container) -> TokenStream {
    let p = quote!(#krate::__private);
    let ident = &container.ident;
    let fields: Vec<&Field> = match &container.data {
        Body::Struct(fields) => fields.iter().collect(),
        Body::Enum(variants) => variants.iter().flat_map(|v| v.fields.iter()).collect(),
        Body::Union(_) => Vec::new(),
    };
    let checks = fields.iter().filter_map(|field| match field.spec() {
        Some(Spec::Range(range)) => Some(codegen::range_checks(
            &p,
            &range,
            field.kind,
            Some(&field.ty),
        )),
        _ => None,
    });
    quote! {
        #[doc(hidden)]
        const _: () = {
            #(#checks)*

            // Never called: this impl is emitted only next to compile errors, so the
            // crate does not build and no program can reach these bodies.
            #[automatically_derived]
            impl #p::Tunable for #ident {
                fn describe(
                    _: #p::SearchSpaceBuilder,
                    _: &str,
                    _: ::core::option::Option<&#p::Condition>,
                ) -> #p::Result<#p::SearchSpaceBuilder> {
                    ::core::unreachable!()
                }
                fn decode_with(_: &#p::Params, _: &str, _: &#p::FieldOverrides<'_>) -> #p::Result<Self> {
                    ::core::unreachable!()
                }
                fn encode_with(&self, _: &mut #p::Params, _: &str, _: &#p::FieldOverrides<'_>) -> #p::Result<()> {
                    ::core::unreachable!()
                }
            }
        };
    }
}
