//! From a coordinate in `[0, 1)` to a value of a domain: uniform on the domain's scale,
//! exactly on its values, for every valid domain.

use crate::space::{Domain, Value};

/// `2^-64`: a coordinate `u: u64` stands for the binary fraction `u * 2^-64`.
const FRACTION: f64 = 1.0 / 18_446_744_073_709_551_616.0;

/// The coordinate as a float in `[0, 1)`: the nearest float, or the largest below 1
/// for the few coordinates within 2^-54 of 1.
pub(super) fn to_f64(u: u64) -> f64 {
    (u as f64 * FRACTION).min(1.0 - f64::EPSILON / 2.0)
}

/// The 64-bit fraction of a float in `[0, 1)` (clamped there; NaN gives 0).
pub(super) fn from_f64(x: f64) -> u64 {
    // `as` saturates: 1.0 and above give u64::MAX, below 0 and NaN give 0.
    (x * 18_446_744_073_709_551_616.0) as u64
}

/// The value at coordinate `u` (the fraction `u * 2^-64`):
///
/// - a discrete domain (categorical, int, stepped float) of `n` values: the value at
///   index `floor(u * n)`, computed in 128-bit integers, so each value gets an equal
///   share of `[0, 1)`; a stepped float grid of more than 2^64 points (finer than
///   floats) takes the grid point nearest the continuous value;
/// - a float range: `low + u * (high - low)`, or `exp` of that on the logs for `log`;
/// - an int range on a log scale: as `Random`, the log-uniform value on
///   `[low - 0.5, high + 0.5]`, rounded, so the end points get their share.
///
/// Every result is inside the domain and on its step grid.
pub(super) fn value_at(domain: &Domain, u: u64) -> Value {
    match *domain {
        Domain::Float {
            low,
            high,
            log: true,
            ..
        } => Value::Float(lerp(low.ln(), high.ln(), to_f64(u)).exp().clamp(low, high)),
        Domain::Float {
            low,
            high,
            step: None,
            ..
        } => Value::Float(lerp(low, high, to_f64(u))),
        Domain::Int {
            low,
            high,
            log: true,
            ..
        } => {
            let (a, b) = ((low as f64 - 0.5).ln(), (high as f64 + 0.5).ln());
            // `as` saturates at the i64 bounds; the clamp keeps the range.
            Value::Int((lerp(a, b, to_f64(u)).exp().round() as i64).clamp(low, high))
        }
        _ => discrete_value_at(domain, u),
    }
}

/// `floor(u * n)`-th value of a discrete domain of `n` values.
fn discrete_value_at(domain: &Domain, u: u64) -> Value {
    let n = domain.value_count().unwrap_or(1);
    if let Ok(n64) = u64::try_from(n) {
        // (u * n) >> 64 < n: an index of the domain.
        let index = ((u128::from(u) * u128::from(n64)) >> 64) as u64;
        if let Some(value) = domain.nth(index) {
            return value;
        }
    } else if n == 1 << 64 {
        // The whole i64 range with step 1: index = u, exactly.
        if let Some(value) = domain.nth(u) {
            return value;
        }
    }
    match *domain {
        Domain::Float {
            low,
            high,
            step: Some(step),
            ..
        } => Value::Float(nearest_grid_point(
            low,
            high,
            step,
            lerp(low, high, to_f64(u)),
        )),
        // Unreachable for a valid domain: `nth` answers every index below the count.
        // Its lowest value, which every valid domain has, keeps a proposal valid anyway.
        _ => domain.nth(0).unwrap_or(Value::Int(0)),
    }
}

/// `low + t * (high - low)` inside `[low, high]`, also when `high - low` overflows
/// (bounds near `±f64::MAX`).
fn lerp(low: f64, high: f64, t: f64) -> f64 {
    let x = if (high - low).is_finite() {
        low + t * (high - low)
    } else {
        (low / 2.0 + t * (high / 2.0 - low / 2.0)) * 2.0
    };
    x.clamp(low, high)
}

