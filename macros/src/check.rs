//! The rules of `#[tunable]` and `space!`, one function each, run on the parsed model
//! (the shape of serde_derive's `internals/check.rs`). A rule records every mistake it
//! finds in the `Ctxt`, at the user's tokens, saying what to write instead; no rule
//! generates code, and no rule hides another's errors.
//!
//! The rules about the values of a range (order, `log`'s lower bound, `step`) are not
//! here: they exist once, in the runtime's `range_rules`, and reach the build through the
//! const checks code generation emits (`codegen::range_checks`).

use syn::{Expr, Ident, Type};

use crate::ctxt::Ctxt;
use crate::domain::{self, compact, Arg, ChoiceSpec, KeyForm, Label, Number, RangeSpec, Spec};
use crate::domain::{TuneArgs, ARGS_HINT};
use crate::item::{Body, Container, Field, Fields, Kind, Tune, Variant};
use crate::space::{Entry, EntryValue, SpaceInput};
use crate::symbol::{Form, Symbol, CHOICE, FIXED, STEP, TUNE_KEYS};

/// Where a list of `tune` arguments was written.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// `#[tune(...)]` on a field, whose type the macro sees.
    Attribute,
    /// `space!(T { field: ... })`, where the field's type is not visible.
    Space,
}

/// Every rule of a `#[tunable]` item.
pub fn tunable(cx: &Ctxt, container: &Container) {
    not_generic(cx, container);
    match &container.data {
        Body::Struct(fields) => {
            struct_has_fields(cx, container, fields);
            fields_are_named(cx, &container.ident, fields, false);
            for field in fields.iter() {
                self::field(cx, field);
            }
        }
        Body::Enum(variants) => {
            enum_has_variants(cx, container, variants);
            for variant in variants {
                no_tune_on_variant(cx, variant);
                fields_are_named(cx, &variant.ident, &variant.fields, true);
                for field in variant.fields.iter() {
                    self::field(cx, field);
                }
            }
        }
        Body::Union(token) => not_a_union(cx, token),
    }
}

/// Every rule of one field.
fn field(cx: &Ctxt, field: &Field) {
    one_tune_attribute(cx, field);
    match &field.tune {
        None | Some(Tune::Unparsed) => {}
        Some(Tune::Bare) => bare_tune_on_tunable_type(cx, field),
        Some(Tune::NameValue(nv)) => tune_with_parentheses(cx, nv),
        Some(Tune::Args(args)) => {
            tune_args(cx, args, Place::Attribute);
            match args.spec() {
                Some(Spec::Range(range)) => range_fits_type(cx, field, &range),
                Some(Spec::Choice(choice)) => choices_fit_type(cx, field, &choice),
                _ => {}
            }
        }
    }
}

/// Every rule of a `space!` call. Tells, entry by entry, whether the entry passed (code
/// is generated for those only, so a broken entry does not also cause type errors).
pub fn space(cx: &Ctxt, input: &SpaceInput) -> Vec<bool> {
    input
        .entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let before = cx.error_count();
            field_given_once(cx, &input.entries[..i], entry);
            if let EntryValue::Args(args) = &entry.value {
                tune_args(cx, args, Place::Space);
                if args.spec().is_none() {
                    return false;
                }
            }
            cx.error_count() == before
        })
        .collect()
}

/// Every rule of one `tune` argument list.
fn tune_args(cx: &Ctxt, args: &TuneArgs, place: Place) {
    args_not_empty(cx, args, place);
    keys_known(cx, args);
    keys_in_their_form(cx, args);
    one_domain(cx, args);
    modifiers_once(cx, args);
    modifiers_have_a_range(cx, args);
    modifiers_fit_the_domain(cx, args);
    ranges_closed(cx, args);
    for arg in &args.args {
        if let Arg::Choice(choice) = arg {
            choice_not_empty(cx, choice);
            choices_distinct(cx, choice);
            if place == Place::Space {
                choices_of_one_kind(cx, choice);
            }
        }
    }
}

// ---- the item -------------------------------------------------------------------------

fn not_generic(cx: &Ctxt, container: &Container) {
    if !container.generics.params.is_empty() {
        let ident = &container.ident;
        cx.error_spanned_by(
            &container.generics,
            format!("#[tunable] does not support generic types: each field needs a concrete type for its domain; make `{ident}` concrete"),
        );
    }
}

