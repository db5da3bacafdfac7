//! `#[tunable]`: parse the item into the model, check it, then generate (or fall back).

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::DeriveInput;

use crate::check;
use crate::ctxt::Ctxt;
use crate::expand_tunable;
use crate::item::{self, Body};

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
    let container = item::parse(&cx, &mut input);
    check::tunable(&cx, &container);
    // The item goes back without its `#[tune]` attributes.
    let item = input.to_token_stream();
    match cx.check() {
        Ok(()) => {
            let generated = expand_tunable::expand(&krate, &container);
            quote!(#item #generated)
        }
        Err(errors) => {
            let errors = errors.to_compile_error();
            // No impl can be written for a generic type or a union; every other type gets
            // one, so its uses do not add errors of their own.
            let generic = !container.generics.params.is_empty();
            let fallback = if generic || matches!(container.data, Body::Union(_)) {
                TokenStream::new()
            } else {
                expand_tunable::fallback(&krate, &container)
            };
            quote!(#item #errors #fallback)
        }
    }
}
