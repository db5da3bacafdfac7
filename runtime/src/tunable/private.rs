//! Helpers for the code `#[tunable]` and `space!` generate. Not a public API: the facade
//! re-exports this module as `tunekit::__private`, the one path generated code names.

use std::borrow::Cow;
use std::marker::PhantomData;

pub use super::{
    FieldOverrides, FieldType, FloatNumber, Override, Tunable, TuneNumber, TypedSpace,
};
pub use crate::error::{Error, Result};
pub use crate::space::{range_rules, Condition, Domain, Params, SearchSpaceBuilder, Value};

/// `prefix.name`, or `name` at the top.
pub fn join(prefix: &str, name: &str) -> String {
    crate::space::join_path(prefix, name)
}

/// The name of an enum's variant parameter: its path, or `variant` at the top.
pub fn enum_tag_path(prefix: &str) -> String {
    if prefix.is_empty() {
        "variant".to_owned()
    } else {
        prefix.to_owned()
    }
}

/// Adds the parameter `path` (under `condition`), or the error of its domain.
pub fn add(
    builder: SearchSpaceBuilder,
    path: &str,
    condition: Option<&Condition>,
    domain: std::result::Result<Domain, String>,
) -> Result<SearchSpaceBuilder> {
    let domain = domain.map_err(|message| Error::space(path, message))?;
    Ok(builder.param(crate::space::Param {
        name: path.to_owned(),
        domain,
        condition: condition.cloned(),
    }))
}

/// The domain of `#[tune(low..=high, log, step = s)]` on a numeric field.
pub fn range<F: TuneNumber>(
    low: F,
    high: F,
    log: bool,
    step: Option<F>,
) -> std::result::Result<Domain, String> {
    F::range_domain(low, high, log, step)
}

/// [`range`] with float literal bounds, which only fit float fields. The bounds arrive
/// as `f64` so that a field of another type fails on the one `F: FloatNumber` bound,
/// not on every literal.
pub fn float_range<F: FloatNumber>(
    low: f64,
    high: f64,
    log: bool,
    step: Option<f64>,
) -> std::result::Result<Domain, String> {
    F::range_domain(
        F::from_float_literal(low),
        F::from_float_literal(high),
        log,
        step.map(F::from_float_literal),
    )
}

/// [`range`] with integer literal bounds, for fields whose type the macro cannot name
/// (aliases, `space!`): fits any numeric field, and a string field fails on the one
/// `F: TuneNumber` bound.
pub fn int_range<F: TuneNumber>(
    low: i128,
    high: i128,
    log: bool,
    step: Option<i128>,
) -> std::result::Result<Domain, String> {
    F::range_domain(
        F::from_int_literal(low)?,
        F::from_int_literal(high)?,
        log,
        step.map(F::from_int_literal).transpose()?,
    )
}

/// `space!(T)`: the declared space of `T`.
pub fn typed_space<T: Tunable>() -> TypedSpace<T> {
    TypedSpace::new()
}

/// Reads a range field.
pub fn decode_number<F: TuneNumber>(params: &Params, path: &str) -> Result<F> {
    params.get(path)
}

/// Writes a range field.
pub fn encode_number<F: TuneNumber>(params: &mut Params, path: &str, value: F) -> Result<()> {
    let value = value
        .to_value()
        .map_err(|message| Error::decode(path, message))?;
    params.insert(path, value);
    Ok(())
}

/// The categorical domain of a choice field: its labels. Two choices with the same label
/// are an error: equal values (run-time values the macro could not compare, such as
/// `choice(cfg.small, cfg.large)` with both `0.5`), or values whose labels cannot tell
/// them apart.
pub fn choice_domain<F: PartialEq>(choices: &[(Value, F)]) -> std::result::Result<Domain, String> {
    for (j, (label, value)) in choices.iter().enumerate() {
        if let Some(i) = choices[..j]
            .iter()
            .position(|(earlier, _)| earlier.same(label))
        {
            return Err(if choices[i].1 == *value {
                format!(
                    "choices {} and {} are the same value ({label}); list each value once",
                    i + 1,
                    j + 1
                )
            } else {
                format!(
                    "choices {} and {} are different values with the same label {label} \
                     (they differ only in what the label does not show, such as fields \
                     without `#[tune]`); make the label differ, or search that field instead",
                    i + 1,
                    j + 1
                )
            });
        }
    }
    Ok(Domain::Categorical {
        choices: choices.iter().map(|(label, _)| label.clone()).collect(),
    })
}