fn struct_has_fields(cx: &Ctxt, container: &Container, fields: &Fields) {
    if matches!(fields, Fields::Unit) {
        let ident = &container.ident;
        cx.error_spanned_by(
            ident,
            format!("`{ident}` has no fields to tune; add named fields, such as `struct {ident} {{ #[tune(1..=8)] layers: u32 }}`"),
        );
    }
}

fn enum_has_variants(cx: &Ctxt, container: &Container, variants: &[Variant]) {
    if variants.is_empty() {
        let ident = &container.ident;
        cx.error_spanned_by(
            ident,
            format!("`{ident}` has no variants to choose from; add at least one"),
        );
    }
}

fn not_a_union(cx: &Ctxt, token: &syn::Token![union]) {
    cx.error_spanned_by(
        token,
        "#[tunable] does not support unions: a union holds one field at a time with no tag to search; use an enum",
    );
}

fn fields_are_named(cx: &Ctxt, owner: &Ident, fields: &Fields, is_variant: bool) {
    if let Fields::Tuple(unnamed) = fields {
        let message = if is_variant {
            format!("#[tunable] takes a variant with one unnamed field (its path is the variant's) or named fields; write `{owner} {{ name: Type }}`")
        } else {
            format!("#[tunable] needs named fields, so each parameter has a name; write `struct {owner} {{ name: Type }}`")
        };
        cx.error_spanned_by(unnamed, message);
    }
}

fn no_tune_on_variant(cx: &Ctxt, variant: &Variant) {
    for attr in &variant.tune_attrs {
        cx.error_spanned_by(
            attr,
            "#[tune] goes on fields; a variant is chosen by the enum's own categorical parameter",
        );
    }
}

// ---- a field's attribute --------------------------------------------------------------

fn one_tune_attribute(cx: &Ctxt, field: &Field) {
    for attr in &field.extra_tunes {
        cx.error_spanned_by(attr, "a field takes one #[tune(...)]; merge them into one");
    }
}

fn tune_with_parentheses(cx: &Ctxt, nv: &syn::MetaNameValue) {
    cx.error_spanned_by(
        nv,
        "write #[tune(...)] with parentheses, such as #[tune(1..=8)]",
    );
}

fn bare_tune_on_tunable_type(cx: &Ctxt, field: &Field) {
    if matches!(field.kind, Kind::Int | Kind::Float | Kind::Str) {
        let (ident, ty) = (&field.ident, &field.ty);
        let example = if field.kind == Kind::Str {
            "#[tune(choice(\"a\", \"b\"))]"
        } else {
            "#[tune(1..=8)] or #[tune(choice(1, 2))]"
        };
        cx.error_spanned_by(
            ty,
            format!(
                "a bare #[tune] needs a #[tunable] type or bool, but `{ident}` is a `{}`; give it a domain, such as {example}",
                compact(ty)
            ),
        );
    }
}

/// A range on a field the macro knows is not a number, or float literals on an integer
/// field.
fn range_fits_type(cx: &Ctxt, field: &Field, range: &RangeSpec) {
    let (ident, ty) = (&field.ident, compact(&field.ty));
    match field.kind {
        Kind::Bool => cx.error_spanned_by(
            &range.tokens,
            format!("`{ident}` is a bool, which has no range; write a bare #[tune] to search false and true"),
        ),
        Kind::Str => cx.error_spanned_by(
            &range.tokens,
            format!("`{ident}` is a `{ty}`, which has no range; list the values: #[tune(choice(\"a\", \"b\"))]"),
        ),
        Kind::Int => {
            let is_float = |e: &Expr| matches!(domain::number(e), Some(Number::Float(_)));
            if is_float(&range.low) || is_float(&range.high) {
                let write = match whole_bounds(range, &field.ty) {
                    Some((low, high)) => format!("write `{low}..={high}`"),
                    None => "write integer bounds, such as `1..=8`".to_owned(),
                };
                cx.error_spanned_by(
                    &range.tokens,
                    format!("`{ident}` is a `{ty}`, so its range needs integer bounds: {write}, or make the field a float"),
                );
            }
            if let Some(step) = range.step.as_ref().filter(|s| is_float(s)) {
                cx.error_spanned_by(
                    step,
                    format!("`{ident}` is a `{ty}`, so `step` must be an integer, such as `step = 2`"),
                );
            }
        }
        Kind::Float | Kind::Other => {}
    }
}

