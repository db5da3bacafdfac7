//! The domain grammar shared by `#[tune(...)]` and `space!`: parsing into a model, and
//! the checks that need only the tokens (and, when it is a primitive, the field's type).
//!
//! ```text
//! tune-args := domain-item ("," domain-item)* ","?
//! domain-item := lo "..=" hi        a range; float or int by the field's type
//!              | "choice" "(" expr ("," expr)* ")"
//!              | "log"              search the range on a log scale
//!              | "step" "=" expr    search the range on a grid
//!              | "fixed" "=" expr   pin the value
//! ```

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprRange, ExprUnary, Ident, Lit, RangeLimits, Token, UnOp};

use crate::ctxt::Ctxt;

/// The keys `#[tune(...)]` knows, for "did you mean".
pub const KEYS: &[&str] = &["choice", "log", "step", "fixed"];

/// What a `#[tune(...)]` or a `space!` entry asks for.
pub enum Spec {
    /// A bare `#[tune]`: the field's type is itself tunable.
    Nested,
    Range(Box<RangeSpec>),
    Choice(ChoiceSpec),
    Fixed(Expr),
}

pub struct RangeSpec {
    pub low: Expr,
    pub high: Expr,
    pub log: Option<Span>,
    pub step: Option<Expr>,
    /// Where generated code for this range points rustc (its first token).
    pub span: Span,
    /// The whole range, for errors that underline all of it.
    pub tokens: TokenStream,
}

pub struct ChoiceSpec {
    pub items: Vec<Expr>,
    pub span: Span,
}

/// One item between the commas of `tune(...)`.
enum Item {
    Range(ExprRange),
    Choice(Ident, Punctuated<Expr, Token![,]>, Span),
    Log(Ident),
    Step(Ident, Expr),
    Fixed(Ident, Expr),
    Unknown(Ident),
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if is_key(input) {
            let key: Ident = input.parse()?;
            let name = key.to_string();
            if input.peek(syn::token::Paren) {
                let content;
                let parens = syn::parenthesized!(content in input);
                let list = Punctuated::parse_terminated(&content)?;
                return Ok(if name == "choice" {
                    Item::Choice(key, list, parens.span.join())
                } else {
                    Item::Unknown(key)
                });
            }
            if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                let value: Expr = input.parse()?;
                return Ok(match name.as_str() {
                    "step" => Item::Step(key, value),
                    "fixed" => Item::Fixed(key, value),
                    _ => Item::Unknown(key),
                });
            }
            return Ok(if name == "log" {
                Item::Log(key)
            } else {
                Item::Unknown(key)
            });
        }
        let expr: Expr = input.parse()?;
        match expr {
            Expr::Range(range) => Ok(Item::Range(range)),
            other => Err(syn::Error::new_spanned(
                other,
                "expected a domain: a range `lo..=hi`, `choice(a, b)`, `log`, `step = s` or `fixed = value`",
            )),
        }
    }
}

/// An identifier followed by `,`, `=`, `(...)` or the end is a key, not an expression
/// (`MIN..=MAX` starts with an identifier too).
fn is_key(input: ParseStream) -> bool {
    let fork = input.fork();
    if fork.parse::<Ident>().is_err() {
        return false;
    }
    if fork.is_empty() || fork.peek(Token![,]) {
        return true;
    }
    if fork.peek(Token![=]) && !fork.peek(Token![==]) && !fork.peek(Token![=>]) {
        return true;
    }
    if fork.peek(syn::token::Paren) {
        let group = fork.parse::<proc_macro2::TokenTree>();
        return group.is_ok() && (fork.is_empty() || fork.peek(Token![,]));
    }
    false
}