/// Reads a choice field: the value whose label the parameter holds.
pub fn decode_choice<F, const N: usize>(
    params: &Params,
    path: &str,
    choices: [(Value, F); N],
) -> Result<F> {
    let listed = |choices: &[(Value, F)]| {
        let labels: Vec<String> = choices.iter().map(|(label, _)| label.to_string()).collect();
        labels.join(", ")
    };
    let Some(found) = params.value(path).cloned() else {
        return Err(Error::decode(
            path,
            format!(
                "no value in these params (is it inactive?); give one of {}",
                listed(&choices)
            ),
        ));
    };
    let list = listed(&choices);
    choices
        .into_iter()
        .find(|(label, _)| label.same(&found))
        .map(|(_, value)| value)
        .ok_or_else(|| {
            Error::decode(
                path,
                format!("{found} is not one of the field's choices; give one of {list}"),
            )
        })
}

/// Writes a choice field: the label of the choice equal to `value`.
pub fn encode_choice<F: PartialEq>(
    params: &mut Params,
    path: &str,
    value: &F,
    choices: &[(Value, F)],
) -> Result<()> {
    let (label, _) = choices
        .iter()
        .find(|(_, choice)| choice == value)
        .ok_or_else(|| {
            Error::decode(
                path,
                "the value is none of the field's choices, so it is not a point of the space",
            )
        })?;
    params.insert(path, label.clone());
    Ok(())
}

/// The label of a choice that is a plain string literal, or the source text of a choice
/// whose value has no better label (see [`ChoiceLabel`]).
pub fn label(text: &str) -> Value {
    Value::Str(text.to_owned())
}

/// Wraps a choice value that is not a literal, for its label: generated code calls
/// `(&&&&ChoiceLabel(&value)).choice_label(text)`, and method resolution picks the first
/// of these that the value's type has (autoref specialization, which works because the
/// type is concrete where the macro expands):
///
/// 1. a number, `bool` or string: the value itself (`cfg.small` = `0.5` is `0.5`);
/// 2. a `#[tunable]` type: its variant and parameters, `Sgd(learning_rate=0.03,
///    momentum=0.9)` (a struct: `Mlp(hidden=64, layers=2)`);
/// 3. a `Debug` type: its `Debug` text, `Sgd { learning_rate: 0.03 }`;
/// 4. anything else: the expression's source text `text`.
///
/// Choices with equal labels are refused when the space is built ([`choice_domain`]).
pub struct ChoiceLabel<'a, F>(pub &'a F);

/// Level 1 of [`ChoiceLabel`]: numbers, bools and strings.
pub trait ScalarLabel {
    /// The label.
    fn choice_label(&self, text: &str) -> Value;
}

/// Level 2 of [`ChoiceLabel`]: tunable types.
pub trait TunableLabel {
    /// The label.
    fn choice_label(&self, text: &str) -> Value;
}

/// Level 3 of [`ChoiceLabel`]: `Debug` types.
pub trait DebugLabel {
    /// The label.
    fn choice_label(&self, text: &str) -> Value;
}

/// Level 4 of [`ChoiceLabel`]: the source text.
pub trait TextLabel {
    /// The label.
    fn choice_label(&self, text: &str) -> Value;
}

/// The value types whose choices are labeled by the value itself.
pub trait ScalarChoice {
    /// The value as a parameter value, `None` when it does not fit one (a `u64` above
    /// `i64::MAX`).
    fn scalar(&self) -> Option<Value>;
}

macro_rules! number_choice {
    ($($t:ty),*) => {$(
        impl ScalarChoice for $t {
            fn scalar(&self) -> Option<Value> {
                TuneNumber::to_value(*self).ok()
            }
        }
    )*};
}
number_choice!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

impl ScalarChoice for bool {
    fn scalar(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}

macro_rules! str_choice {
    ($($t:ty),*) => {$(
        impl ScalarChoice for $t {
            fn scalar(&self) -> Option<Value> {
                Some(Value::Str(<str as ToOwned>::to_owned(self.as_ref())))
            }
        }
    )*};
}
str_choice!(&str, String, Box<str>, Cow<'_, str>);

impl<F: ScalarChoice> ScalarLabel for &&&ChoiceLabel<'_, F> {
    fn choice_label(&self, text: &str) -> Value {
        self.0.scalar().unwrap_or_else(|| label(text))
    }
}

impl<F: Tunable> TunableLabel for &&ChoiceLabel<'_, F> {
    fn choice_label(&self, text: &str) -> Value {
        tunable_label(self.0).map_or_else(|| label(text), Value::Str)
    }
}

