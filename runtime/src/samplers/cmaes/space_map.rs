//! Which params CMA-ES searches and how they map to the unit cube.
//!
//! Searched: every int and float param without a condition that has more than one value.
//! Continuous floats map linearly, `log` floats by `ln`, `log` ints by `ln` over
//! `[low - 0.5, high + 0.5]` and are rounded (so each end gets its fair share); ints and
//! stepped floats map to equal bins, one per value (see [`super::margin`]), and get the
//! integer margin. Categoricals and conditional params are not searched here.

use super::margin::Bins;
use crate::space::{Domain, Params, SearchSpace, Value};

#[derive(Debug, Clone, PartialEq)]
enum Scale {
    Linear { low: f64, high: f64 },
    Log { low: f64, high: f64 },
    LogInt { low: i64, high: i64 },
    Index(Bins),
}

/// One searched param.
#[derive(Debug, Clone, PartialEq)]
struct Dim {
    position: usize,
    name: String,
    domain: Domain,
    scale: Scale,
}

/// The searched params of a space, in space order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SpaceMap {
    dims: Vec<Dim>,
}

/// `(x - low) / (high - low)`, also when `high - low` overflows.
fn unlerp(low: f64, high: f64, x: f64) -> f64 {
    let u = if (high - low).is_finite() {
        (x - low) / (high - low)
    } else {
        (x / 2.0 - low / 2.0) / (high / 2.0 - low / 2.0)
    };
    u.clamp(0.0, 1.0)
}

/// `low + u (high - low)` inside `[low, high]`, also when `high - low` overflows.
fn lerp(low: f64, high: f64, u: f64) -> f64 {
    let x = if (high - low).is_finite() {
        low + u * (high - low)
    } else {
        2.0 * (low / 2.0 + u * (high / 2.0 - low / 2.0))
    };
    x.clamp(low, high)
}

/// The log-scale bounds of a `log` int.
fn log_int_bounds(low: i64, high: i64) -> (f64, f64) {
    ((low as f64 - 0.5).ln(), (high as f64 + 0.5).ln())
}

impl SpaceMap {
    /// The searched params of `space`.
    pub(crate) fn new(space: &SearchSpace) -> Self {
        let mut dims = Vec::new();
        for (position, param) in space.params().iter().enumerate() {
            if param.condition.is_some() {
                continue;
            }
            let scale = match param.domain {
                Domain::Categorical { .. } => continue,
                Domain::Float {
                    low,
                    high,
                    log,
                    step: None,
                } => {
                    // A single point (or NaN bounds): nothing to search.
                    if low.partial_cmp(&high) != Some(std::cmp::Ordering::Less) {
                        continue;
                    }
                    if log {
                        Scale::Log { low, high }
                    } else {
                        Scale::Linear { low, high }
                    }
                }
                Domain::Int {
                    low,
                    high,
                    log: true,
                    ..
                } if param.domain.value_count().is_some_and(|n| n >= 2) => {
                    Scale::LogInt { low, high }
                }
                _ => match param.domain.value_count() {
                    Some(n) if n >= 2 => Scale::Index(Bins::new(n as f64)),
                    _ => continue,
                },
            };
            dims.push(Dim {
                position,
                name: param.name.clone(),
                domain: param.domain.clone(),
                scale,
            });
        }
        SpaceMap { dims }
    }

    /// The number of searched params.
    pub(crate) fn len(&self) -> usize {
        self.dims.len()
    }

    /// Whether `position` (in the space) is searched here.
    #[cfg(test)]
    pub(crate) fn searches(&self, position: usize) -> bool {
        self.dims.iter().any(|d| d.position == position)
    }

    /// The bins of each coordinate (`None`: continuous).
    pub(crate) fn bins(&self) -> Vec<Option<Bins>> {
        self.dims
            .iter()
            .map(|d| match d.scale {
                Scale::Index(bins) => Some(bins),
                _ => None,
            })
            .collect()
    }

    /// The unit-cube point of a trial's params, if it has every searched param inside its
    /// domain.
    pub(crate) fn encode(&self, params: &Params) -> Option<Vec<f64>> {
        self.dims
            .iter()
            .map(|dim| {
                let value = params.value(&dim.name)?;
                if !dim.domain.contains(value) {
                    return None;
                }
                let u = match dim.scale {
                    Scale::Linear { low, high } => unlerp(low, high, value.as_f64()?),
                    Scale::Log { low, high } => unlerp(low.ln(), high.ln(), value.as_f64()?.ln()),
                    Scale::LogInt { low, high } => {
                        let (lo, hi) = log_int_bounds(low, high);
                        unlerp(lo, hi, (value.as_i64()? as f64).ln())
                    }
                    Scale::Index(bins) => bins.center(dim.domain.index_of(value)? as f64),
                };
                u.is_finite().then_some(u)
            })
            .collect()
    }