/// Parses `tune-args` (the tokens inside `#[tune(...)]` or `tune(...)`) into a spec,
/// recording every mistake in `cx`. `None` when nothing usable was found. In an
/// attribute the field's type is known and checked more precisely, by the caller.
pub fn parse_spec(cx: &Ctxt, input: ParseStream, whole: Span, in_attribute: bool) -> Option<Spec> {
    let items = match Punctuated::<Item, Token![,]>::parse_terminated(input) {
        Ok(items) => items,
        Err(error) => {
            cx.syn_error(error);
            return None;
        }
    };
    let mut domain: Option<Spec> = None;
    let mut log: Option<Ident> = None;
    let mut step: Option<(Ident, Expr)> = None;
    let mut set_domain = |cx: &Ctxt, spec: Spec, tokens: TokenStream| {
        if domain.is_some() {
            cx.error_spanned_by(
                tokens,
                "a field has one domain; keep either the range, the `choice(...)` or `fixed = ...`",
            );
        } else {
            domain = Some(spec);
        }
    };
    for item in items {
        match item {
            Item::Range(range) => {
                let tokens = range.to_token_stream();
                if let Some(spec) = range_spec(cx, range) {
                    set_domain(cx, Spec::Range(Box::new(spec)), tokens);
                }
            }
            Item::Choice(key, list, parens) => {
                let span = key.span();
                let mut group = proc_macro2::Group::new(
                    proc_macro2::Delimiter::Parenthesis,
                    list.to_token_stream(),
                );
                group.set_span(parens);
                let tokens = quote::quote!(#key #group);
                let items: Vec<Expr> = list.into_iter().collect();
                if items.is_empty() {
                    cx.error_at(
                        key.span(),
                        "`choice()` is empty; list at least one value, such as `choice(16, 32)`",
                    );
                    continue;
                }
                check_duplicates(cx, &items);
                if !in_attribute {
                    check_mixed_kinds(cx, &items);
                }
                set_domain(cx, Spec::Choice(ChoiceSpec { items, span }), tokens);
            }
            Item::Fixed(key, value) => {
                let tokens = quote::quote!(#key = #value);
                set_domain(cx, Spec::Fixed(value), tokens);
            }
            Item::Log(key) => {
                if log.replace(key.clone()).is_some() {
                    cx.error_spanned_by(&key, "`log` is given twice; keep one");
                }
            }
            Item::Step(key, value) => {
                if step.is_some() {
                    cx.error_spanned_by(&key, "`step` is given twice; keep one");
                }
                step = Some((key, value));
            }
            Item::Unknown(key) => cx.error_spanned_by(&key, unknown_key_message(&key)),
        }
    }
    let domain = match domain {
        Some(domain) => domain,
        None => {
            if let Some(key) = log.as_ref().or(step.as_ref().map(|(k, _)| k)) {
                cx.error_spanned_by(
                    key,
                    format!("`{key}` needs a range to apply to; add one, such as `1e-5..=1e-1`"),
                );
            } else if !cx.has_errors() {
                cx.error_at(whole, "`tune()` is empty; give a domain, or write a bare `#[tune]` for a tunable type");
            }
            return None;
        }
    };
    match domain {
        Spec::Range(mut range) => {
            range.log = log.map(|k| k.span());
            range.step = step.map(|(_, s)| s);
            check_range_literals(cx, &range);
            Some(Spec::Range(range))
        }
        other => {
            let what = match other {
                Spec::Choice(_) => "a `choice(...)` has no scale or spacing",
                _ => "a fixed value is not searched",
            };
            if let Some(key) = log {
                cx.error_spanned_by(
                    &key,
                    format!("`log` only applies to ranges: {what}; remove `log`"),
                );
            }
            if let Some((key, _)) = step {
                cx.error_spanned_by(
                    &key,
                    format!("`step` only applies to ranges: {what}; remove `step`"),
                );
            }
            Some(other)
        }
    }
}

pub fn unknown_key_message(key: &Ident) -> String {
    let name = key.to_string();
    let best = KEYS
        .iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(&name, k), *k))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, suggestion)) => format!(
            "unknown key `{name}` in #[tune(...)]; did you mean `{suggestion}`?"
        ),
        None => format!(
            "unknown key `{name}` in #[tune(...)]; expected a range `lo..=hi`, `choice(...)`, `log`, `step = s` or `fixed = value`"
        ),
    }
}

/// A closed range `lo..=hi` into a spec; half-open and open ranges are errors.
pub fn range_spec(cx: &Ctxt, range: ExprRange) -> Option<RangeSpec> {
    let span = range.span();
    let tokens = range.to_token_stream();
    let (Some(low), Some(high)) = (range.start, range.end) else {
        cx.error_spanned_by(tokens, "a range needs both bounds, such as `1..=8`");
        return None;
    };
    if let RangeLimits::HalfOpen(dots) = range.limits {
        let suggestion = format!("{}..={}", low.to_token_stream(), high.to_token_stream());
        cx.error_spanned_by(
            dots,
            format!(
                "ranges are inclusive here: write `{}`",
                suggestion.replace(' ', "")
            ),
        );
        return None;
    }
    Some(RangeSpec {
        low: *low,
        high: *high,
        log: None,
        step: None,
        span,
        tokens,
    })
}

