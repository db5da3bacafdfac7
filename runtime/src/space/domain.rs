//! The set of values one parameter may take.

use serde::{Deserialize, Serialize};

use super::{range_rules, Value};

/// Relative tolerance for "is this float on the step grid".
const GRID_TOLERANCE: f64 = 1e-9;

/// The values a parameter may take. Bounds are inclusive.
///
/// JSON form (the `type` tag sits beside the param's name):
/// `{"type":"float","low":1e-5,"high":0.1,"log":true,"step":null}`,
/// `{"type":"int","low":1,"high":4}`, `{"type":"categorical","choices":["adam","sgd"]}`.
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
        /// Spacing of the allowed values, anchored at `low`.
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

    /// The same float domain restricted to the grid `low + k * step`.
    #[must_use]
    pub fn step(mut self, spacing: f64) -> Self {
        match &mut self {
            Domain::Float { step, .. } => *step = Some(spacing),
            Domain::Int { step, .. } => *step = Some(spacing as i64),
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
                        let k = (x - low) / step;
                        (k - k.round()).abs() <= GRID_TOLERANCE * k.abs().max(1.0)
                    }
                }
            }
            (
                Domain::Int {
                    low, high, step, ..
                },
                Value::Int(x),
            ) => x >= low && x <= high && (x - low) % step.unwrap_or(1) == 0,
            (Domain::Categorical { choices }, _) => choices.iter().any(|c| c.same(value)),
            _ => false,
        }
    }

    /// Number of distinct values, or `None` for a continuous float.
    pub fn cardinality(&self) -> Option<u64> {
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
            } => Some(((high - low) / step.unwrap_or(1)) as u64 + 1),
            Domain::Categorical { ref choices } => Some(choices.len() as u64),
        }
    }

    /// The `k`-th value of a discrete domain (`k < cardinality`).
    pub fn nth(&self, k: u64) -> Option<Value> {
        if k >= self.cardinality()? {
            return None;
        }
        Some(match *self {
            Domain::Float {
                low,
                high,
                step: Some(step),
                ..
            } => Value::Float((low + k as f64 * step).min(high)),
            Domain::Int { low, step, .. } => Value::Int(low + k as i64 * step.unwrap_or(1)),
            Domain::Categorical { ref choices } => choices[k as usize].clone(),
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
            } => Some(((value.as_f64()? - low) / step).round() as u64),
            Domain::Int { low, step, .. } => {
                Some(((value.as_i64()? - low) / step.unwrap_or(1)) as u64)
            }
            Domain::Categorical { ref choices } => {
                choices.iter().position(|c| c.same(value)).map(|i| i as u64)
            }
            Domain::Float { step: None, .. } => None,
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

/// Number of grid points `low + k * step <= high`, tolerant to rounding
/// (`0.0..=1.0` with step `0.1` has 11 points, not 10).
fn float_grid_len(low: f64, high: f64, step: f64) -> u64 {
    let n = (high - low) / step;
    (n + GRID_TOLERANCE * n.max(1.0)).floor() as u64 + 1
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

    #[test]
    fn float_grid_stops_below_high_when_step_does_not_divide() {
        let d = Domain::float(0.0, 1.0).step(0.3);
        assert_eq!(d.cardinality(), Some(4));
        assert_eq!(d.nth(3), Some(Value::Float(0.8999999999999999)));
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
            (Domain::int(3, 3), "range is empty"),
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
}
