//! The numeric field types a range domain can describe.

use crate::space::range_rules;
use crate::space::{Domain, FromValue, Value};

/// A field type that can take a range domain (`#[tune(lo..=hi)]`): every integer type,
/// `f32` and `f64`.
#[diagnostic::on_unimplemented(
    message = "a range does not fit a `{Self}` field",
    label = "ranges need an integer or float field",
    note = "for a `{Self}` field, list the values instead: `choice(a, b, c)`"
)]
pub trait TuneNumber: Copy + FromValue + Send + Sync + 'static {
    /// The domain `[low, high]` of this type, or why it cannot be one.
    fn range_domain(low: Self, high: Self, log: bool, step: Option<Self>)
        -> Result<Domain, String>;

    /// The parameter value of `self`.
    fn to_value(self) -> Result<Value, String>;

    /// An integer literal bound as this type, or why it does not fit.
    fn from_int_literal(value: i128) -> Result<Self, String>;
}

/// The float types (`f32`, `f64`): what a range with float bounds needs.
#[diagnostic::on_unimplemented(
    message = "a float range does not fit a `{Self}` field",
    label = "float bounds need an `f32` or `f64` field",
    note = "write integer bounds for an integer field, such as `1..=10`"
)]
pub trait FloatNumber: TuneNumber {
    /// A float literal bound as this type (rounded to the nearest `f32` for `f32`).
    fn from_float_literal(value: f64) -> Self;
}

macro_rules! float_number {
    ($($t:ty),*) => {$(
        impl TuneNumber for $t {
            fn range_domain(low: Self, high: Self, log: bool, step: Option<Self>) -> Result<Domain, String> {
                Ok(Domain::Float {
                    low: low.to_f64_decimal(),
                    high: high.to_f64_decimal(),
                    log,
                    step: step.map(|s| s.to_f64_decimal()),
                })
            }

            fn to_value(self) -> Result<Value, String> {
                Ok(Value::Float(self.to_f64_decimal()))
            }

            fn from_int_literal(value: i128) -> Result<Self, String> {
                Ok(value as $t)
            }
        }

        impl FloatNumber for $t {
            fn from_float_literal(value: f64) -> Self {
                value as $t
            }
        }
    )*};
}
float_number!(f32, f64);

/// How a float field's value becomes a parameter value.
trait ToF64Decimal {
    fn to_f64_decimal(self) -> f64;
}

impl ToF64Decimal for f64 {
    fn to_f64_decimal(self) -> f64 {
        self
    }
}

/// An `f32` is recorded as the `f64` of its shortest decimal form, the digits `{}`
/// prints: the bound `1e-4` of `#[tune(1e-4..=1e-2)]` is `0.0001`, not the binary value
/// of the nearest `f32`, `9.999999747378752e-5`. That is the literal as written whenever
/// the literal round-trips through `f32` (up to 6 significant digits always do).
///
/// The map keeps order (of two `f32`, the smaller has the smaller shortest form), and a
/// sample `s` within the bounds rounds to an `f32` within the `f32` bounds, so the
/// value a decoded `f32` encodes back to stays inside the domain.
impl ToF64Decimal for f32 {
    fn to_f64_decimal(self) -> f64 {
        // `Display` prints the shortest digits that read back as this `f32`, in a form
        // `f64::from_str` reads (including `NaN` and `inf`).
        self.to_string().parse().unwrap_or(f64::from(self))
    }
}

macro_rules! int_number {
    ($($t:ty),*) => {$(
        impl TuneNumber for $t {
            fn range_domain(low: Self, high: Self, log: bool, step: Option<Self>) -> Result<Domain, String> {
                // Every integer type up to 64 bits fits in `i128`, and, once the rule
                // holds, in `i64`.
                range_rules::int_fits_i64(low as i128, high as i128, step.map(|s| s as i128))
                    .map_err(|error| error.explain(low, high, step))?;
                Ok(Domain::Int {
                    low: low as i64,
                    high: high as i64,
                    log,
                    step: step.map(|s| s as i64),
                })
            }

            fn to_value(self) -> Result<Value, String> {
                to_i64(self).map(Value::Int)
            }

            fn from_int_literal(value: i128) -> Result<Self, String> {
                <$t>::try_from(value).map_err(|_| {
                    format!("{value} does not fit in {}; use a bound in its range", stringify!($t))
                })
            }
        }
    )*};
}
int_number!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// Parameter values are `i64`: a wider value (a huge `u64`) is an error, not a wrap.
fn to_i64<T: TryInto<i64> + Copy + std::fmt::Display>(value: T) -> Result<i64, String> {
    value
        .try_into()
        .map_err(|_| format!("{value} does not fit in an i64 parameter; use a smaller bound"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_become_int_domains_and_floats_float_domains() {
        assert_eq!(
            u8::range_domain(1, 4, false, Some(1)),
            Ok(Domain::Int {
                low: 1,
                high: 4,
                log: false,
                step: Some(1)
            })
        );
        assert_eq!(
            f32::range_domain(0.5, 1.0, true, None),
            Ok(Domain::float(0.5, 1.0).log())
        );
    }

    /// Hardening item 4: f32 bounds and values are their decimal digits, not the binary
    /// value of the `f32` (`9.999999747378752e-5` for `1e-4`).
    #[test]
    fn f32_bounds_and_values_are_recorded_as_their_decimal_digits() {
        assert_eq!(
            f32::range_domain(1e-4, 1e-2, true, None),
            Ok(Domain::float(1e-4, 1e-2).log())
        );
        assert_eq!(
            f32::range_domain(0.0, 0.5, false, Some(0.1)),
            Ok(Domain::float(0.0, 0.5).step(0.1))
        );
        assert_eq!(0.3_f32.to_value(), Ok(Value::Float(0.3)));
        assert_eq!(f32::MAX.to_value(), Ok(Value::Float(3.4028235e38)));
        // Whatever the sample, the decoded f32 encodes back inside the domain.
        let domain = f32::range_domain(1e-4, 1e-2, false, None).unwrap();
        for sample in [1e-4, 1.00000001e-4, 0.00999999, 1e-2, 5.123456789e-3] {
            let field = sample as f32;
            assert!(domain.contains(&field.to_value().unwrap()), "{sample}");
        }
    }

    #[test]
    fn values_too_wide_for_i64_are_errors() {
        let err = u64::range_domain(0, u64::MAX, false, None).unwrap_err();
        assert!(err.contains("does not fit in an i64"), "{err}");
        assert!(u64::MAX.to_value().is_err());
        assert_eq!(7_usize.to_value(), Ok(Value::Int(7)));
    }
}