/// A numeric literal (possibly negated), as written.
#[derive(Clone, Copy, PartialEq)]
pub enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x:?}"),
        }
    }
}

/// The value of a numeric literal expression, if it is one.
pub fn number(expr: &Expr) -> Option<Number> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<i128>().ok().map(Number::Int),
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => f.base10_parse::<f64>().ok().map(Number::Float),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match number(expr)? {
            Number::Int(i) => Some(Number::Int(-i)),
            Number::Float(f) => Some(Number::Float(-f)),
        },
        Expr::Paren(inner) => number(&inner.expr),
        Expr::Group(inner) => number(&inner.expr),
        _ => None,
    }
}

/// Checks the parts of a range written as literals: order, width, log and step.
pub fn check_range_literals(cx: &Ctxt, range: &RangeSpec) {
    let low = number(&range.low);
    let high = number(&range.high);
    if let (Some(lo), Some(hi)) = (low, high) {
        if lo.as_f64() > hi.as_f64() {
            cx.error_spanned_by(
                &range.tokens,
                format!(
                    "this range is reversed (low {lo} is above high {hi}); write `{hi}..={lo}`"
                ),
            );
            return;
        }
        if lo.as_f64() == hi.as_f64() {
            cx.error_spanned_by(
                &range.tokens,
                format!("this range is empty (low = high = {lo}); widen it, or pin the value with `fixed = {lo}`"),
            );
            return;
        }
    }
    if let (Some(log), Some(lo)) = (range.log, low) {
        let positive = match lo {
            Number::Int(i) => i >= 1,
            Number::Float(f) => f > 0.0,
        };
        if !positive {
            let need = if matches!(lo, Number::Int(_)) {
                ">= 1"
            } else {
                "> 0"
            };
            cx.error_spanned_by(
                &range.low,
                format!(
                    "`log` needs a lower bound {need}, got {lo}; raise the bound or drop `log`"
                ),
            );
            let _ = log;
        }
    }
    if let Some(step) = &range.step {
        if let Some(log) = range.log {
            cx.error_at(log, "`log` and `step` cannot be combined; keep one");
        }
        if let Some(s) = number(step) {
            if s.as_f64() <= 0.0 {
                cx.error_spanned_by(
                    step,
                    format!("`step` must be > 0, got {s}; use a positive step"),
                );
            } else if let (Some(lo), Some(hi)) = (low, high) {
                let width = hi.as_f64() - lo.as_f64();
                if s.as_f64() > width {
                    cx.error_spanned_by(
                        step,
                        format!("`step = {s}` is wider than the range (high - low = {width}); use a step of at most {width}"),
                    );
                }
            }
        }
    }
}

/// The label a choice gets in the dynamic space: the literal itself for numbers,
/// strings and bools, else the expression's text.
pub enum Label {
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(String),
    Text(String),
}

impl Label {
    fn key(&self) -> String {
        match self {
            Label::Int(i) => format!("i{i}"),
            Label::Float(f) => format!("f{}", f.to_bits()),
            Label::Bool(b) => format!("b{b}"),
            Label::Str(s) => format!("s{s}"),
            Label::Text(s) => format!("s{s}"),
        }
    }
}