impl<F: std::fmt::Debug> DebugLabel for &ChoiceLabel<'_, F> {
    fn choice_label(&self, _: &str) -> Value {
        Value::Str(format!("{:?}", self.0))
    }
}

impl<F> TextLabel for ChoiceLabel<'_, F> {
    fn choice_label(&self, text: &str) -> Value {
        label(text)
    }
}

/// `Variant(field=value, ...)` for a tunable enum value (`Variant` without fields),
/// `Type(field=value, ...)` for a struct, from the parameters the value encodes to;
/// `None` when it does not encode.
fn tunable_label<F: Tunable>(value: &F) -> Option<String> {
    let params = value.to_params().ok()?;
    let tag = match params.value(&enum_tag_path("")) {
        Some(Value::Str(tag)) => Some(tag.clone()),
        _ => None,
    };
    let mut fields = Vec::new();
    let mut is_enum = tag.is_some();
    for (name, v) in params.iter() {
        if name == enum_tag_path("") && tag.is_some() {
            continue;
        }
        let field = match &tag {
            Some(tag) => match name
                .strip_prefix(tag.as_str())
                .and_then(|r| r.strip_prefix('.'))
            {
                Some(rest) => rest,
                None => {
                    is_enum = false;
                    name
                }
            },
            None => name,
        };
        fields.push(format!("{field}={v}"));
    }
    let head = match (&tag, is_enum) {
        (Some(tag), true) => tag.clone(),
        _ => {
            let full = std::any::type_name::<F>();
            let base = full.split('<').next().unwrap_or(full);
            base.rsplit("::").next().unwrap_or(base).to_owned()
        }
    };
    if !is_enum {
        // A struct: every parameter is a field (a field named `variant` included).
        fields = params
            .iter()
            .map(|(name, v)| format!("{name}={v}"))
            .collect();
    }
    Some(if fields.is_empty() && is_enum {
        head
    } else {
        format!("{head}({})", fields.join(", "))
    })
}

/// String-like field types a string literal choice can become.
#[diagnostic::on_unimplemented(
    message = "a string choice does not fit a `{Self}` field",
    label = "this choice is a string",
    note = "list values of the field's type `{Self}` in `choice(...)`"
)]
pub trait FromStrLiteral {
    /// Converts the literal.
    fn from_str_literal(text: &'static str) -> Self;
}

impl FromStrLiteral for &'static str {
    fn from_str_literal(text: &'static str) -> Self {
        text
    }
}

impl FromStrLiteral for String {
    fn from_str_literal(text: &'static str) -> Self {
        text.to_owned()
    }
}

impl FromStrLiteral for Box<str> {
    fn from_str_literal(text: &'static str) -> Self {
        text.into()
    }
}

impl FromStrLiteral for Cow<'static, str> {
    fn from_str_literal(text: &'static str) -> Self {
        Cow::Borrowed(text)
    }
}

/// A string literal choice as a value of the field's type.
pub fn from_str_literal<F: FromStrLiteral>(text: &'static str) -> F {
    F::from_str_literal(text)
}

/// What a field without `#[tune]` needs: a default value.
#[diagnostic::on_unimplemented(
    message = "the field of type `{Self}` has no `#[tune]` and `{Self}` has no `Default`",
    label = "this field needs a value",
    note = "pin it with `#[tune(fixed = value)]`, search it with `#[tune(...)]`, or implement `Default` for `{Self}`"
)]
pub trait UntunedDefault {
    /// The value an untuned field takes.
    fn untuned_default() -> Self;
}

impl<F: Default> UntunedDefault for F {
    fn untuned_default() -> Self {
        F::default()
    }
}

/// The value of a field without `#[tune]`.
pub fn untuned_default<F: UntunedDefault>() -> F {
    F::untuned_default()
}

/// The error for a variant parameter naming no variant.
pub fn unknown_variant(path: &str, found: &str, expected: &[&str]) -> Error {
    Error::decode(
        path,
        format!("`{found}` is not a variant; expected one of {expected:?}"),
    )
}

