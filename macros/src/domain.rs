//! The domain grammar shared by `#[tune(...)]` and `space!`, parsed into a model of what
//! was written. Parsing reports only tokens that do not fit the grammar; every other
//! mistake is a rule in `check.rs`, run on this model.
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
use syn::{Expr, ExprCall, ExprLit, ExprRange, ExprUnary, Ident, Lit, RangeLimits, Token, UnOp};

use crate::symbol::{Symbol, CHOICE, FIXED, LOG, STEP};

/// The items `tune(...)` takes, for messages.
pub const ARGS_HINT: &str =
    "a range `lo..=hi`, `choice(...)`, `log`, `step = s` or `fixed = value`";

/// The items of one `tune(...)` (or a `space!` entry's `lo..=hi` / `choice(..)`), in order.
pub struct TuneArgs {
    /// The whole argument list, for "`tune()` is empty".
    pub span: Span,
    pub args: Vec<Arg>,
}

/// One item between the commas.
pub enum Arg {
    Range(RangeArg),
    Choice(ChoiceSpec),
    Fixed(Ident, Expr),
    Log(Ident),
    Step(Ident, Expr),
    /// A known key in another form than its own: `step(2)`, `log = true`, bare `fixed`.
    Misshapen(Ident, KeyForm),
    /// A key `#[tune]` does not know.
    Unknown(Ident),
}

/// How a key was written.
pub enum KeyForm {
    Bare,
    Value(Expr),
    List(Punctuated<Expr, Token![,]>),
}

/// A range as written, closed or not.
pub struct RangeArg {
    pub low: Option<Expr>,
    pub high: Option<Expr>,
    /// The `..` of a half-open range.
    pub half_open: Option<Token![..]>,
    /// Its first token, where generated code for the range points rustc.
    pub span: Span,
    /// The whole range, for errors that underline all of it.
    pub tokens: TokenStream,
}

pub struct ChoiceSpec {
    pub items: Vec<Expr>,
    /// The `choice` key.
    pub span: Span,
    /// `choice(...)` whole.
    pub tokens: TokenStream,
}

/// What a field's `#[tune]` or a `space!` entry asks for, read from the model: the first
/// domain with the first `log` and `step`. Code is generated from this.
pub enum Spec {
    /// A bare `#[tune]`: the field's type is itself tunable.
    Nested,
    Range(Box<RangeSpec>),
    Choice(ChoiceSpec),
    Fixed(Expr),
}

/// A closed range `lo..=hi` with its modifiers.
pub struct RangeSpec {
    pub low: Expr,
    pub high: Expr,
    pub log: Option<Ident>,
    pub step: Option<Expr>,
    pub span: Span,
    pub tokens: TokenStream,
}

impl Arg {
    /// Whether this item is a domain (a range, a choice, a fixed value).
    pub fn is_domain(&self) -> bool {
        matches!(self, Arg::Range(_) | Arg::Choice(_) | Arg::Fixed(..))
    }

    /// The tokens of a domain item, for errors about it.
    pub fn domain_tokens(&self) -> TokenStream {
        match self {
            Arg::Range(range) => range.tokens.clone(),
            Arg::Choice(choice) => choice.tokens.clone(),
            Arg::Fixed(key, value) => quote::quote!(#key = #value),
            Arg::Log(key) | Arg::Step(key, _) | Arg::Misshapen(key, _) | Arg::Unknown(key) => {
                key.to_token_stream()
            }
        }
    }
}

impl TuneArgs {
    /// The domain items, in order: a valid list has exactly one.
    pub fn domains(&self) -> impl Iterator<Item = &Arg> {
        self.args.iter().filter(|arg| arg.is_domain())
    }

    /// Every `log` key.
    pub fn logs(&self) -> impl Iterator<Item = &Ident> {
        self.args.iter().filter_map(|arg| match arg {
            Arg::Log(key) => Some(key),
            _ => None,
        })
    }

    /// Every `step = s`.
    pub fn steps(&self) -> impl Iterator<Item = (&Ident, &Expr)> {
        self.args.iter().filter_map(|arg| match arg {
            Arg::Step(key, value) => Some((key, value)),
            _ => None,
        })
    }