/// Integer bounds to suggest for a float range on an integer field: rounded outwards (so
/// the range keeps every value it had), within what the type and a parameter hold, and
/// at least 1 under `log`; `None` when that is not a range (then the message
/// suggests no bounds rather than ones the range rules reject).
fn whole_bounds(range: &RangeSpec, ty: &Type) -> Option<(i128, i128)> {
    let low = domain::number(&range.low)?.as_f64();
    let high = domain::number(&range.high)?.as_f64();
    if !(low.is_finite() && high.is_finite()) || low > high {
        return None;
    }
    let (min, max) = int_limits(ty);
    let floor = if range.log.is_some() { min.max(1) } else { min };
    let low = (low.floor() as i128).clamp(floor, max);
    let high = (high.ceil() as i128).clamp(floor, max);
    (low <= high).then_some((low, high))
}

/// The values an integer field of this type holds as a parameter (parameters are `i64`).
fn int_limits(ty: &Type) -> (i128, i128) {
    let name = match ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    let (min, max) = match name.as_deref() {
        Some("i8") => (i8::MIN.into(), i8::MAX.into()),
        Some("i16") => (i16::MIN.into(), i16::MAX.into()),
        Some("i32") => (i32::MIN.into(), i32::MAX.into()),
        Some("u8") => (0, u8::MAX.into()),
        Some("u16") => (0, u16::MAX.into()),
        Some("u32") => (0, u32::MAX.into()),
        Some("u64" | "usize") => (0, i64::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    };
    (min, max)
}

fn choices_fit_type(cx: &Ctxt, field: &Field, choice: &ChoiceSpec) {
    let (ident, ty) = (&field.ident, compact(&field.ty));
    for (item, label) in choice.items.iter().zip(domain::labels(&choice.items)) {
        let wrong = match (field.kind, &label) {
            (Kind::Int, Label::Float(_)) => Some("a float"),
            (Kind::Int | Kind::Float, Label::Str(_)) => Some("a string"),
            (Kind::Int | Kind::Float | Kind::Str, Label::Bool(_)) => Some("a bool"),
            (Kind::Bool | Kind::Str, Label::Int(_) | Label::Float(_)) => Some("a number"),
            (Kind::Bool, Label::Str(_)) => Some("a string"),
            _ => None,
        };
        if let Some(wrong) = wrong {
            cx.error_spanned_by(
                item,
                format!("`{ident}` is a `{ty}`, but this choice is {wrong}; list `{ty}` values"),
            );
        }
    }
}

// ---- the arguments of `tune(...)` ------------------------------------------------------

fn args_not_empty(cx: &Ctxt, args: &TuneArgs, place: Place) {
    if args.args.is_empty() {
        let message = match place {
            Place::Attribute => {
                "`tune()` is empty; give a domain, or write a bare `#[tune]` for a tunable type"
            }
            Place::Space => "`tune()` is empty; give a domain, such as `tune(1..=8)`",
        };
        cx.error_at(args.span, message);
    }
}

fn keys_known(cx: &Ctxt, args: &TuneArgs) {
    for arg in &args.args {
        if let Arg::Unknown(key) = arg {
            cx.error_spanned_by(key, unknown_key_message(key));
        }
    }
}

pub fn unknown_key_message(key: &Ident) -> String {
    let name = key.to_string();
    let best = TUNE_KEYS
        .iter()
        .map(|k| {
            (
                strsim::normalized_damerau_levenshtein(&name, k.as_str()),
                *k,
            )
        })
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, suggestion)) => {
            format!("unknown key `{name}` in #[tune(...)]; did you mean `{suggestion}`?")
        }
        None => format!("unknown key `{name}` in #[tune(...)]; expected {ARGS_HINT}"),
    }
}

/// A known key written in another form: `step(2)`, `log = true`, a bare `fixed`.
fn keys_in_their_form(cx: &Ctxt, args: &TuneArgs) {
    for arg in &args.args {
        if let Arg::Misshapen(key, form) = arg {
            cx.error_spanned_by(key, key_form_message(key, form));
        }
    }
}

fn key_form_message(key: &Ident, form: &KeyForm) -> String {
    let Some(known) = Symbol::tune_key(key) else {
        return unknown_key_message(key);
    };
    // The one value the user gave, to put in the corrected form.
    let given = match form {
        KeyForm::Value(value) => Some(compact(value)),
        KeyForm::List(list) if list.len() == 1 => Some(compact(&list[0])),
        KeyForm::List(_) | KeyForm::Bare => None,
    };
    match known.form() {
        Form::Bare => format!("`{key}` takes no value; write `{key}` alone"),
        Form::Value => match given {
            Some(value) => format!("`{key}` takes its value after `=`; write `{key} = {value}`"),
            None => {
                let example = if known == STEP { "2" } else { "value" };
                format!("`{key}` takes one value after `=`, such as `{key} = {example}`")
            }
        },
        Form::List => match given {
            Some(value) => {
                format!("`{key}` takes its values in parentheses; write `{key}({value})`")
            }
            None => format!("`{key}` takes its values in parentheses, such as `{CHOICE}(16, 32)`"),
        },
    }
}

