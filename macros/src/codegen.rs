//! Code-generation helpers shared by `#[tunable]` and `space!`: how range bounds reach
//! the runtime, and the const checks that run the runtime's range rules at compile time.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::{Expr, Ident, LitFloat, LitInt, Type};

use crate::domain::{self, Number, RangeSpec};
use crate::item::Kind;

/// The same tokens, all at `span`: so that rustc points an error about a generated call
/// (an unmet trait bound, say) at the user's tokens instead of at the macro call.
/// `$crate` keeps its span, which is what makes it resolve.
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                TokenTree::Group(new)
            }
            TokenTree::Ident(ident) if ident == "$crate" => TokenTree::Ident(ident),
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

/// How the bounds of a range reach the runtime.
pub enum RangeForm {
    /// As written, typed by the field (consts, expressions, run-time values).
    Typed,
    /// Every bound and the step are numeric literals, one at least a float: passed as
    /// `f64`, so a field that is not a float fails on one trait bound.
    FloatLiterals,
    /// Every bound and the step are integer literals: passed as `i128`, so they fit any
    /// numeric field and anything else fails on one trait bound.
    IntLiterals,
}

pub fn range_form(range: &RangeSpec) -> RangeForm {
    let parts = [Some(&range.low), Some(&range.high), range.step.as_ref()];
    let numbers: Vec<Option<Number>> = parts.iter().flatten().map(|e| domain::number(e)).collect();
    if numbers.iter().any(Option::is_none) {
        RangeForm::Typed
    } else if numbers.iter().any(|n| matches!(n, Some(Number::Float(_)))) {
        RangeForm::FloatLiterals
    } else {
        RangeForm::IntLiterals
    }
}

