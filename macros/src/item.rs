//! The model of a `#[tunable]` type, parsed from the item: its fields and what each one's
//! `#[tune(...)]` says (the attributes are stripped from the item, which is emitted
//! again). Nothing here judges the input: `check.rs` does, on this model.

use quote::ToTokens;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Ident, Member, MetaNameValue, Token, Type};

use crate::ctxt::Ctxt;
use crate::domain::{self, Spec, TuneArgs};
use crate::symbol::{CRATE, TUNE};

/// What kind of value a field type is, when the macro can tell from its name.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Int,
    Float,
    Bool,
    Str,
    /// Any other type (a user type, an alias): checked by rustc through trait bounds.
    Other,
}

pub fn kind_of(ty: &Type) -> Kind {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return Kind::Other;
            };
            if !last.arguments.is_empty() {
                return Kind::Other;
            }
            match last.ident.to_string().as_str() {
                "f32" | "f64" => Kind::Float,
                "i8" | "i16" | "i32" | "i64" | "isize" | "u8" | "u16" | "u32" | "u64" | "usize" => {
                    Kind::Int
                }
                "bool" => Kind::Bool,
                "String" => Kind::Str,
                _ => Kind::Other,
            }
        }
        Type::Reference(r) if matches!(&*r.elem, Type::Path(p) if p.path.is_ident("str")) => {
            Kind::Str
        }
        Type::Group(g) => kind_of(&g.elem),
        Type::Paren(p) => kind_of(&p.elem),
        _ => Kind::Other,
    }
}

/// A `#[tunable]` item.
pub struct Container {
    pub ident: Ident,
    pub generics: syn::Generics,
    pub data: Body,
}

pub enum Body {
    Struct(Fields),
    Enum(Vec<Variant>),
    Union(Token![union]),
}

pub struct Variant {
    pub ident: Ident,
    /// `#[tune]` written on the variant itself.
    pub tune_attrs: Vec<Attribute>,
    pub fields: Fields,
}

/// The fields of a struct or a variant, by how they are written.
pub enum Fields {
    Named(Vec<Field>),
    Unit,
    /// The one unnamed field of a newtype variant (`Adam(AdamConfig)`): its parameters
    /// take the variant's own path.
    Newtype(Box<Field>),
    /// Unnamed fields that are not a newtype variant's: not supported.
    Tuple(syn::FieldsUnnamed),
}

impl Fields {
    pub fn iter(&self) -> std::slice::Iter<'_, Field> {
        match self {
            Fields::Named(fields) => fields.iter(),
            Fields::Newtype(field) => std::slice::from_ref(&**field).iter(),
            Fields::Unit | Fields::Tuple(_) => [].iter(),
        }
    }
}

pub struct Field {
    /// The name used in parameter paths; empty for a newtype variant's field.
    pub name: String,
    /// The field's name, or the variant's for a newtype variant, for messages.
    pub ident: Ident,
    pub member: Member,
    pub ty: Type,
    pub kind: Kind,
    /// The first `#[tune]`; `None`: the field takes its type's default.
    pub tune: Option<Tune>,
    /// Any further `#[tune]` attributes.
    pub extra_tunes: Vec<Attribute>,
}

/// A `#[tune]` attribute, by its form.
pub enum Tune {
    /// `#[tune]`
    Bare,
    /// `#[tune(...)]`
    Args(TuneArgs),
    /// `#[tune = ...]`
    NameValue(MetaNameValue),
    /// `#[tune(...)]` whose tokens are not in the grammar (the parse error is recorded).
    Unparsed,
}

impl Field {
    /// What the field asks for, as code generation reads it; `None` when it has no
    /// `#[tune]` (or one that says nothing usable, which the checks report).
    pub fn spec(&self) -> Option<Spec> {
        match self.tune.as_ref()? {
            Tune::Bare => Some(Spec::Nested),
            Tune::Args(args) => args.spec(),
            Tune::NameValue(_) | Tune::Unparsed => None,
        }
    }
}