fn one_domain(cx: &Ctxt, args: &TuneArgs) {
    for extra in args.domains().skip(1) {
        cx.error_spanned_by(
            extra.domain_tokens(),
            format!("a field has one domain; keep either the range, the `{CHOICE}(...)` or `{FIXED} = ...`"),
        );
    }
}

fn modifiers_once(cx: &Ctxt, args: &TuneArgs) {
    for key in args.logs().skip(1) {
        cx.error_spanned_by(key, format!("`{key}` is given twice; keep one"));
    }
    for (key, _) in args.steps().skip(1) {
        cx.error_spanned_by(key, format!("`{key}` is given twice; keep one"));
    }
}

/// `log` or `step` without any domain.
fn modifiers_have_a_range(cx: &Ctxt, args: &TuneArgs) {
    if args.domains().next().is_some() {
        return;
    }
    let first = args
        .logs()
        .next()
        .or(args.steps().next().map(|(key, _)| key));
    if let Some(key) = first {
        cx.error_spanned_by(
            key,
            format!("`{key}` needs a range to apply to; add one, such as `1e-5..=1e-1`"),
        );
    }
}

/// `log` or `step` with a domain that is not a range.
fn modifiers_fit_the_domain(cx: &Ctxt, args: &TuneArgs) {
    let what = match args.domains().next() {
        Some(Arg::Choice(_)) => "a `choice(...)` has no scale or spacing",
        Some(Arg::Fixed(..)) => "a fixed value is not searched",
        _ => return,
    };
    let keys = args
        .logs()
        .take(1)
        .chain(args.steps().take(1).map(|(key, _)| key));
    for key in keys {
        cx.error_spanned_by(
            key,
            format!("`{key}` only applies to ranges: {what}; remove `{key}`"),
        );
    }
}

fn ranges_closed(cx: &Ctxt, args: &TuneArgs) {
    for arg in &args.args {
        let Arg::Range(range) = arg else { continue };
        let (Some(low), Some(high)) = (&range.low, &range.high) else {
            cx.error_spanned_by(&range.tokens, "a range needs both bounds, such as `1..=8`");
            continue;
        };
        if let Some(dots) = &range.half_open {
            cx.error_spanned_by(
                dots,
                format!(
                    "ranges are inclusive here: write `{}..={}`",
                    compact(low),
                    compact(high)
                ),
            );
        }
    }
}

fn choice_not_empty(cx: &Ctxt, choice: &ChoiceSpec) {
    if choice.items.is_empty() {
        cx.error_at(
            choice.span,
            format!("`{CHOICE}()` is empty; list at least one value, such as `{CHOICE}(16, 32)`"),
        );
    }
}

fn choices_distinct(cx: &Ctxt, choice: &ChoiceSpec) {
    let labels = domain::labels(&choice.items);
    for (i, label) in labels.iter().enumerate() {
        if labels[..i]
            .iter()
            .any(|earlier| earlier.key() == label.key())
        {
            cx.error_spanned_by(
                &choice.items[i],
                format!(
                    "`{}` is listed twice in `{CHOICE}(...)`; list each choice once",
                    compact(&choice.items[i])
                ),
            );
        }
    }
}

