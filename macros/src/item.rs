//! The model of a `#[tunable]` type: its fields and what each asks for, parsed from the
//! `#[tune(...)]` attributes (which are stripped from the item) and checked against the
//! field types that are primitives.

use quote::ToTokens;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Fields, Ident, Member, Type};

use crate::ctxt::Ctxt;
use crate::domain::{self, Number, Spec};

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

pub struct Field {
    /// The name used in parameter paths.
    pub name: String,
    pub member: Member,
    pub ty: Type,
    pub kind: Kind,
    /// `None`: no `#[tune]`, the field takes its type's default.
    pub spec: Option<Spec>,
}

pub struct Variant {
    pub ident: Ident,
    pub unit: bool,
    pub fields: Vec<Field>,
}

pub enum Shape {
    Struct(Vec<Field>),
    Enum(Vec<Variant>),
}

/// Reads the fields, taking their `#[tune]` attributes off. A variant with one unnamed
/// field (`Adam(AdamConfig)`, `Sgd(#[tune(0.0..=0.9)] f64)`) is a newtype variant: its
/// field's parameters take the variant's own path (`optimizer.Adam.lr`, `optimizer.Sgd`).
pub fn parse_fields(cx: &Ctxt, fields: &mut Fields, owner: &Ident, is_variant: bool) -> Vec<Field> {
    let named = match fields {
        Fields::Named(named) => named,
        Fields::Unit => return Vec::new(),
        Fields::Unnamed(unnamed) if is_variant && unnamed.unnamed.len() == 1 => {
            let field = &mut unnamed.unnamed[0];
            let kind = kind_of(&field.ty);
            let spec = take_tune(cx, &mut field.attrs, owner, &field.ty, kind);
            return vec![Field {
                name: String::new(),
                member: Member::Unnamed(0.into()),
                ty: field.ty.clone(),
                kind,
                spec,
            }];
        }
        Fields::Unnamed(unnamed) => {
            for field in &mut unnamed.unnamed {
                field.attrs.retain(|a| !a.path().is_ident("tune"));
            }
            let message = if is_variant {
                format!("#[tunable] takes a variant with one unnamed field (its path is the variant's) or named fields; write `{owner} {{ name: Type }}`")
            } else {
                format!("#[tunable] needs named fields, so each parameter has a name; write `struct {owner} {{ name: Type }}`")
            };
            cx.error_spanned_by(&*unnamed, message);
            return Vec::new();
        }
    };
    named
        .named
        .iter_mut()
        .map(|field| {
            let ident = field.ident.clone().expect("named field");
            let kind = kind_of(&field.ty);
            let spec = take_tune(cx, &mut field.attrs, &ident, &field.ty, kind);
            Field {
                name: ident.to_string().trim_start_matches("r#").to_owned(),
                member: Member::Named(ident.clone()),
                ty: field.ty.clone(),
                kind,
                spec,
            }
        })
        .collect()
}

/// Removes every `#[tune]` from `attrs` and parses the one that should be there.
fn take_tune(
    cx: &Ctxt,
    attrs: &mut Vec<Attribute>,
    ident: &Ident,
    ty: &Type,
    kind: Kind,
) -> Option<Spec> {
    let mut spec = None;
    let mut seen = false;
    let mut kept = Vec::with_capacity(attrs.len());
    for attr in attrs.drain(..) {
        if !attr.path().is_ident("tune") {
            kept.push(attr);
            continue;
        }
        if seen {
            cx.error_spanned_by(&attr, "a field takes one #[tune(...)]; merge them into one");
            continue;
        }
        seen = true;
        spec = match &attr.meta {
            syn::Meta::Path(_) => Some(Spec::Nested),
            syn::Meta::List(list) => {
                let span = list.span();
                (|input: syn::parse::ParseStream| Ok(domain::parse_spec(cx, input, span, true)))
                    .parse2(list.tokens.clone())
                    .unwrap_or(None)
            }
            syn::Meta::NameValue(nv) => {
                cx.error_spanned_by(
                    nv,
                    "write #[tune(...)] with parentheses, such as #[tune(1..=8)]",
                );
                None
            }
        };
    }
    *attrs = kept;
    if let Some(spec) = &spec {
        check_against_type(cx, spec, ident, ty, kind);
    }
    spec
}