/// Reads the item into the model, taking the `#[tune]` attributes off it. Only tokens
/// that do not parse are recorded in `cx`.
pub fn parse(cx: &Ctxt, input: &mut DeriveInput) -> Container {
    let data = match &mut input.data {
        Data::Struct(data) => Body::Struct(parse_fields(cx, &mut data.fields, &input.ident, false)),
        Data::Enum(data) => Body::Enum(
            data.variants
                .iter_mut()
                .map(|variant| {
                    let (tune_attrs, kept) =
                        variant.attrs.drain(..).partition(|a| a.path() == TUNE);
                    variant.attrs = kept;
                    Variant {
                        ident: variant.ident.clone(),
                        tune_attrs,
                        fields: parse_fields(cx, &mut variant.fields, &variant.ident, true),
                    }
                })
                .collect(),
        ),
        Data::Union(data) => Body::Union(data.union_token),
    };
    Container {
        ident: input.ident.clone(),
        generics: input.generics.clone(),
        data,
    }
}

fn parse_fields(cx: &Ctxt, fields: &mut syn::Fields, owner: &Ident, is_variant: bool) -> Fields {
    match fields {
        syn::Fields::Named(named) => Fields::Named(
            named
                .named
                .iter_mut()
                .map(|field| {
                    let ident = field.ident.clone().expect("named field");
                    parse_field(
                        cx,
                        field,
                        ident.to_string().trim_start_matches("r#").to_owned(),
                        ident.clone(),
                        Member::Named(ident),
                    )
                })
                .collect(),
        ),
        syn::Fields::Unit => Fields::Unit,
        syn::Fields::Unnamed(unnamed) if is_variant && unnamed.unnamed.len() == 1 => {
            let field = &mut unnamed.unnamed[0];
            Fields::Newtype(Box::new(parse_field(
                cx,
                field,
                String::new(),
                owner.clone(),
                Member::Unnamed(0.into()),
            )))
        }
        syn::Fields::Unnamed(unnamed) => {
            for field in &mut unnamed.unnamed {
                field.attrs.retain(|a| a.path() != TUNE);
            }
            Fields::Tuple(unnamed.clone())
        }
    }
}

fn parse_field(
    cx: &Ctxt,
    field: &mut syn::Field,
    name: String,
    ident: Ident,
    member: Member,
) -> Field {
    let (tunes, kept): (Vec<Attribute>, Vec<Attribute>) =
        field.attrs.drain(..).partition(|a| a.path() == TUNE);
    field.attrs = kept;
    let mut tunes = tunes.into_iter();
    let tune = tunes.next().map(|attr| parse_tune(cx, &attr));
    Field {
        name,
        ident,
        member,
        kind: kind_of(&field.ty),
        ty: field.ty.clone(),
        tune,
        extra_tunes: tunes.collect(),
    }
}

fn parse_tune(cx: &Ctxt, attr: &Attribute) -> Tune {
    match &attr.meta {
        syn::Meta::Path(_) => Tune::Bare,
        syn::Meta::List(list) => {
            let span = list.span();
            let parser = |input: syn::parse::ParseStream| domain::parse_tune_args(input, span);
            match parser.parse2(list.tokens.clone()) {
                Ok(args) => Tune::Args(args),
                Err(error) => {
                    cx.syn_error(error);
                    Tune::Unparsed
                }
            }
        }
        syn::Meta::NameValue(nv) => Tune::NameValue(nv.clone()),
    }
}

/// `#[tunable(crate = "path")]`: where the runtime is, when the dependency is renamed.
pub fn parse_tunable_args(cx: &Ctxt, args: proc_macro2::TokenStream) -> syn::Path {
    let mut krate: syn::Path = syn::parse_quote!(::tunekit);
    let parser = syn::meta::parser(|meta| {
        if meta.path == CRATE {
            let lit: syn::LitStr = meta.value()?.parse()?;
            krate = lit.parse()?;
            Ok(())
        } else {
            let key = meta.path.to_token_stream().to_string();
            let hint = if strsim::normalized_damerau_levenshtein(&key, CRATE.as_str()) >= 0.5 {
                format!("did you mean `{CRATE}`?")
            } else {
                format!("the only option is `{CRATE} = \"path\"`")
            };
            Err(meta.error(format!("unknown option `{key}` in #[tunable(...)]; {hint}")))
        }
    });
    if let Err(error) = parser.parse2(args) {
        cx.syn_error(error);
    }
    krate
}