/// A literal as an `f64` or `i128` literal token, at the literal's span.
pub fn literal_as(expr: &Expr, float: bool) -> TokenStream {
    let span = expr
        .to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let Some(number) = domain::number(expr) else {
        return expr.to_token_stream();
    };
    if float {
        let value = number.as_f64();
        let lit = LitFloat::new(&format!("{:?}f64", value.abs()), span);
        if value < 0.0 {
            quote!(-#lit)
        } else {
            lit.into_token_stream()
        }
    } else {
        let Number::Int(value) = number else {
            unreachable!("integer form has integer literals only")
        };
        let lit = LitInt::new(&format!("{}i128", value.unsigned_abs()), span);
        if value < 0 {
            quote!(-#lit)
        } else {
            lit.into_token_stream()
        }
    }
}

/// `(low, high, log, step)` arguments for the given form.
pub fn range_args(
    range: &RangeSpec,
    form: &RangeForm,
    typed: impl Fn(&Expr) -> TokenStream,
) -> TokenStream {
    let arg = |e: &Expr| match form {
        RangeForm::Typed => typed(e),
        RangeForm::FloatLiterals => literal_as(e, true),
        RangeForm::IntLiterals => literal_as(e, false),
    };
    let low = arg(&range.low);
    let high = arg(&range.high);
    let log = range.log.is_some();
    let step = match &range.step {
        Some(step) => {
            let step = arg(step);
            quote!(::core::option::Option::Some(#step))
        }
        None => quote!(::core::option::Option::None),
    };
    quote!(#low, #high, #log, #step)
}

/// How the range checks compare a range: as the runtime's int or float domain.
#[derive(Clone, Copy, PartialEq)]
enum Numeric {
    Int,
    Float,
}

/// A const item that runs the runtime's range rules (`range_rules`) on the parts of the
/// range known at compile time, and fails the build with the rule's message at the
/// offending tokens: the whole range for its bounds, the lower bound for `log`, the step,
/// or the `log` key.
///
/// Known parts are the literals, and, on fields the macro knows are numbers (`kind` Int
/// or Float, with `ty` the field's type), every bound: those are consts the compiler
/// evaluates. Parts only known at run time (a const on an alias, a run-time value in
/// `space!`) are checked when the space is built, by the same rules. Integer ranges are
/// compared as `i128`, float ranges as `f64`, as the runtime does.
///
/// A float literal on an integer field gets no check: the macro reports that mismatch.
pub fn range_checks(
    p: &TokenStream,
    range: &RangeSpec,
    kind: Kind,
    ty: Option<&Type>,
) -> TokenStream {
    let parts = [Some(&range.low), Some(&range.high), range.step.as_ref()];
    let literals: Vec<Number> = parts
        .iter()
        .flatten()
        .filter_map(|e| domain::number(e))
        .collect();
    let any_float = literals.iter().any(|n| matches!(n, Number::Float(_)));
    // The field's type, when bounds that are not literals can be evaluated as it.
    let (numeric, typed) = match (kind, ty) {
        (Kind::Int, _) if any_float => return TokenStream::new(),
        (Kind::Int, ty) => (Numeric::Int, ty),
        (Kind::Float, ty) => (Numeric::Float, ty),
        (Kind::Other, _) if any_float => (Numeric::Float, None),
        (Kind::Other, _) if !literals.is_empty() => (Numeric::Int, None),
        (Kind::Other | Kind::Bool | Kind::Str, _) => return TokenStream::new(),
    };
    let (cast, prefix) = match numeric {
        Numeric::Int => (quote!(i128), "int"),
        Numeric::Float => (quote!(f64), "float"),
    };
    // Locals start with `__`, so one no rule reads (a bound whose partner is unknown) is
    // not an unused variable.
    let mut bindings = TokenStream::new();
    let mut known = |expr: &Expr, name: &str| -> Option<Ident> {
        let value = if domain::number(expr).is_some() {
            literal_as(expr, numeric == Numeric::Float)
        } else if let Some(ty) = typed {
            let v = Ident::new("__tunekit_value", Span::mixed_site());
            quote!({ let #v: #ty = #expr; #v as #cast })
        } else {
            return None;
        };
        let local = Ident::new(name, Span::mixed_site());
        bindings.extend(quote!(let #local: #cast = #value;));
        Some(local)
    };
    let low = known(&range.low, "__tunekit_low");
    let high = known(&range.high, "__tunekit_high");
    let step = range.step.as_ref().and_then(|s| known(s, "__tunekit_step"));

    let error = Ident::new("__tunekit_error", Span::mixed_site());
    let texts = [Some(&range.low), Some(&range.high), range.step.as_ref()]
        .map(|part| part.map(domain::source_text).unwrap_or_default());
    let [low_text, high_text, step_text] = &texts;
    let check_with_fix = |rule: &str, args: TokenStream, at: &TokenStream, fix: TokenStream| {
        let rule = format_ident!("{prefix}_{rule}");
        let fail = panic_at(
            at,
            quote!(#error.message(#low_text, #high_text, #step_text, #fix).as_str()),
        );
        quote! {
            if let ::core::result::Result::Err(#error) = #p::range_rules::#rule(#args) {
                #fail
            }
        }
    };
    let check = |rule: &str, args: TokenStream, at: &TokenStream| {
        check_with_fix(rule, args, at, quote!(""))
    };
    let some = |value: &Option<Ident>| match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    };
    let bounds = &range.tokens;
    let low_tokens = range.low.to_token_stream();
    let step_tokens = range.step.to_token_stream();
    let log_tokens = range.log.to_token_stream();
    let log = range.log.is_some();
    // The order of `check_int` / `check_float`: the first broken rule is the one reported.
    let mut checks = Vec::new();
    // Last: a step that misses `high` is the one rule the runtime does not refuse.
    let mut divides = None;
    if let (Some(lo), Some(hi)) = (&low, &high) {
        let step = some(&step);
        checks.push(match numeric {
            Numeric::Int => check("fits_i64", quote!(#lo, #hi, #step), bounds),
            Numeric::Float => check("finite", quote!(#lo, #hi), bounds),
        });
        checks.push(check("order", quote!(#lo, #hi), bounds));
    }
    if let (true, Some(lo)) = (log, &low) {
        checks.push(check("log_low", quote!(true, #lo), &low_tokens));
    }
    if let Some(st) = &step {
        checks.push(check(
            "step_positive",
            quote!(::core::option::Option::Some(#st)),
            &step_tokens,
        ));
        if let (Some(lo), Some(hi)) = (&low, &high) {
            checks.push(check(
                "step_width",
                quote!(#lo, #hi, ::core::option::Option::Some(#st)),
                &step_tokens,
            ));
            // The fix is the range ending on the last grid point: computed by the
            // runtime's const fns for integers, here for float literals.
            let fix = match numeric {
                Numeric::Int => quote!(
                    #p::range_rules::IntText::new(#p::range_rules::int_last_point(#lo, #hi, #st))
                        .as_str()
                ),
                Numeric::Float => {
                    let text = float_last_point_text(range)
                        .unwrap_or_else(|| "the largest low + k * step within high".to_owned());
                    quote!(#text)
                }
            };
            divides = Some(check_with_fix(
                "step_divides",
                quote!(#lo, #hi, ::core::option::Option::Some(#st)),
                bounds,
                fix,
            ));
        }
    }
    if log {
        match (numeric, &step) {
            (Numeric::Int, Some(st)) => checks.push(check(
                "log_with_step",
                quote!(true, ::core::option::Option::Some(#st)),
                &log_tokens,
            )),
            (Numeric::Float, _) if range.step.is_some() => {
                checks.push(check("log_with_step", quote!(true, true), &log_tokens));
            }
            _ => {}
        }
    }
    checks.extend(divides);
    if checks.is_empty() {
        return TokenStream::new();
    }
    // Only the panic carries the user's spans; clippy's style lints on the rest are not
    // the user's to fix.
    quote! {
        #[allow(clippy::all, clippy::pedantic, clippy::nursery)]
        const _: () = {
            #bindings
            #(#checks)*
        };
    }
}

/// The last grid point of a float range whose bounds and step are literals, as the
/// decimal the runtime's grid holds there (rounded to the decimal places of `low` and
/// `step`): `0.9` for `0.0..=1.0, step = 0.3`. The tolerance is the runtime's
/// (`range_rules::FLOAT_GRID_TOLERANCE`).
fn float_last_point_text(range: &RangeSpec) -> Option<String> {
    let low = domain::number(&range.low)?.as_f64();
    let high = domain::number(&range.high)?.as_f64();
    let step = domain::number(range.step.as_ref()?)?.as_f64();
    let n = (high - low) / step;
    if !(n.is_finite() && n >= 0.0) {
        return None;
    }
    let k = (n + 1e-9 * n.max(1.0)).floor();
    let last = low + k * step;
    let places = |x: f64| {
        let text = x.abs().to_string();
        text.split_once('.').map_or(0, |(_, digits)| digits.len())
    };
    let places = places(low).max(places(step));
    if places > 16 {
        return Some(last.to_string());
    }
    let rounded: f64 = format!("{last:.places$}").parse().ok()?;
    Some(rounded.to_string())
}

/// `::core::panic!("{}", message)` spanning `target`: rustc reports the panic of a const
/// check there, underlining every token of it.
fn panic_at(target: &TokenStream, message: TokenStream) -> TokenStream {
    let mut spans = target.clone().into_iter().map(|token| token.span());
    let first = spans.next().unwrap_or_else(Span::call_site);
    let last = spans.last().unwrap_or(first);
    let path = quote_spanned!(first=> ::core::panic!);
    let mut args = Group::new(Delimiter::Parenthesis, quote!("{}", #message));
    args.set_span(last);
    quote!(#path #args)
}