/// A top-level field of `T` of type `F`, named by `space!`; the accessor makes rustc
/// check that the field exists and fixes `F`, so the value or domain after it is checked
/// against the field's own type.
pub struct FieldRef<T, F> {
    name: &'static str,
    types: PhantomData<fn(&T) -> &F>,
}

impl<T, F> Clone for FieldRef<T, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, F> Copy for FieldRef<T, F> {}

impl<T, F> FieldRef<T, F> {
    /// A choice of `space!` that is not a literal, as a value of the field's type (so
    /// that its label is built knowing the type).
    pub fn value(&self, value: F) -> F {
        value
    }

    /// A string literal choice of `space!` as a value of the field's type.
    pub fn str_choice(&self, text: &'static str) -> F
    where
        F: FromStrLiteral,
    {
        F::from_str_literal(text)
    }
}

/// Names the field `name` of `T` (the accessor is never called).
pub fn field<T, F>(name: &'static str, _access: fn(&T) -> &F) -> FieldRef<T, F> {
    FieldRef {
        name,
        types: PhantomData,
    }
}

/// `space!(T { field: value })`: the field always takes `value`.
pub fn pin<T, F: Clone + Send + Sync + 'static>(field: FieldRef<T, F>, value: F) -> Override {
    Override::pinned(field.name, value)
}

/// `space!(T { field: low..=high })` on a numeric field.
pub fn narrow_range<T, F: TuneNumber>(
    field: FieldRef<T, F>,
    low: F,
    high: F,
    log: bool,
    step: Option<F>,
) -> Override {
    narrowed_number(field, F::range_domain(low, high, log, step))
}

/// [`narrow_range`] with float literal bounds, which only fit float fields.
pub fn narrow_float_range<T, F: FloatNumber>(
    field: FieldRef<T, F>,
    low: f64,
    high: f64,
    log: bool,
    step: Option<f64>,
) -> Override {
    narrowed_number(field, float_range::<F>(low, high, log, step))
}

/// [`narrow_range`] with integer literal bounds.
pub fn narrow_int_range<T, F: TuneNumber>(
    field: FieldRef<T, F>,
    low: i128,
    high: i128,
    log: bool,
    step: Option<i128>,
) -> Override {
    narrowed_number(field, int_range::<F>(low, high, log, step))
}

fn narrowed_number<T, F: TuneNumber>(
    field: FieldRef<T, F>,
    domain: std::result::Result<Domain, String>,
) -> Override {
    Override::searched(
        field.name,
        domain,
        |params: &Params, path: &str| decode_number::<F>(params, path),
        |value: &F, params: &mut Params, path: &str| encode_number(params, path, *value),
    )
}

/// `space!(T { field: choice(a, b) })`.
pub fn narrow_choice<T, F, const N: usize>(
    field: FieldRef<T, F>,
    choices: [(Value, F); N],
) -> Override
where
    F: Clone + PartialEq + Send + Sync + 'static,
{
    let domain = choice_domain(&choices);
    let for_decode = choices.clone();
    Override::searched(
        field.name,
        domain,
        move |params: &Params, path: &str| decode_choice(params, path, for_decode.clone()),
        move |value: &F, params: &mut Params, path: &str| {
            encode_choice(params, path, value, &choices)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_decode_by_label_and_encode_by_equality() {
        let choices = || [(Value::Int(16), 16_usize), (Value::Int(32), 32)];
        let params = Params::new().with("batch", 32);
        assert_eq!(decode_choice(&params, "batch", choices()).unwrap(), 32);
        let err = decode_choice(&Params::new().with("batch", 8), "batch", choices());
        let err = err.unwrap_err().to_string();
        assert!(err.contains("param `batch`"), "{err}");
        assert!(
            err.contains("8 is not one of the field's choices; give one of 16, 32"),
            "{err}"
        );
        let err = decode_choice(&Params::new(), "batch", choices()).unwrap_err();
        assert!(err.to_string().contains("give one of 16, 32"), "{err}");
        let mut out = Params::new();
        encode_choice(&mut out, "batch", &16, &choices()).unwrap();
        assert_eq!(out, Params::new().with("batch", 16));
        assert!(encode_choice(&mut out, "batch", &8, &choices()).is_err());
    }

    #[test]
    fn domain_errors_name_the_param() {
        let err = add(
            SearchSpaceBuilder::default(),
            "a.b",
            None,
            Err("bad".into()),
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "invalid search space: param `a.b`: bad"
        );
    }
}
