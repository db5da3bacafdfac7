//! Small code-generation helpers shared by `#[tunable]` and `space!`.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::{Expr, LitFloat, LitInt};

use crate::domain::{self, Number, RangeSpec};

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