/// The grid point `low + k * step` nearest `x`, for grids finer than the floats near
/// `x` (as `Random` snaps on such grids).
fn nearest_grid_point(low: f64, high: f64, step: f64, x: f64) -> f64 {
    let offset = x - low;
    if !offset.is_finite() {
        // So far from `low` that the grid is finer than the floats around `x`.
        return x;
    }
    let k = (offset / step).round();
    (low + k * step).clamp(low, high)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(domain: &Domain, x: f64) -> Value {
        value_at(domain, from_f64(x))
    }

    #[test]
    fn discrete_domains_take_floor_u_times_n() {
        let choices = Domain::categorical(["a", "b", "c"]);
        assert_eq!(at(&choices, 0.0), Value::from("a"));
        assert_eq!(at(&choices, 0.333), Value::from("a"));
        assert_eq!(at(&choices, 0.334), Value::from("b"));
        assert_eq!(at(&choices, 0.999_999), Value::from("c"));
        let ints = Domain::int(-2, 2);
        let got: Vec<Value> = [0.0, 0.19, 0.2, 0.5, 0.79, 0.8, 0.999]
            .into_iter()
            .map(|x| at(&ints, x))
            .collect();
        let want: Vec<Value> = [-2, -2, -1, 0, 1, 2, 2]
            .into_iter()
            .map(Value::Int)
            .collect();
        assert_eq!(got, want);
        let stepped = Domain::float(0.0, 1.0).step(0.25);
        assert_eq!(at(&stepped, 0.59), Value::Float(0.5));
        assert_eq!(at(&stepped, 0.61), Value::Float(0.75));
        assert_eq!(at(&stepped, 0.999), Value::Float(1.0));
        let full = Domain::int(i64::MIN, i64::MAX);
        assert_eq!(value_at(&full, 0), Value::Int(i64::MIN));
        assert_eq!(value_at(&full, u64::MAX), Value::Int(i64::MAX));
        assert_eq!(value_at(&full, 1 << 63), Value::Int(0));
    }

    #[test]
    fn continuous_domains_are_uniform_on_their_scale() {
        assert_eq!(at(&Domain::float(-1.0, 3.0), 0.25), Value::Float(0.0));
        let log = Domain::float(1e-4, 1.0).log();
        let mid = at(&log, 0.5).as_f64().unwrap();
        assert!((mid - 1e-2).abs() < 1e-12, "{mid}");
        // Log ints: [0.5, 10.5] on the log scale, rounded.
        let log_int = Domain::int(1, 10).log();
        assert_eq!(at(&log_int, 0.0), Value::Int(1));
        assert_eq!(at(&log_int, 0.999_999), Value::Int(10));
        let edge = (1.5f64.ln() - 0.5f64.ln()) / (10.5f64.ln() - 0.5f64.ln());
        assert_eq!(at(&log_int, edge - 1e-9), Value::Int(1));
        assert_eq!(at(&log_int, edge + 1e-9), Value::Int(2));
    }

    #[test]
    fn extreme_domains_map_inside_at_every_coordinate() {
        let domains = [
            Domain::float(-1e308, 1e308),
            Domain::float(-f64::MAX, f64::MAX),
            Domain::float(0.0, 1.0).step(1e-300),
            Domain::float(-f64::MAX, f64::MAX).step(1e290),
            Domain::float(-f64::MAX, f64::MAX).step(f64::MAX / 2.0),
            Domain::int(i64::MIN, i64::MAX),
            Domain::int(i64::MIN, i64::MAX).step(8.0),
            Domain::int(1, 300_000_000_000_000).log(),
            Domain::int(1, i64::MAX).log(),
            Domain::int(1 << 53, (1 << 53) + 1),
            Domain::float(-0.0, 5e-324),
            Domain::float(5e-324, f64::MAX).log(),
            Domain::float(-1e140, 8.7).step(1e-300),
        ];
        let coordinates = [0, 1, 1 << 11, 1 << 52, 1 << 63, u64::MAX - 1, u64::MAX]
            .into_iter()
            .chain((0..64).map(|i| 0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i + 1)));
        let coordinates: Vec<u64> = coordinates.collect();
        for domain in &domains {
            domain.validate().unwrap();
            for &u in &coordinates {
                let value = value_at(domain, u);
                assert!(domain.contains(&value), "{domain:?} at {u} gave {value}");
            }
        }
        // Both ends of the widest ranges are reached.
        let wide = Domain::float(-f64::MAX, f64::MAX);
        assert_eq!(value_at(&wide, 0), Value::Float(-f64::MAX));
        assert!(value_at(&wide, u64::MAX).as_f64().unwrap() > 1.7e308);
    }

    #[test]
    fn floats_from_2_to_the_minus_12_on_round_trip_exactly() {
        for x in [
            0.0,
            0.5,
            0.125,
            1.0 - f64::EPSILON / 2.0,
            0.3,
            1.0 / 3.0,
            1.0 / 4093.0,
        ] {
            assert_eq!(to_f64(from_f64(x)), x);
        }
        assert_eq!(from_f64(1.0), u64::MAX);
        assert_eq!(from_f64(f64::NAN), 0);
        assert_eq!(to_f64(u64::MAX), 1.0 - f64::EPSILON / 2.0);
        assert_eq!(to_f64(1 << 63), 0.5);
    }
}