/// Labels of every choice, in order. Non-literal paths are labeled by their last segment
/// when those are distinct (`Activation::Relu` -> `"Relu"`), else by their full text.
pub fn labels(items: &[Expr]) -> Vec<Label> {
    let last_segments: Vec<Option<String>> = items
        .iter()
        .map(|e| match e {
            Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut distinct = last_segments.clone();
    distinct.sort();
    distinct.dedup();
    let use_last = distinct.len() == last_segments.len();
    items
        .iter()
        .zip(last_segments)
        .map(|(expr, last)| {
            if let Some(n) = number(expr) {
                return match n {
                    Number::Int(i) => Label::Int(i),
                    Number::Float(f) => Label::Float(f),
                };
            }
            match expr {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Label::Str(s.value()),
                Expr::Lit(ExprLit {
                    lit: Lit::Bool(b), ..
                }) => Label::Bool(b.value),
                _ => match last {
                    Some(last) if use_last => Label::Text(last),
                    _ => Label::Text(expr.to_token_stream().to_string().replace(' ', "")),
                },
            }
        })
        .collect()
}

/// What kind of literal a label is, for "the choices mix kinds"; `None` for expressions.
fn literal_group(label: &Label) -> Option<&'static str> {
    match label {
        Label::Int(_) | Label::Float(_) => Some("a number"),
        Label::Bool(_) => Some("a bool"),
        Label::Str(_) => Some("a string"),
        Label::Text(_) => None,
    }
}

/// Literal choices of different kinds cannot all have the field's type.
fn check_mixed_kinds(cx: &Ctxt, items: &[Expr]) {
    let labels = labels(items);
    let mut first: Option<(&Expr, &'static str)> = None;
    for (item, label) in items.iter().zip(&labels) {
        let Some(group) = literal_group(label) else {
            continue;
        };
        match first {
            None => first = Some((item, group)),
            Some((earlier, earlier_group)) if earlier_group != group => {
                cx.error_spanned_by(
                    item,
                    format!(
                        "this choice is {group}, but `{}` is {earlier_group}; list values of the field's one type",
                        earlier.to_token_stream().to_string().replace(' ', "")
                    ),
                );
                return;
            }
            Some(_) => {}
        }
    }
}

fn check_duplicates(cx: &Ctxt, items: &[Expr]) {
    let labels = labels(items);
    for (i, label) in labels.iter().enumerate() {
        if labels[..i]
            .iter()
            .any(|earlier| earlier.key() == label.key())
        {
            cx.error_spanned_by(
                &items[i],
                format!(
                    "`{}` is listed twice in `choice(...)`; list each choice once",
                    items[i].to_token_stream().to_string().replace(' ', "")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse::Parser;

    fn spec(tokens: &str) -> (Option<Spec>, Vec<String>) {
        let cx = Ctxt::new();
        let stream: proc_macro2::TokenStream = tokens.parse().unwrap();
        let spec = (|input: ParseStream| Ok(parse_spec(&cx, input, Span::call_site(), false)))
            .parse2(stream)
            .unwrap();
        let errors = match cx.check() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        };
        (spec, errors)
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
    fn ranges_parse_with_their_modifiers() {
        let (parsed, errors) = spec("MIN..=MAX, log");
        assert!(errors.is_empty(), "{errors:?}");
        let Some(Spec::Range(range)) = parsed else {
            panic!("not a range")
        };
        assert!(range.log.is_some() && range.step.is_none());
        assert_eq!(range.low.to_token_stream().to_string(), "MIN");
        let (parsed, errors) = spec("-1.5..=2, step = 0.5");
        assert!(errors.is_empty(), "{errors:?}");
        let Some(Spec::Range(range)) = parsed else {
            panic!("not a range")
        };
        assert!(matches!(number(&range.low), Some(Number::Float(f)) if f == -1.5));
        assert!(matches!(number(range.step.as_ref().unwrap()), Some(Number::Float(f)) if f == 0.5));
    }

    #[test]
    fn every_mistake_is_collected_not_just_the_first() {
        let (_, errors) = spec("choice(1, 1), log, stpe = 2");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("listed twice"));
        assert!(errors[1].contains("did you mean `step`"));
        assert!(errors[2].contains("`log` only applies to ranges"));
    }

    #[test]
    fn literal_checks_cover_order_width_log_and_step() {
        let cases = [
            ("3..=1", "reversed"),
            ("2..=2", "empty"),
            ("0.0..=1.0, log", "`log` needs a lower bound > 0"),
            ("0..=9, log", "`log` needs a lower bound >= 1"),
            ("0..=9, step = 0", "`step` must be > 0"),
            ("0..=9, step = 10", "wider than the range"),
            ("1.0..=9.0, log, step = 1.0", "cannot be combined"),
            ("1..", "both bounds"),
            ("1..9", "write `1..=9`"),
            ("choice()", "empty"),
            ("choice(1, \"a\")", "this choice is a string"),
            ("log", "needs a range"),
            ("1..=2, choice(1)", "one domain"),
        ];
        for (tokens, expected) in cases {
            let (_, errors) = spec(tokens);
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{tokens}: {errors:?}"
            );
        }
    }

    #[test]
    fn paths_are_labeled_by_their_last_segment_when_distinct() {
        let items: Vec<Expr> = vec![
            syn::parse_quote!(Act::Relu),
            syn::parse_quote!(Act::Gelu),
            syn::parse_quote!(16),
        ];
        let labels = labels(&items);
        assert!(matches!(&labels[0], Label::Text(t) if t == "Relu"));
        assert!(matches!(&labels[2], Label::Int(16)));
        let clash: Vec<Expr> = vec![syn::parse_quote!(a::X), syn::parse_quote!(b::X)];
        assert!(matches!(&super::labels(&clash)[0], Label::Text(t) if t == "a::X"));
    }
}
