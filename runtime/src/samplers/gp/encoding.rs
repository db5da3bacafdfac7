//! Params to and from the GP's input space: every numeric param scaled to `[0, 1]` (in
//! log space for `log` domains), categoricals as their choice index, inactive params as
//! NaN.
//!
//! Grid domains (ints, stepped floats) are widened by half a step at each end, as Optuna
//! does, so that each grid point owns an equal share of `[0, 1]`: the `k`-th of `n`
//! points sits at `(k + 0.5) / n` on a linear scale.

use crate::space::{Domain, Params, SearchSpace, Value};

/// How one param is encoded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Dim {
    /// A float without a step: `[low, high]` mapped linearly (or in log space) to `[0, 1]`.
    Continuous { low: f64, high: f64, log: bool },
    /// An int grid `low + k * step`, `k < n`.
    IntGrid {
        low: i64,
        step: i64,
        n: u128,
        /// On a log scale: `ln(low - step/2)` and `ln(high + step/2)`.
        log: Option<(f64, f64)>,
    },
    /// A float grid `low + k * step`, `k < n` (`n` saturates for astronomically fine grids).
    FloatGrid {
        low: f64,
        high: f64,
        step: f64,
        n: u128,
    },
    /// A categorical with `n` choices, encoded as the choice index.
    Categorical { choices: Vec<Value> },
}

impl Dim {
    /// The encoding of a (valid) domain.
    pub(crate) fn of(domain: &Domain) -> Dim {
        match *domain {
            Domain::Float {
                low,
                high,
                log,
                step: None,
            } => Dim::Continuous { low, high, log },
            Domain::Float {
                low,
                high,
                step: Some(step),
                ..
            } => Dim::FloatGrid {
                low,
                high,
                step,
                n: domain.value_count().unwrap_or(1).max(1),
            },
            Domain::Int {
                low,
                high,
                log,
                step,
            } => {
                let step = step.unwrap_or(1).max(1);
                let half = step as f64 / 2.0;
                Dim::IntGrid {
                    low,
                    step,
                    n: domain.value_count().unwrap_or(1).max(1),
                    log: log.then(|| ((low as f64 - half).ln(), (high as f64 + half).ln())),
                }
            }
            Domain::Categorical { ref choices } => Dim::Categorical {
                choices: choices.clone(),
            },
        }
    }

    /// Whether the kernel compares this dim by equality (Hamming) rather than distance.
    pub(crate) fn is_categorical(&self) -> bool {
        matches!(self, Dim::Categorical { .. })
    }

    /// Whether the dim takes finitely many values that the acquisition search visits one
    /// by one (grids and categoricals), rather than by gradient.
    pub(crate) fn is_discrete(&self) -> bool {
        !matches!(self, Dim::Continuous { .. })
    }

    /// Number of values of a discrete dim (`None` for a continuous one).
    pub(crate) fn count(&self) -> Option<u128> {
        match self {
            Dim::Continuous { .. } => None,
            Dim::IntGrid { n, .. } | Dim::FloatGrid { n, .. } => Some(*n),
            Dim::Categorical { choices } => Some(choices.len() as u128),
        }
    }

    /// The encoding of `value`, or `None` when it is not a value of this dim.
    pub(crate) fn encode(&self, value: &Value) -> Option<f64> {
        match self {
            Dim::Continuous { low, high, log } => {
                let x = value.as_f64()?;
                if !(x >= *low && x <= *high) {
                    return None;
                }
                Some(if high <= low {
                    0.5
                } else if *log {
                    ((x.ln() - low.ln()) / (high.ln() - low.ln())).clamp(0.0, 1.0)
                } else {
                    // Halved so that `high - low` cannot overflow.
                    ((x * 0.5 - low * 0.5) / (high * 0.5 - low * 0.5)).clamp(0.0, 1.0)
                })
            }
            Dim::IntGrid { low, step, n, .. } => {
                let offset = i128::from(value.as_i64()?) - i128::from(*low);
                if offset < 0 || offset % i128::from(*step) != 0 {
                    return None;
                }
                let k = (offset / i128::from(*step)) as u128;
                (k < *n).then(|| self.u_of_index(k))
            }
            Dim::FloatGrid {
                low, high, step, ..
            } => {
                let x = value.as_f64()?;
                if !(x >= *low && x <= *high) {
                    return None;
                }
                let k = ((x * 0.5 - low * 0.5) / (step * 0.5)).round();
                Some(self.u_of_index(if k.is_finite() { k as u128 } else { 0 }))
            }
            Dim::Categorical { choices } => {
                choices.iter().position(|c| c.same(value)).map(|i| i as f64)
            }
        }
    }