/// In `space!`, where the field's type is not visible: literal choices of different kinds
/// cannot all have the field's type.
fn choices_of_one_kind(cx: &Ctxt, choice: &ChoiceSpec) {
    let labels = domain::labels(&choice.items);
    let mut first: Option<(&Expr, &'static str)> = None;
    for (item, label) in choice.items.iter().zip(&labels) {
        let Some(group) = label.literal_group() else {
            continue;
        };
        match first {
            None => first = Some((item, group)),
            Some((earlier, earlier_group)) if earlier_group != group => {
                cx.error_spanned_by(
                    item,
                    format!(
                        "this choice is {group}, but `{}` is {earlier_group}; list values of the field's one type",
                        compact(earlier)
                    ),
                );
                return;
            }
            Some(_) => {}
        }
    }
}

// ---- `space!` --------------------------------------------------------------------------

fn field_given_once(cx: &Ctxt, earlier: &[Entry], entry: &Entry) {
    if earlier.iter().any(|e| e.field == entry.field) {
        let field = &entry.field;
        cx.error_spanned_by(field, format!("`{field}` is given twice; keep one"));
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::{Span, TokenStream};
    use syn::parse::{ParseStream, Parser};

    use super::*;

    fn errors(tokens: &str, place: Place) -> Vec<String> {
        let cx = Ctxt::new();
        let stream: TokenStream = tokens.parse().unwrap();
        let args = (|input: ParseStream| domain::parse_tune_args(input, Span::call_site()))
            .parse2(stream)
            .unwrap();
        tune_args(&cx, &args, place);
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn suggestions_catch_typos_and_transpositions() {
        let message = |key: &str| unknown_key_message(&Ident::new(key, Span::call_site()));
        assert!(message("lgo").ends_with("did you mean `log`?"));
        assert!(message("steps").ends_with("did you mean `step`?"));
        assert!(message("choise").ends_with("did you mean `choice`?"));
        assert!(message("fix").ends_with("did you mean `fixed`?"));
        assert!(!message("distribution").contains("did you mean"));
    }

    #[test]
    fn a_known_key_in_the_wrong_form_says_how_to_write_it() {
        let cases = [
            (
                "1..=8, step(2)",
                "`step` takes its value after `=`; write `step = 2`",
            ),
            (
                "1..=8, step",
                "`step` takes one value after `=`, such as `step = 2`",
            ),
            (
                "1.0..=8.0, log = true",
                "`log` takes no value; write `log` alone",
            ),
            (
                "choice = 3",
                "`choice` takes its values in parentheses; write `choice(3)`",
            ),
            (
                "fixed(3)",
                "`fixed` takes its value after `=`; write `fixed = 3`",
            ),
        ];
        for (tokens, expected) in cases {
            let errors = errors(tokens, Place::Attribute);
            assert!(errors.iter().any(|e| e == expected), "{tokens}: {errors:?}");
            assert!(
                !errors.iter().any(|e| e.contains("unknown key")),
                "{errors:?}"
            );
        }
    }

    #[test]
    fn every_mistake_is_collected_not_just_the_first() {
        let errors = errors("choice(1, 1), log, stpe = 2", Place::Attribute);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("did you mean `step`"));
        assert!(errors[1].contains("`log` only applies to ranges"));
        assert!(errors[2].contains("listed twice"));
    }

    #[test]
    fn the_grammar_rules_say_what_to_write() {
        let cases = [
            ("1..", "both bounds"),
            ("1..9", "write `1..=9`"),
            ("choice()", "empty"),
            ("log", "needs a range"),
            ("1..=2, choice(1)", "one domain"),
            ("1..=2, log, log", "given twice"),
            ("", "`tune()` is empty"),
        ];
        for (tokens, expected) in cases {
            let errors = errors(tokens, Place::Attribute);
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{tokens}: {errors:?}"
            );
        }
        let mixed = errors("choice(1, \"a\")", Place::Space);
        assert!(mixed[0].contains("this choice is a string"), "{mixed:?}");
        assert!(errors("choice(1, \"a\")", Place::Attribute).is_empty());
    }

    #[test]
    fn an_unknown_key_alone_is_not_also_an_empty_tune() {
        assert_eq!(errors("lgo", Place::Attribute).len(), 1);
    }

    #[test]
    fn whole_bounds_are_a_range_the_rules_accept() {
        let suggest = |tokens: &str, ty: &str| {
            let stream: TokenStream = tokens.parse().unwrap();
            let args = (|input: ParseStream| domain::parse_tune_args(input, Span::call_site()))
                .parse2(stream)
                .unwrap();
            let Some(Spec::Range(range)) = args.spec() else {
                panic!("{tokens}: not a range")
            };
            whole_bounds(&range, &syn::parse_str(ty).unwrap())
        };
        assert_eq!(suggest("1.0..=4.0", "u32"), Some((1, 4)));
        assert_eq!(suggest("0.0..=0.3", "u32"), Some((0, 1)));
        // One value is a range the rules accept (hardening item 3).
        assert_eq!(suggest("0.1..=0.4, log", "u32"), Some((1, 1)));
        assert_eq!(suggest("0.5..=3.5, log", "u32"), Some((1, 4)));
        assert_eq!(suggest("-1.5..=300.0", "u8"), Some((0, 255)));
        assert_eq!(suggest("0.5..=0.1", "u32"), None);
        assert_eq!(suggest("0.0..=1e30", "u64"), Some((0, i64::MAX.into())));
    }
}
