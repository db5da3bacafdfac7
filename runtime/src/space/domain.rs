//! The set of values one parameter may take.

use serde::{Deserialize, Serialize};

use super::{range_rules, Value};

/// Relative tolerance for "is this float on the step grid".
const GRID_TOLERANCE: f64 = 1e-9;

/// What [`Domain::step`] stores on an int domain given a fractional or out-of-range
/// spacing, so that validation can say so (it is refused like any step `<= 0`).
const NOT_A_WHOLE_STEP: i64 = i64::MIN;

/// The values a parameter may take. Bounds are inclusive.
///
/// JSON form (the `type` tag sits beside the param's name):
/// `{"type":"float","low":1e-5,"high":0.1,"log":true,"step":null}`,
/// `{"type":"int","low":1,"high":4}`, `{"type":"categorical","choices":["adam","sgd"]}`.
///
/// `#[tune(...)]` attributes become domains; for spaces built at run time:
///
/// ```
/// use tunekit::{Domain, Value};
///
/// let lr = Domain::float(1e-5, 1e-1).log();          // #[tune(1e-5..=1e-1, log)]
/// let layers = Domain::int(1, 4);                    // #[tune(1..=4)]
/// let dropout = Domain::float(0.0, 0.5).step(0.25);  // #[tune(0.0..=0.5, step = 0.25)]
/// let opt = Domain::categorical(["adam", "sgd"]);    // #[tune(choice("adam", "sgd"))]
/// assert_eq!(lr.cardinality(), None); // continuous
/// assert_eq!(layers.cardinality(), Some(4));
/// assert_eq!(dropout.cardinality(), Some(3));
/// assert!(opt.contains(&Value::from("sgd")));
/// let parsed: Domain = serde_json::from_str(r#"{"type":"int","low":1,"high":4}"#).unwrap();
/// assert_eq!(parsed, layers);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Domain {
    /// A real interval `[low, high]`, searched on a log scale when `log`, or on the grid
    /// `low, low + step, ...` (never above `high`) when `step` is set.
    Float {
        /// Inclusive lower bound.
        low: f64,
        /// Inclusive upper bound.
        high: f64,
        /// Search `ln(x)` uniformly instead of `x`; needs `low > 0`.
        #[serde(default)]
        log: bool,
        /// Spacing of the allowed values, anchored at `low`. When `low` and `step` are
        /// short decimals, each grid point is the `f64` nearest its decimal value
        /// (`0.0..=0.5` with step `0.05` has the point `0.15`, which prints as `0.15`).
        #[serde(default)]
        step: Option<f64>,
    },
    /// An integer interval `[low, high]`, on the grid `low, low + step, ...`.
    Int {
        /// Inclusive lower bound.
        low: i64,
        /// Inclusive upper bound.
        high: i64,
        /// Search `ln(x)` uniformly (then rounded) instead of `x`; needs `low >= 1`.
        #[serde(default)]
        log: bool,
        /// Spacing of the allowed values, anchored at `low`; 1 when absent.
        #[serde(default)]
        step: Option<i64>,
    },
    /// One of a list of distinct values.
    Categorical {
        /// The allowed values, in order.
        choices: Vec<Value>,
    },
}

impl Domain {
    /// A float domain `[low, high]`.
    pub fn float(low: f64, high: f64) -> Self {
        Domain::Float {
            low,
            high,
            log: false,
            step: None,
        }
    }

    /// An int domain `[low, high]` with step 1.
    pub fn int(low: i64, high: i64) -> Self {
        Domain::Int {
            low,
            high,
            log: false,
            step: None,
        }
    }

    /// A categorical domain over `choices`.
    pub fn categorical<V: Into<Value>>(choices: impl IntoIterator<Item = V>) -> Self {
        Domain::Categorical {
            choices: choices.into_iter().map(Into::into).collect(),
        }
    }

    /// The same domain searched on a log scale (floats and ints).
    #[must_use]
    pub fn log(mut self) -> Self {
        if let Domain::Float { log, .. } | Domain::Int { log, .. } = &mut self {
            *log = true;
        }
        self
    }