    /// The encoded position of grid point `k` (discrete dims), clamped to the grid.
    pub(crate) fn u_of_index(&self, k: u128) -> f64 {
        match self {
            Dim::Continuous { .. } => 0.5,
            Dim::IntGrid {
                low,
                step,
                n,
                log: Some((a, b)),
            } => {
                let k = k.min(n - 1);
                let x = (i128::from(*low) + k as i128 * i128::from(*step)) as f64;
                if b > a {
                    ((x.ln() - a) / (b - a)).clamp(0.0, 1.0)
                } else {
                    0.5
                }
            }
            Dim::IntGrid { n, .. } | Dim::FloatGrid { n, .. } => {
                let k = k.min(n - 1);
                ((k as f64 + 0.5) / *n as f64).clamp(0.0, 1.0)
            }
            Dim::Categorical { choices } => k.min(choices.len().max(1) as u128 - 1) as f64,
        }
    }

    /// The encoded point that a uniform coordinate `u` in `[0, 1)` stands for: `u` itself
    /// (continuous), the grid point owning `u`, or choice `floor(u * n)`.
    pub(crate) fn of_unit(&self, u: f64) -> f64 {
        match self {
            Dim::Continuous { .. } => u,
            Dim::Categorical { choices } => {
                let n = choices.len().max(1);
                ((u * n as f64).floor().max(0.0) as usize).min(n - 1) as f64
            }
            _ => self.u_of_index(self.index_of_u(u)),
        }
    }

    /// The grid point (or choice index) that owns the encoded position `u`.
    pub(crate) fn index_of_u(&self, u: f64) -> u128 {
        let u = if u.is_nan() { 0.5 } else { u };
        match self {
            Dim::Continuous { .. } => 0,
            Dim::IntGrid {
                low,
                step,
                n,
                log: Some((a, b)),
            } => {
                let x = (a + u.clamp(0.0, 1.0) * (b - a)).exp();
                let k = ((x - *low as f64) / *step as f64).round().max(0.0);
                (k as u128).min(n - 1)
            }
            Dim::IntGrid { n, .. } | Dim::FloatGrid { n, .. } => {
                let k = (u.clamp(0.0, 1.0) * *n as f64).floor();
                // `as` saturates: a huge `k` lands on the last point.
                (k as u128).min(n - 1)
            }
            Dim::Categorical { choices } => {
                (u.round().max(0.0) as u128).min(choices.len().max(1) as u128 - 1)
            }
        }
    }

    /// The value at encoded position `u`: on the grid, inside the domain.
    pub(crate) fn decode(&self, u: f64) -> Value {
        let u = if u.is_nan() { 0.5 } else { u };
        match self {
            Dim::Continuous { low, high, log } => {
                let t = u.clamp(0.0, 1.0);
                let x = if high <= low {
                    *low
                } else if *log {
                    (low.ln() + t * (high.ln() - low.ln())).exp()
                } else {
                    low * (1.0 - t) + high * t
                };
                Value::Float(x.clamp(*low, *high))
            }
            Dim::IntGrid { low, step, .. } => {
                let k = self.index_of_u(u) as i128;
                // k < n keeps the value inside low..=high, so it fits in i64.
                Value::Int((i128::from(*low) + k * i128::from(*step)) as i64)
            }
            Dim::FloatGrid {
                low, high, step, ..
            } => {
                let k = self.index_of_u(u) as f64;
                Value::Float((low + k * step).min(*high))
            }
            Dim::Categorical { choices } => choices[self.index_of_u(u) as usize].clone(),
        }
    }
}

