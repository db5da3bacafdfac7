//! `#[tunable]`: parse the item into the model, check it, then generate (or fall back).

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

use crate::ctxt::Ctxt;
use crate::expand_tunable;
use crate::item::{self, Shape, Variant};

pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut input: DeriveInput = match syn::parse2(input.clone()) {
        Ok(input) => input,
        Err(_) => {
            return syn::Error::new_spanned(
                input,
                "#[tunable] goes on a struct with named fields or an enum",
            )
            .to_compile_error();
        }
    };
    let cx = Ctxt::new();
    let krate = item::parse_tunable_args(&cx, args);
    let ident = input.ident.clone();
    let generic = !input.generics.params.is_empty();
    if generic {
        cx.error_spanned_by(
            &input.generics,
            format!("#[tunable] does not support generic types: each field needs a concrete type for its domain; make `{ident}` concrete"),
        );
    }
    let shape = match &mut input.data {
        Data::Struct(data) => {
            if matches!(data.fields, Fields::Unit) {
                cx.error_spanned_by(
                    &ident,
                    format!("`{ident}` has no fields to tune; add named fields, such as `struct {ident} {{ #[tune(1..=8)] layers: u32 }}`"),
                );
            }
            Some(Shape::Struct(item::parse_fields(
                &cx,
                &mut data.fields,
                &ident,
                false,
            )))
        }
        Data::Enum(data) => {
            if data.variants.is_empty() {
                cx.error_spanned_by(
                    &ident,
                    format!("`{ident}` has no variants to choose from; add at least one"),
                );
            }
            let variants = data
                .variants
                .iter_mut()
                .map(|variant| {
                    for attr in &variant.attrs {
                        if attr.path().is_ident("tune") {
                            cx.error_spanned_by(attr, "#[tune] goes on fields; a variant is chosen by the enum's own categorical parameter");
                        }
                    }
                    variant.attrs.retain(|a| !a.path().is_ident("tune"));
                    let unit = matches!(variant.fields, Fields::Unit);
                    Variant {
                        ident: variant.ident.clone(),
                        unit,
                        fields: item::parse_fields(&cx, &mut variant.fields, &variant.ident, true),
                    }
                })
                .collect();
            Some(Shape::Enum(variants))
        }
        Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "#[tunable] does not support unions: a union holds one field at a time with no tag to search; use an enum",
            );
            None
        }
    };
    let item = input.to_token_stream();
    match (cx.check(), shape) {
        (Ok(()), Some(shape)) => {
            let generated = expand_tunable::expand(&krate, &ident, &shape);
            quote!(#item #generated)
        }
        (Err(errors), _) => {
            let errors = errors.to_compile_error();
            let fallback = if generic || matches!(input.data, Data::Union(_)) {
                TokenStream::new()
            } else {
                expand_tunable::fallback(&krate, &ident)
            };
            quote!(#item #errors #fallback)
        }
        (Ok(()), None) => syn::Error::new(input.span(), "unsupported item").to_compile_error(),
    }
}