fn ty_text(ty: &Type) -> String {
    ty.to_token_stream().to_string().replace(' ', "")
}

/// The checks that need the field's type, when the type is a primitive the macro knows.
fn check_against_type(cx: &Ctxt, spec: &Spec, ident: &Ident, ty: &Type, kind: Kind) {
    let ty_name = ty_text(ty);
    match spec {
        Spec::Nested => match kind {
            Kind::Int | Kind::Float | Kind::Str => cx.error_spanned_by(
                ty,
                format!(
                    "a bare #[tune] needs a #[tunable] type or bool, but `{ident}` is a `{ty_name}`; give it a domain, such as {}",
                    if kind == Kind::Str { "#[tune(choice(\"a\", \"b\"))]" } else { "#[tune(1..=8)] or #[tune(choice(1, 2))]" }
                ),
            ),
            _ => {}
        },
        Spec::Range(range) => {
            match kind {
                Kind::Bool => cx.error_spanned_by(&range.tokens, format!("`{ident}` is a bool, which has no range; write a bare #[tune] to search false and true")),
                Kind::Str => cx.error_spanned_by(&range.tokens, format!("`{ident}` is a `{ty_name}`, which has no range; list the values: #[tune(choice(\"a\", \"b\"))]")),
                Kind::Int => {
                    let bounds = [&range.low, &range.high];
                    let floats: Vec<_> = bounds.iter().filter(|b| matches!(domain::number(b), Some(Number::Float(_)))).collect();
                    if !floats.is_empty() {
                        let whole = |e: &Expr| match domain::number(e) {
                            Some(n) => format!("{}", n.as_f64().round() as i128),
                            None => e.to_token_stream().to_string(),
                        };
                        cx.error_spanned_by(
                            &range.tokens,
                            format!(
                                "`{ident}` is a `{ty_name}`, so its range needs integer bounds: write `{}..={}`, or make the field a float",
                                whole(&range.low),
                                whole(&range.high)
                            ),
                        );
                    }
                    if let Some(step) = &range.step {
                        if matches!(domain::number(step), Some(Number::Float(_))) {
                            cx.error_spanned_by(step, format!("`{ident}` is a `{ty_name}`, so `step` must be an integer, such as `step = 2`"));
                        }
                    }
                }
                Kind::Float | Kind::Other => {}
            }
        }
        Spec::Choice(choice) => {
            for (item, label) in choice.items.iter().zip(domain::labels(&choice.items)) {
                let wrong = match (kind, &label) {
                    (Kind::Int, domain::Label::Float(_)) => Some("a float"),
                    (Kind::Int | Kind::Float, domain::Label::Str(_)) => Some("a string"),
                    (Kind::Int | Kind::Float | Kind::Str, domain::Label::Bool(_)) => Some("a bool"),
                    (Kind::Bool | Kind::Str, domain::Label::Int(_) | domain::Label::Float(_)) => Some("a number"),
                    (Kind::Bool, domain::Label::Str(_)) => Some("a string"),
                    _ => None,
                };
                if let Some(wrong) = wrong {
                    cx.error_spanned_by(
                        item,
                        format!("`{ident}` is a `{ty_name}`, but this choice is {wrong}; list `{ty_name}` values"),
                    );
                }
            }
        }
        Spec::Fixed(_) => {}
    }
}

/// `#[tunable(crate = "path")]`: where the runtime is, when the dependency is renamed.
pub fn parse_tunable_args(cx: &Ctxt, args: proc_macro2::TokenStream) -> syn::Path {
    let mut krate: syn::Path = syn::parse_quote!(::tunekit);
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            let lit: syn::LitStr = meta.value()?.parse()?;
            krate = lit.parse()?;
            Ok(())
        } else {
            let key = meta.path.to_token_stream().to_string();
            let hint = if strsim::normalized_damerau_levenshtein(&key, "crate") >= 0.5 {
                "did you mean `crate`?".to_owned()
            } else {
                "the only option is `crate = \"path\"`".to_owned()
            };
            Err(meta.error(format!("unknown option `{key}` in #[tunable(...)]; {hint}")))
        }
    });
    if let Err(error) = parser.parse2(args) {
        cx.syn_error(error);
    }
    krate
}
