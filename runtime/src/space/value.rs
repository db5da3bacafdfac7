//! The value one parameter takes in one trial.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A parameter value: what a float, int or categorical domain yields.
///
/// Serializes as the plain JSON scalar (`true`, `3`, `0.01`, `"adam"`), so params and
/// categorical choices read naturally in JSON files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A boolean choice.
    Bool(bool),
    /// An integer: the value of an int domain, or an integer choice.
    Int(i64),
    /// A float: the value of a float domain, or a float choice.
    Float(f64),
    /// A string choice.
    Str(String),
}

impl Value {
    /// The JSON-ish name of this value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
        }
    }

    /// The value as `f64` when it is numeric.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The value as `i64` when it is an integer.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The value as `bool` when it is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The value as `&str` when it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Equality that treats floats by bit pattern, so a config can be hashed and
    /// deduplicated (`0.1 == 0.1`, and `NaN` equals itself).
    pub(crate) fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            _ => self == other,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Str(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float(f64::from(v))
    }
}

macro_rules! int_into_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::Int(i64::from(v))
            }
        }
    )*};
}
int_into_value!(i8, i16, i32, i64, u8, u16, u32);

/// Reads a typed Rust value out of a [`Value`]; used by [`Params`](crate::space::Params)'
/// typed getters and by generated code.
pub trait FromValue: Sized {
    /// Converts, or says what kind of value was expected.
    fn from_value(value: &Value) -> Result<Self, String>;
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self, String> {
        Ok(value.clone())
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, String> {
        value
            .as_bool()
            .ok_or_else(|| format!("expected a bool, found {} {value}", value.kind()))
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, String> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("expected a string, found {} {value}", value.kind()))
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value) -> Result<Self, String> {
        value
            .as_f64()
            .ok_or_else(|| format!("expected a number, found {} {value}", value.kind()))
    }
}

impl FromValue for f32 {
    fn from_value(value: &Value) -> Result<Self, String> {
        f64::from_value(value).map(|v| v as f32)
    }
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> Result<Self, String> {
                let i = value.as_i64().ok_or_else(|| {
                    format!("expected an integer, found {} {value}", value.kind())
                })?;
                <$t>::try_from(i).map_err(|_| {
                    format!("{i} does not fit in {}", stringify!($t))
                })
            }
        }
    )*};
}
int_from_value!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_is_the_plain_scalar() {
        let values = vec![
            Value::Bool(true),
            Value::Int(3),
            Value::Float(0.5),
            Value::Str("adam".into()),
        ];
        let json = serde_json::to_string(&values).unwrap();
        assert_eq!(json, r#"[true,3,0.5,"adam"]"#);
        let back: Vec<Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, values);
    }

    #[test]
    fn whole_floats_stay_floats_in_json() {
        let json = serde_json::to_string(&Value::Float(2.0)).unwrap();
        assert_eq!(json, "2.0");
        let back: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Value::Float(2.0));
    }

    #[test]
    fn typed_reads_check_kind_and_range() {
        assert_eq!(u8::from_value(&Value::Int(200)), Ok(200));
        assert!(u8::from_value(&Value::Int(300))
            .unwrap_err()
            .contains("does not fit in u8"));
        assert!(i32::from_value(&Value::Float(1.5))
            .unwrap_err()
            .contains("expected an integer"));
        assert_eq!(f64::from_value(&Value::Int(2)), Ok(2.0));
        assert!(bool::from_value(&Value::Str("x".into())).is_err());
    }
}