/// The encoding of a whole space.
#[derive(Debug, Clone)]
pub(crate) struct Encoding {
    pub(crate) dims: Vec<Dim>,
}

impl Encoding {
    pub(crate) fn new(space: &SearchSpace) -> Self {
        Encoding {
            dims: space.params().iter().map(|p| Dim::of(&p.domain)).collect(),
        }
    }

    /// Which dims are categorical, for the kernel.
    pub(crate) fn categorical_mask(&self) -> Vec<bool> {
        self.dims.iter().map(Dim::is_categorical).collect()
    }

    /// The encoding of `params`: NaN where a param is absent (inactive). `None` when a
    /// value is not in its domain (a trial from an older version of the space) or when a
    /// param the space does not know is present.
    pub(crate) fn encode(&self, space: &SearchSpace, params: &Params) -> Option<Vec<f64>> {
        if params.iter().any(|(name, _)| space.get(name).is_none()) {
            return None;
        }
        space
            .params()
            .iter()
            .zip(&self.dims)
            .map(|(param, dim)| match params.value(&param.name) {
                None => Some(f64::NAN),
                Some(value) => dim.encode(value),
            })
            .collect()
    }

    /// The params at encoded point `u`: parents first, so that exactly the params active
    /// under the chosen parent values are set. An active param whose coordinate is NaN
    /// takes the middle of its encoding.
    pub(crate) fn decode(&self, space: &SearchSpace, u: &[f64]) -> Params {
        let mut params = Params::new();
        for ((param, dim), &x) in space.params().iter().zip(&self.dims).zip(u) {
            if space.is_active(param, &params) {
                let x = if x.is_nan() && dim.is_categorical() {
                    0.0
                } else {
                    x
                };
                params.insert(param.name.clone(), dim.decode(x));
            }
        }
        params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_points_round_trip_through_the_encoding() {
        let domains = [
            Domain::int(-3, 7),
            Domain::int(0, 10).step(5.0),
            Domain::int(1, 1000).log(),
            Domain::int(i64::MIN, i64::MAX),
            Domain::float(0.0, 1.0).step(0.25),
            Domain::float(-2.0, 2.0).step(0.3),
            Domain::categorical(["a", "b", "c"]),
        ];
        for domain in &domains {
            let dim = Dim::of(domain);
            for i in 0..40u64 {
                let u = (f64::from(i as u32) + 0.5) / 40.0;
                let value = dim.decode(u);
                assert!(domain.contains(&value), "{domain:?} at {u}: {value}");
                let back = dim.encode(&value).expect("a domain value encodes");
                assert_eq!(dim.decode(back), value, "{domain:?}");
                assert_eq!(dim.u_of_index(dim.index_of_u(back)), back, "{domain:?}");
            }
        }
    }

    #[test]
    fn linear_grids_give_each_point_an_equal_share() {
        let dim = Dim::of(&Domain::int(0, 3));
        assert_eq!(dim.encode(&Value::Int(0)), Some(0.125));
        assert_eq!(dim.encode(&Value::Int(3)), Some(0.875));
        assert_eq!(dim.decode(0.0), Value::Int(0));
        assert_eq!(dim.decode(0.2499), Value::Int(0));
        assert_eq!(dim.decode(0.2501), Value::Int(1));
        assert_eq!(dim.decode(1.0), Value::Int(3));
        assert_eq!(dim.encode(&Value::Int(4)), None);
    }

    #[test]
    fn continuous_ends_map_to_the_unit_interval_also_for_huge_ranges() {
        let dim = Dim::of(&Domain::float(-f64::MAX, f64::MAX));
        assert_eq!(dim.encode(&Value::Float(0.0)), Some(0.5));
        assert_eq!(dim.decode(0.0), Value::Float(-f64::MAX));
        assert_eq!(dim.decode(1.0), Value::Float(f64::MAX));
        let log = Dim::of(&Domain::float(1e-5, 1e-1).log());
        let mid = log.encode(&Value::Float(1e-3)).unwrap();
        assert!((mid - 0.5).abs() < 1e-12, "{mid}");
    }
}