    /// The spec these arguments describe, or `None` when no domain can be read from them
    /// (which the checks report).
    pub fn spec(&self) -> Option<Spec> {
        Some(match self.domains().next()? {
            Arg::Range(range) => {
                let (Some(low), Some(high), None) = (&range.low, &range.high, &range.half_open)
                else {
                    return None;
                };
                Spec::Range(Box::new(RangeSpec {
                    low: low.clone(),
                    high: high.clone(),
                    log: self.logs().next().cloned(),
                    step: self.steps().next().map(|(_, step)| step.clone()),
                    span: range.span,
                    tokens: range.tokens.clone(),
                }))
            }
            Arg::Choice(choice) => Spec::Choice(ChoiceSpec {
                items: choice.items.clone(),
                span: choice.span,
                tokens: choice.tokens.clone(),
            }),
            Arg::Fixed(_, value) => Spec::Fixed(value.clone()),
            _ => unreachable!("domains() yields domains only"),
        })
    }

    /// The arguments of a `space!` entry written as a domain expression (`lo..=hi` or
    /// `choice(..)`), or `None` if `expr` is a value instead.
    pub fn from_entry_expr(expr: &Expr) -> Option<TuneArgs> {
        let arg = match expr {
            Expr::Range(range) => Arg::Range(RangeArg::new(range)),
            Expr::Call(call) if matches!(&*call.func, Expr::Path(p) if p.path == CHOICE) => {
                Arg::Choice(choice_from_call(call))
            }
            _ => return None,
        };
        Some(TuneArgs {
            span: expr.span(),
            args: vec![arg],
        })
    }
}

impl RangeArg {
    fn new(range: &ExprRange) -> Self {
        RangeArg {
            low: range.start.as_deref().cloned(),
            high: range.end.as_deref().cloned(),
            half_open: match range.limits {
                RangeLimits::HalfOpen(dots) => Some(dots),
                RangeLimits::Closed(_) => None,
            },
            span: range.span(),
            tokens: range.to_token_stream(),
        }
    }
}

fn choice_from_call(call: &ExprCall) -> ChoiceSpec {
    ChoiceSpec {
        items: call.args.iter().cloned().collect(),
        span: call.func.span(),
        tokens: call.to_token_stream(),
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if is_key(input) {
            let key: Ident = input.parse()?;
            let mut parens = None;
            let form = if input.peek(syn::token::Paren) {
                let content;
                parens = Some(syn::parenthesized!(content in input));
                KeyForm::List(Punctuated::parse_terminated(&content)?)
            } else if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                KeyForm::Value(input.parse()?)
            } else {
                KeyForm::Bare
            };
            let Some(known) = Symbol::tune_key(&key) else {
                return Ok(Arg::Unknown(key));
            };
            return Ok(match form {
                KeyForm::List(list) if known == CHOICE => {
                    let mut group = proc_macro2::Group::new(
                        proc_macro2::Delimiter::Parenthesis,
                        list.to_token_stream(),
                    );
                    if let Some(parens) = parens {
                        group.set_span(parens.span.join());
                    }
                    Arg::Choice(ChoiceSpec {
                        items: list.into_iter().collect(),
                        span: key.span(),
                        tokens: quote::quote!(#key #group),
                    })
                }
                KeyForm::Bare if known == LOG => Arg::Log(key),
                KeyForm::Value(value) if known == STEP => Arg::Step(key, value),
                KeyForm::Value(value) if known == FIXED => Arg::Fixed(key, value),
                form => Arg::Misshapen(key, form),
            });
        }
        let expr: Expr = input.parse()?;
        match expr {
            Expr::Range(range) => Ok(Arg::Range(RangeArg::new(&range))),
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

/// Parses `tune-args` (the tokens inside `#[tune(...)]` or `tune(...)`); `span` is the
/// whole list.
pub fn parse_tune_args(input: ParseStream, span: Span) -> syn::Result<TuneArgs> {
    let args = Punctuated::<Arg, Token![,]>::parse_terminated(input)?;
    Ok(TuneArgs {
        span,
        args: args.into_iter().collect(),
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

/// An expression as the user wrote it, for messages: a literal's digits (`1e-5`, `-3`),
/// else its tokens (`MAX_LAYERS / 2`).
pub fn source_text(expr: &Expr) -> String {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_digits().to_owned(),
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => f.base10_digits().to_owned(),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr: inner,
            ..
        }) if number(inner).is_some() => format!("-{}", source_text(inner)),
        Expr::Paren(inner) if number(&inner.expr).is_some() => source_text(&inner.expr),
        Expr::Group(inner) => source_text(&inner.expr),
        // Tokens print with a space between each; paths, fields and calls read better
        // without (`f64::INFINITY`, `cfg.max`), operators with (`MAX / 2`).
        other => {
            let text = other.to_token_stream().to_string();
            let text = text
                .strip_prefix(":: ")
                .map_or(text.clone(), |rest| format!("::{rest}"));
            let text = [
                (" :: ", "::"),
                (" . ", "."),
                (" ,", ","),
                ("( ", "("),
                (" )", ")"),
            ]
            .iter()
            .fold(text, |text, (from, to)| text.replace(from, to));
            // A call: no space between the name and its `(`.
            let mut out = String::with_capacity(text.len());
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                let call = c == ' '
                    && chars.peek() == Some(&'(')
                    && out.ends_with(|p: char| p.is_alphanumeric() || p == '_');
                if !call {
                    out.push(c);
                }
            }
            out
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
    /// Equal keys are the same label in the dynamic space.
    pub fn key(&self) -> String {
        match self {
            Label::Int(i) => format!("i{i}"),
            Label::Float(f) => format!("f{}", f.to_bits()),
            Label::Bool(b) => format!("b{b}"),
            Label::Str(s) => format!("s{s}"),
            Label::Text(s) => format!("s{s}"),
        }
    }

    /// What kind of literal this is, for "the choices mix kinds"; `None` for expressions.
    pub fn literal_group(&self) -> Option<&'static str> {
        match self {
            Label::Int(_) | Label::Float(_) => Some("a number"),
            Label::Bool(_) => Some("a bool"),
            Label::Str(_) => Some("a string"),
            Label::Text(_) => None,
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
                    _ => Label::Text(compact(expr)),
                },
            }
        })
        .collect()
}

/// An expression's tokens without spaces, as labels and messages show them.
pub fn compact(tokens: impl ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse::Parser;

    fn args(tokens: &str) -> TuneArgs {
        let stream: TokenStream = tokens.parse().unwrap();
        (|input: ParseStream| parse_tune_args(input, Span::call_site()))
            .parse2(stream)
            .unwrap()
    }

    #[test]
    fn ranges_parse_with_their_modifiers() {
        let Some(Spec::Range(range)) = args("MIN..=MAX, log").spec() else {
            panic!("not a range")
        };
        assert!(range.log.is_some() && range.step.is_none());
        assert_eq!(range.low.to_token_stream().to_string(), "MIN");
        let Some(Spec::Range(range)) = args("-1.5..=2, step = 0.5").spec() else {
            panic!("not a range")
        };
        assert!(matches!(number(&range.low), Some(Number::Float(f)) if f == -1.5));
        assert!(matches!(number(range.step.as_ref().unwrap()), Some(Number::Float(f)) if f == 0.5));
    }

    #[test]
    fn keys_are_read_by_their_form() {
        let parsed = args("1..=8, step(2), log = true, stpe = 2, fixed");
        assert!(matches!(
            parsed.args[1],
            Arg::Misshapen(_, KeyForm::List(_))
        ));
        assert!(matches!(
            parsed.args[2],
            Arg::Misshapen(_, KeyForm::Value(_))
        ));
        assert!(matches!(parsed.args[3], Arg::Unknown(_)));
        assert!(matches!(parsed.args[4], Arg::Misshapen(_, KeyForm::Bare)));
        assert!(parsed.spec().is_some());
    }

    #[test]
    fn an_open_range_has_no_spec() {
        assert!(args("1..8").spec().is_none());
        assert!(args("1..").spec().is_none());
        assert!(args("log").spec().is_none());
    }

    #[test]
    fn source_text_keeps_literals_as_written() {
        let text = |e: &str| source_text(&syn::parse_str::<Expr>(e).unwrap());
        assert_eq!(text("1e-5"), "1e-5");
        assert_eq!(text("-3"), "-3");
        assert_eq!(text("1_000u32"), "1000");
        assert_eq!(text("MAX / 2"), "MAX / 2");
        assert_eq!(text("::core::f64::INFINITY"), "::core::f64::INFINITY");
        assert_eq!(text("limits.max(2, 3)"), "limits.max(2, 3)");
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