    /// The same domain restricted to the grid `low + k * step`. On an int domain the
    /// spacing must be a whole number that fits in `i64`; any other spacing makes the
    /// domain invalid (validation says so) instead of being silently truncated.
    #[must_use]
    pub fn step(mut self, spacing: f64) -> Self {
        match &mut self {
            Domain::Float { step, .. } => *step = Some(spacing),
            Domain::Int { step, .. } => {
                // `i64::MAX as f64` is 2^63, which is already outside i64.
                let whole = spacing.fract() == 0.0
                    && spacing >= i64::MIN as f64
                    && spacing < i64::MAX as f64;
                *step = Some(if whole {
                    spacing as i64
                } else {
                    NOT_A_WHOLE_STEP
                });
            }
            Domain::Categorical { .. } => {}
        }
        self
    }

    /// Checks the domain; the message says what to fix. Ranges follow the rules of
    /// [`range_rules`](super::range_rules), the same ones the macros check at compile time.
    pub(crate) fn validate(&self) -> Result<(), String> {
        match *self {
            Domain::Float {
                low,
                high,
                log,
                step,
            } => range_rules::check_float(low, high, log, step)
                .map_err(|error| error.explain(low, high, step)),
            Domain::Int {
                step: Some(NOT_A_WHOLE_STEP),
                ..
            } => Err(
                "the step of an int range must be a positive whole number within i64 \
                      (`Domain::step` was given a fraction or a value beyond i64, or the \
                      step is i64::MIN); use a whole step such as 2"
                    .into(),
            ),
            Domain::Int {
                low,
                high,
                log,
                step,
            } => {
                range_rules::check_int(i128::from(low), i128::from(high), log, step.map(i128::from))
                    .map_err(|error| error.explain(low, high, step))
            }
            Domain::Categorical { ref choices } => {
                if choices.is_empty() {
                    return Err("a categorical needs at least one choice".into());
                }
                for (i, choice) in choices.iter().enumerate() {
                    if let Value::Float(f) = choice {
                        if !f.is_finite() {
                            return Err(format!("choice {f} is not a finite number"));
                        }
                    }
                    if choices[..i].iter().any(|earlier| earlier.same(choice)) {
                        return Err(format!(
                            "choice {choice} is listed twice; list each choice once"
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    /// Lowers the `high` of a stepped range (of a valid domain) whose grid misses it to
    /// the last grid point, and returns the rule's message; `None` when the grid ends on
    /// `high` already. [`SearchSpace::new`](super::SearchSpace::new) runs this on every
    /// param.
    pub(crate) fn end_on_grid(&mut self) -> Option<String> {
        match self {
            Domain::Int {
                low,
                high,
                step: Some(step),
                ..
            } => {
                let (lo, hi, st) = (i128::from(*low), i128::from(*high), i128::from(*step));
                range_rules::int_step_divides(lo, hi, Some(st)).err()?;
                let last = range_rules::int_last_point(lo, hi, st);
                let message = range_rules::RangeError::StepNotDividing.explain_with_fix(
                    *low,
                    *high,
                    Some(*step),
                    last,
                );
                // low <= last <= high, so it fits.
                *high = i64::try_from(last).unwrap_or(*high);
                Some(message)
            }
            Domain::Float {
                low,
                high,
                step: Some(step),
                ..
            } => {
                range_rules::float_step_divides(*low, *high, Some(*step)).err()?;
                let k = u64::try_from(range_rules::float_last_index(*low, *high, *step)).ok()?;
                let last = grid_point(*low, *high, *step, k);
                let message = range_rules::RangeError::StepNotDividing.explain_with_fix(
                    *low,
                    *high,
                    Some(*step),
                    last,
                );
                *high = last;
                Some(message)
            }
            _ => None,
        }
    }

    /// Whether `value` is one of this domain's values.
    pub fn contains(&self, value: &Value) -> bool {
        match (self, value) {
            (
                Domain::Float {
                    low, high, step, ..
                },
                _,
            ) => {
                let Some(x) = value.as_f64() else {
                    return false;
                };
                if !(x >= *low && x <= *high) {
                    return false;
                }
                match step {
                    None => true,
                    Some(step) => {
                        let k = steps_from(*low, x, *step);
                        // An infinite `k`: more grid points than floats between `low` and
                        // `x`, so every float there is as near a grid point as it can be.
                        // Besides the relative tolerance, allow for the rounding of `x` and
                        // `low` themselves, which matters when the step is tiny next to them
                        // (`low + step` can be a few ulps away from `low + 1 * step`).
                        let rounding = 4.0 * f64::EPSILON * (x.abs() + low.abs()) / step;
                        k.is_infinite()
                            || (k - k.round()).abs() <= GRID_TOLERANCE * k.abs().max(1.0) + rounding
                    }
                }
            }
            (
                Domain::Int {
                    low, high, step, ..
                },
                Value::Int(x),
            ) => {
                let offset = i128::from(*x) - i128::from(*low);
                x >= low
                    && x <= high
                    && offset
                        .checked_rem(i128::from(step.unwrap_or(1)))
                        .is_some_and(|r| r == 0)
            }
            (Domain::Categorical { choices }, _) => choices.iter().any(|c| c.same(value)),
            _ => false,
        }
    }

    /// Number of distinct values, or `None` for a continuous float. Saturates at
    /// `u64::MAX`: only the whole `i64` range with step 1 (2^64 values) and stepped float
    /// ranges of more than 2^64 points have more.
    pub fn cardinality(&self) -> Option<u64> {
        self.value_count()
            .map(|n| u64::try_from(n).unwrap_or(u64::MAX))
    }

    /// Number of distinct values, exactly for ints and categoricals; a stepped float
    /// range of more than about 2^127 points saturates at `u128::MAX`. `None` for a
    /// continuous float. Checked arithmetic throughout: valid for any valid domain.
    pub(crate) fn value_count(&self) -> Option<u128> {
        match *self {
            Domain::Float {
                low,
                high,
                step: Some(step),
                ..
            } => Some(float_grid_len(low, high, step)),
            Domain::Float { step: None, .. } => None,
            Domain::Int {
                low, high, step, ..
            } => {
                let width = (i128::from(high) - i128::from(low)).max(0);
                let step = i128::from(step.unwrap_or(1)).max(1);
                // 0 <= width / step + 1 <= 2^64.
                Some((width / step + 1) as u128)
            }
            Domain::Categorical { ref choices } => Some(choices.len() as u128),
        }
    }

    /// The `k`-th value of a discrete domain (`k < cardinality`).
    pub fn nth(&self, k: u64) -> Option<Value> {
        if u128::from(k) >= self.value_count()? {
            return None;
        }
        Some(match *self {
            Domain::Float {
                low,
                high,
                step: Some(step),
                ..
            } => Value::Float(grid_point(low, high, step, k)),
            Domain::Int { low, step, .. } => {
                let x = i128::from(low) + i128::from(k) * i128::from(step.unwrap_or(1));
                // k < count keeps x within low..=high.
                Value::Int(i64::try_from(x).ok()?)
            }
            Domain::Categorical { ref choices } => choices[usize::try_from(k).ok()?].clone(),
            Domain::Float { step: None, .. } => return None,
        })
    }

    /// The position of `value` among a discrete domain's values.
    pub fn index_of(&self, value: &Value) -> Option<u64> {
        if !self.contains(value) {
            return None;
        }
        match *self {
            Domain::Float {
                low,
                step: Some(step),
                ..
            } => Some(steps_from(low, value.as_f64()?, step).round() as u64),
            Domain::Int { low, step, .. } => {
                let offset = i128::from(value.as_i64()?) - i128::from(low);
                u64::try_from(offset / i128::from(step.unwrap_or(1))).ok()
            }
            Domain::Categorical { ref choices } => {
                choices.iter().position(|c| c.same(value)).map(|i| i as u64)
            }
            Domain::Float { step: None, .. } => None,
        }
    }

    /// The values of this domain in words, for messages: `one of "adam", "sgd"`,
    /// `a float in 0..=0.9 on the step grid 0.1`, `an int in 1..=8`.
    pub fn describe(&self) -> String {
        match self {
            Domain::Categorical { choices } => {
                let listed: Vec<String> = choices.iter().map(ToString::to_string).collect();
                format!("one of {}", listed.join(", "))
            }
            Domain::Float {
                low, high, step, ..
            } => {
                let (low, high) = (num(*low), num(*high));
                match step {
                    Some(step) => {
                        format!("a float in {low}..={high} on the step grid {}", num(*step))
                    }
                    None => format!("a float in {low}..={high}"),
                }
            }
            Domain::Int {
                low, high, step, ..
            } => match step {
                Some(step) if *step != 1 => {
                    format!("an int in {low}..={high} on the step grid {step}")
                }
                _ => format!("an int in {low}..={high}"),
            },
        }
    }

    /// Why `value` is not one of this domain's values (for a value
    /// [`contains`](Self::contains) refuses), saying what is allowed instead: for a
    /// value off a step grid, the nearest grid values.
    pub fn explain_outside(&self, value: &Value) -> String {
        match (self, value) {
            (
                Domain::Float {
                    low, high, step, ..
                },
                _,
            ) => {
                let Some(x) = value.as_f64() else {
                    return format!("{value} is not a number; give {}", self.describe());
                };
                let (shown_low, shown_high) = (num(*low), num(*high));
                match step {
                    Some(step) if x >= *low && x <= *high => {
                        let k = steps_from(*low, x, *step).floor().max(0.0) as u64;
                        let near: Vec<String> = [k, k + 1]
                            .iter()
                            .filter_map(|&k| self.nth(k))
                            .map(|v| v.to_string())
                            .collect();
                        format!(
                            "{value} is off the step grid {shown_low}..={shown_high}, step = {}; \
                             the nearest grid values are {}",
                            num(*step),
                            near.join(" and ")
                        )
                    }
                    _ => format!(
                        "{value} is outside {shown_low}..={shown_high}; give {}",
                        self.describe()
                    ),
                }
            }
            (
                Domain::Int {
                    low, high, step, ..
                },
                Value::Int(x),
            ) if x >= low && x <= high => {
                let step = step.unwrap_or(1).max(1);
                let below = i128::from(*x) - (i128::from(*x) - i128::from(*low)) % i128::from(step);
                let near: Vec<String> = [below, below + i128::from(step)]
                    .iter()
                    .filter(|&&v| v <= i128::from(*high))
                    .map(ToString::to_string)
                    .collect();
                format!(
                    "{value} is off the step grid {low}..={high}, step = {step}; \
                     the nearest grid values are {}",
                    near.join(" and ")
                )
            }
            (Domain::Int { .. }, Value::Int(_)) => {
                format!("{value} is outside the range; give {}", self.describe())
            }
            (Domain::Int { .. }, _) => {
                format!("{value} is not an int; give {}", self.describe())
            }
            (Domain::Categorical { .. }, _) => {
                format!("{value} is not among the choices; give {}", self.describe())
            }
        }
    }

    /// The short kind name used in JSON and messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Domain::Float { .. } => "float",
            Domain::Int { .. } => "int",
            Domain::Categorical { .. } => "categorical",
        }
    }
}

/// A float bound for messages: as `{}` prints it, or in exponent form when that would be
/// a long run of zeros (`1e-300`, `1.7976931348623157e308`).
fn num(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-6..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// The most decimal digits [`grid_point`] rounds to: beyond that a bound or step is not
/// a short decimal (and 10^-17 is below the spacing of f64 values near 1).
const MAX_GRID_DECIMALS: usize = 16;

/// The grid point `low + k * step` (never above `high`), as the `f64` nearest its decimal
/// value when `low` and `step` are short decimals: `0.0..=0.5, step = 0.05` has the
/// point `0.15`, not `0.15000000000000002` (what `0.0 + 3.0 * 0.05` computes).
///
/// The point is rounded to as many decimal places as `low` and `step` have (their
/// shortest forms, the digits `{}` prints), and only when that moves it by no more than
/// the sum's own rounding error and `step * 1e-12`, within the tolerance
/// [`Domain::contains`] allows; otherwise, and
/// for bounds and steps with more than 16 decimal places, it is the plain float sum.
/// Every value of the domain (grid search, random, TPE, `nth`) comes from here.
fn grid_point(low: f64, high: f64, step: f64, k: u64) -> f64 {
    let raw = low + k as f64 * step;
    let places = decimal_places(low).max(decimal_places(step));
    // The rounding error the sum itself may carry, plus a sliver of a step.
    let near = step * 1e-12 + 2.0 * f64::EPSILON * (raw.abs() + low.abs());
    let snapped = match places {
        Some(places) if places <= MAX_GRID_DECIMALS && raw.is_finite() => {
            // Formatting rounds the exact binary value correctly to `places` digits, and
            // parsing gives the f64 nearest that decimal.
            match format!("{raw:.places$}").parse::<f64>() {
                Ok(decimal) if (decimal - raw).abs() <= near => decimal,
                _ => raw,
            }
        }
        _ => raw,
    };
    snapped.min(high)
}

/// The number of digits after the point in the shortest decimal form of `x`; `None` when
/// that form has an exponent or is not finite.
fn decimal_places(x: f64) -> Option<usize> {
    if !x.is_finite() {
        return None;
    }
    let text = x.abs().to_string();
    if text.contains(['e', 'E']) {
        return None;
    }
    Some(text.split_once('.').map_or(0, |(_, digits)| digits.len()))
}

/// Number of grid points `low + k * step <= high`, tolerant to rounding
/// (`0.0..=1.0` with step `0.1` has 11 points, not 10); saturates at `u128::MAX`.
fn float_grid_len(low: f64, high: f64, step: f64) -> u128 {
    let n = steps_from(low, high, step);
    // `as` saturates (and maps NaN, which a valid domain cannot give, to 0).
    ((n + GRID_TOLERANCE * n.max(1.0)).floor() as u128).saturating_add(1)
}

/// `(x - low) / step`, also when `x - low` overflows (bounds near `±f64::MAX`).
fn steps_from(low: f64, x: f64, step: f64) -> f64 {
    let width = x - low;
    if width.is_finite() {
        width / step
    } else {
        (x / 2.0 - low / 2.0) / step * 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepped_float_grid_has_rounding_tolerant_length() {
        let d = Domain::float(0.0, 1.0).step(0.1);
        assert_eq!(d.cardinality(), Some(11));
        assert_eq!(d.nth(10), Some(Value::Float(1.0)));
        assert_eq!(d.nth(11), None);
        assert!(d.contains(&Value::Float(0.3)));
        assert!(!d.contains(&Value::Float(0.35)));
        assert_eq!(d.index_of(&Value::Float(0.7)), Some(7));
    }

    /// Hardening item 7: an off-grid value is called that, with its nearest grid values;
    /// a missing choice lists the choices.
    #[test]
    fn values_outside_a_domain_are_explained_with_what_is_allowed() {
        let d = Domain::float(0.0, 1.0).step(0.25);
        assert_eq!(
            d.explain_outside(&Value::Float(0.3)),
            "0.3 is off the step grid 0..=1, step = 0.25; the nearest grid values are 0.25 and 0.5"
        );
        assert_eq!(
            d.explain_outside(&Value::Float(1.5)),
            "1.5 is outside 0..=1; give a float in 0..=1 on the step grid 0.25"
        );
        let d = Domain::Int {
            low: 1,
            high: 10,
            log: false,
            step: Some(3),
        };
        assert_eq!(
            d.explain_outside(&Value::Int(9)),
            "9 is off the step grid 1..=10, step = 3; the nearest grid values are 7 and 10"
        );
        assert_eq!(
            Domain::float(1e-300, 1e300).describe(),
            "a float in 1e-300..=1e300"
        );
        assert_eq!(
            Domain::categorical(["adam", "sgd"]).explain_outside(&Value::from("rmsprop")),
            "\"rmsprop\" is not among the choices; give one of \"adam\", \"sgd\""
        );
    }

    #[test]
    fn float_grid_stops_below_high_when_step_does_not_divide() {
        let d = Domain::float(0.0, 1.0).step(0.3);
        assert_eq!(d.cardinality(), Some(4));
        assert_eq!(d.nth(3), Some(Value::Float(0.9)));
    }

    /// Hardening item 5: grid points of short decimals print as those decimals.
    #[test]
    fn grid_points_of_short_decimals_are_the_nearest_f64_of_the_decimal() {
        let d = Domain::float(0.0, 0.5).step(0.05);
        assert_eq!(0.0 + 3.0 * 0.05, 0.15000000000000002);
        assert_eq!(d.nth(3), Some(Value::Float(0.15)));
        assert_eq!(d.nth(3).unwrap().to_string(), "0.15");
        let d = Domain::float(-1.2, 2.0).step(0.1);
        let shown: Vec<String> = (0..d.cardinality().unwrap())
            .map(|k| d.nth(k).unwrap().to_string())
            .collect();
        assert_eq!(shown[3], "-0.9");
        assert_eq!(shown[12], "0");
        assert_eq!(shown[13], "0.1");
        assert_eq!(shown.last().unwrap(), "2");
        // Not short decimals: the plain sum, as before.
        let third = 1.0 / 3.0;
        let d = Domain::float(0.0, 1.0).step(third);
        assert_eq!(d.nth(2), Some(Value::Float(2.0 * third)));
    }

    /// Hardening item 5, a seeded property test: over random short-decimal grids, every
    /// point is in the domain, at its own index, strictly increasing, and printed with no
    /// more decimals than low and step have; over random other grids, points are still
    /// in the domain at their index.
    #[test]
    fn grid_points_stay_on_the_grid_property() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for case in 0..3000 {
            let short = case % 2 == 0;
            let (low, step) = if short {
                let places_low = rng.random_range(0..5);
                let places_step = rng.random_range(0..5);
                let low = rng.random_range(-100_000_i64..100_000) as f64 / 10f64.powi(places_low);
                let step = rng.random_range(1_i64..10_000) as f64 / 10f64.powi(places_step);
                // Through text, so they are the f64 of a short decimal.
                let low: f64 = format!("{low:.*}", places_low as usize).parse().unwrap();
                let step: f64 = format!("{step:.*}", places_step as usize).parse().unwrap();
                (low, step)
            } else {
                (rng.random_range(-1e3..1e3), rng.random_range(1e-3..10.0))
            };
            let n = rng.random_range(1_u64..200);
            let high = low + step * n as f64 + rng.random_range(0.0..step * 0.999);
            let d = Domain::float(low, high).step(step);
            if d.validate().is_err() {
                continue;
            }
            let count = d.cardinality().unwrap();
            let mut previous = f64::NEG_INFINITY;
            for k in 0..count {
                let value = d.nth(k).unwrap();
                let x = value.as_f64().unwrap();
                assert!(d.contains(&value), "{d:?} point {k} = {x}");
                assert_eq!(d.index_of(&value), Some(k), "{d:?} point {k} = {x}");
                assert!(x > previous, "{d:?} point {k} = {x}");
                previous = x;
                if short {
                    let places = decimal_places(low)
                        .unwrap()
                        .max(decimal_places(step).unwrap());
                    let shown = decimal_places(x);
                    assert!(
                        shown.is_some_and(|p| p <= places),
                        "{d:?} point {k} = {x} has more than {places} decimals"
                    );
                }
            }
        }
    }

    /// Hardening item 3: one-value ranges are valid; a grid that misses `high` ends on
    /// its last point instead.
    #[test]
    fn one_value_ranges_and_grids_that_miss_high() {
        for d in [
            Domain::int(3, 3),
            Domain::int(3, 3).log(),
            Domain::float(0.5, 0.5),
            Domain::float(0.5, 0.5).log(),
            Domain::float(0.5, 0.5).step(0.1),
        ] {
            d.validate().unwrap();
            if d.cardinality().is_some() {
                assert_eq!(d.cardinality(), Some(1), "{d:?}");
                assert!(d.contains(&d.nth(0).unwrap()), "{d:?}");
            }
        }
        let mut d = Domain::int(0, 10).step(3.0);
        let note = d.end_on_grid().unwrap();
        assert_eq!(
            note,
            "step = 3 does not divide the range 0..=10: its last grid point is 9; \
             end the range there: `0..=9, step = 3`"
        );
        assert_eq!(d, Domain::int(0, 9).step(3.0));
        assert_eq!(d.end_on_grid(), None);
        let mut d = Domain::float(0.0, 1.0).step(0.3);
        assert!(d.end_on_grid().unwrap().contains("`0..=0.9, step = 0.3`"));
        assert_eq!(d, Domain::float(0.0, 0.9).step(0.3));
        for mut fine in [
            Domain::float(0.0, 1.0).step(0.1),
            Domain::float(0.0, 0.3).step(0.1),
            Domain::float(0.0, 1.0).step(1e-300),
            Domain::float(2.0, 2.0).step(0.7),
        ] {
            let before = fine.clone();
            assert_eq!(fine.end_on_grid(), None, "{before:?}");
            assert_eq!(fine, before);
        }
    }

    #[test]
    fn int_grid_is_anchored_at_low() {
        let d = Domain::Int {
            low: 1,
            high: 10,
            log: false,
            step: Some(3),
        };
        assert_eq!(d.cardinality(), Some(4));
        assert!(d.contains(&Value::Int(7)));
        assert!(!d.contains(&Value::Int(8)));
        assert_eq!(d.nth(3), Some(Value::Int(10)));
    }

    #[test]
    fn invalid_domains_say_what_to_fix() {
        let cases = [
            (Domain::float(1.0, 0.0), "range is reversed"),
            (Domain::float(0.0, 1.0).log(), "needs low > 0"),
            (Domain::int(0, 10).log(), "needs low >= 1"),
            (Domain::float(0.0, 1.0).step(0.0), "step must be > 0"),
            (Domain::float(0.0, 1.0).step(2.0), "wider than the range"),
            (
                Domain::float(1.0, 2.0).log().step(0.5),
                "cannot be combined",
            ),
            (Domain::float(f64::NAN, 1.0), "finite"),
            (
                Domain::categorical(Vec::<Value>::new()),
                "at least one choice",
            ),
            (Domain::categorical(["a", "b", "a"]), "listed twice"),
        ];
        for (domain, expected) in cases {
            let err = domain.validate().unwrap_err();
            assert!(err.contains(expected), "{domain:?}: {err}");
        }
    }

    /// Issue 11, item 4: integer arithmetic over the whole i64 range is checked.
    #[test]
    fn int_arithmetic_covers_the_whole_i64_range() {
        let full = Domain::int(i64::MIN, i64::MAX);
        full.validate().unwrap();
        assert_eq!(full.value_count(), Some(1u128 << 64));
        assert_eq!(full.cardinality(), Some(u64::MAX));
        assert!(full.contains(&Value::Int(i64::MIN)));
        assert!(full.contains(&Value::Int(i64::MAX)));
        assert_eq!(full.nth(0), Some(Value::Int(i64::MIN)));
        assert_eq!(full.nth(u64::MAX - 1), Some(Value::Int(i64::MAX - 1)));
        assert_eq!(full.index_of(&Value::Int(i64::MAX - 1)), Some(u64::MAX - 1));

        let stepped = Domain::Int {
            low: i64::MIN,
            high: i64::MAX,
            log: false,
            step: Some(8),
        };
        stepped.validate().unwrap();
        assert_eq!(stepped.cardinality(), Some(1 << 61));
        let last = stepped.nth((1 << 61) - 1).unwrap();
        assert_eq!(last, Value::Int(i64::MAX - 7));
        assert!(stepped.contains(&last));
        assert!(!stepped.contains(&Value::Int(i64::MAX)));
        assert_eq!(stepped.index_of(&last), Some((1 << 61) - 1));
        assert_eq!(stepped.nth(1 << 61), None);
        // An unvalidated domain with a zero step answers instead of dividing by zero.
        let broken = Domain::Int {
            low: 0,
            high: 4,
            log: false,
            step: Some(0),
        };
        assert!(!broken.contains(&Value::Int(2)));
    }

    /// Issue 11, item 4: `Domain::step` no longer truncates a fractional int spacing.
    #[test]
    fn fractional_int_step_is_refused_not_truncated() {
        assert_eq!(
            Domain::int(0, 10).step(2.0),
            Domain::Int {
                low: 0,
                high: 10,
                log: false,
                step: Some(2)
            }
        );
        for spacing in [2.5, 0.5, 1e30, f64::NAN] {
            let err = Domain::int(0, 10).step(spacing).validate().unwrap_err();
            assert!(err.contains("positive whole number"), "{spacing}: {err}");
        }
    }

    #[test]
    fn float_grids_near_f64_max_count_and_contain() {
        let d = Domain::float(-f64::MAX, f64::MAX).step(f64::MAX / 2.0);
        d.validate().unwrap();
        assert_eq!(d.cardinality(), Some(5));
        assert_eq!(d.nth(2), Some(Value::Float(0.0)));
        assert_eq!(d.nth(4), Some(Value::Float(f64::MAX)));
        assert!(d.contains(&Value::Float(0.0)));
        assert_eq!(d.index_of(&Value::Float(f64::MAX / 2.0)), Some(3));
        // Found by the space fuzz test: `nth(1)` must be on the grid `contains` sees.
        let small_step =
            Domain::float(-6.948033098969728, -5.577933533852915).step(1.3700995651168136e-7);
        assert!(small_step.contains(&small_step.nth(1).unwrap()));
        let finer_than_floats = Domain::float(-1e140, 8.7).step(1e-300);
        assert!(finer_than_floats.contains(&Value::Float(8.7)));
        assert!(finer_than_floats.contains(&Value::Float(-1.0)));
        let tiny = Domain::float(0.0, 1.0).step(1e-300);
        assert_eq!(tiny.value_count(), Some(u128::MAX));
        assert_eq!(tiny.cardinality(), Some(u64::MAX));
    }
}