    /// The value of each searched param at unit-cube point `u`, with its space position
    /// and name; always inside the domain and on its grid.
    pub(crate) fn decode(&self, u: &[f64]) -> Vec<(usize, &str, Value)> {
        self.dims
            .iter()
            .zip(u)
            .map(|(dim, &u)| {
                let u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
                let value = match dim.scale {
                    Scale::Linear { low, high } => Value::Float(lerp(low, high, u)),
                    Scale::Log { low, high } => {
                        Value::Float(lerp(low.ln(), high.ln(), u).exp().clamp(low, high))
                    }
                    Scale::LogInt { low, high } => {
                        let (lo, hi) = log_int_bounds(low, high);
                        let x = lerp(lo, hi, u).exp().round().clamp(low as f64, high as f64);
                        // `as` saturates; the clamp keeps rounding at the ends inside.
                        Value::Int((x as i64).clamp(low, high))
                    }
                    Scale::Index(bins) => {
                        let k = bins.index(u) as u64; // saturating
                        dim.domain
                            .nth(k)
                            .or_else(|| dim.domain.nth(0))
                            .unwrap_or(Value::Float(f64::NAN))
                    }
                };
                let value = if dim.domain.contains(&value) {
                    value
                } else {
                    // Rounding at the far end of a huge grid: the lowest value is always valid.
                    lowest(&dim.domain)
                };
                (dim.position, dim.name.as_str(), value)
            })
            .collect()
    }
}

impl SpaceMap {
    /// Whether `params` holds exactly the searched values of unit-cube point `u`.
    pub(crate) fn same_values(&self, params: &Params, u: &[f64]) -> bool {
        self.decode(u)
            .iter()
            .all(|(_, name, value)| params.value(name).is_some_and(|v| v.same(value)))
    }
}

/// The lowest value of a numeric domain.
fn lowest(domain: &Domain) -> Value {
    match *domain {
        Domain::Float { low, .. } => Value::Float(low),
        Domain::Int { low, .. } => Value::Int(low),
        Domain::Categorical { ref choices } => choices[0].clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> SearchSpace {
        SearchSpace::builder()
            .add("x", Domain::float(-1.0, 3.0))
            .add("lr", Domain::float(1e-5, 1e-1).log())
            .add("n", Domain::int(1, 1000).log())
            .add("k", Domain::int(0, 10).step(2.0))
            .add("p", Domain::float(0.0, 0.5).step(0.1))
            .add("c", Domain::categorical(["a", "b"]))
            .add("one", Domain::categorical([3]))
            .add_when("m", Domain::float(0.0, 1.0), "c", ["a"])
            .build()
            .unwrap()
    }

    #[test]
    fn only_unconditional_numeric_params_with_choice_are_searched() {
        let map = SpaceMap::new(&space());
        assert_eq!(map.len(), 5);
        assert!(map.searches(0) && map.searches(4));
        assert!(!map.searches(5) && !map.searches(6) && !map.searches(7));
        let bins = map.bins();
        assert!(bins[0].is_none() && bins[2].is_none());
        assert_eq!(bins[3], Some(Bins::new(6.0)));
        assert_eq!(bins[4], Some(Bins::new(6.0)));
    }

    #[test]
    fn decode_then_encode_is_stable_and_on_the_grid() {
        let s = space();
        let map = SpaceMap::new(&s);
        for u in [0.0, 1e-9, 0.25, 0.5, 0.731, 1.0 - 1e-12, 1.0] {
            let point = vec![u; map.len()];
            let values = map.decode(&point);
            let mut params = Params::new();
            for (position, _, value) in &values {
                let param = &s.params()[*position];
                assert!(param.domain.contains(value), "{} = {value}", param.name);
                params.insert(param.name.clone(), value.clone());
            }
            let again = map.encode(&params).unwrap();
            let values_again = map.decode(&again);
            for (a, b) in values.iter().zip(&values_again) {
                assert!(a.2.same(&b.2), "{u}: {} vs {}", a.2, b.2);
            }
            // Continuous coordinates come back exactly (to rounding).
            assert!((again[0] - u).abs() < 1e-12 && (again[1] - u).abs() < 1e-9);
        }
    }

    #[test]
    fn huge_domains_decode_inside() {
        let s = SearchSpace::builder()
            .add("a", Domain::float(-f64::MAX, f64::MAX))
            .add("b", Domain::int(i64::MIN, i64::MAX))
            .add("c", Domain::float(-f64::MAX, f64::MAX).step(1e290))
            .add("d", Domain::int(1, i64::MAX).log())
            .add("e", Domain::float(5e-324, f64::MAX).log())
            .build()
            .unwrap();
        let map = SpaceMap::new(&s);
        assert_eq!(map.len(), 5);
        for u in [0.0, 0.3, 0.5, 1.0, f64::NAN, -4.0, 7.0] {
            for (position, _, value) in map.decode(&[u; 5]) {
                assert!(s.params()[position].domain.contains(&value), "{u}: {value}");
            }
        }
        let mut params = Params::new();
        for (position, _, value) in map.decode(&[0.9; 5]) {
            params.insert(s.params()[position].name.clone(), value);
        }
        assert!(map
            .encode(&params)
            .unwrap()
            .iter()
            .all(|u| (0.0..=1.0).contains(u)));
    }
}
