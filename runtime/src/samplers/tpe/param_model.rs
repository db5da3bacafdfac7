//! How TPE sees one parameter: its kind of kernel, its bounds in kernel space, and the
//! conversions between a [`Value`] and the plain `f64` the estimators work on.
//!
//! Internal values: a numeric parameter is its own value (`x` as `f64`, on the grid for
//! stepped domains); a categorical is the index of its choice. Kernels live in "kernel
//! space": `ln x` for log domains, `x` otherwise.

use crate::space::{Domain, Value};

/// The kernel kind of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ParamKind {
    /// A continuous float: truncated normal densities.
    Continuous {
        /// Kernels live on `ln x`.
        log: bool,
        /// The domain bounds (not transformed).
        low: f64,
        high: f64,
        /// Kernel space is `x * scale` (a power of two, so exact; 1 on every ordinary
        /// range): it brings ranges whose width overflows (bounds near `±f64::MAX`) or
        /// underflows the bandwidths (subnormal widths) back to a width near 1.
        scale: f64,
        /// A float step grid too fine for cell masses (over 2^53 points): draws are
        /// snapped onto it. `None` on every continuous domain.
        grid: Option<f64>,
        /// Kernel space is `(x - offset) * scale`: 0 (exact) on every range but the
        /// one-value `[x, x]`, which is modelled as `[-0.5, 0.5]` around `offset = x`
        /// so that its kernels have a width whatever the magnitude of `x`.
        offset: f64,
    },
    /// An int or stepped float: the normal's mass over `[x - step/2, x + step/2]`.
    Discrete {
        /// Kernels live on `ln x` (log ints, whose step is 1).
        log: bool,
        /// First grid value.
        low: f64,
        step: f64,
        /// Number of grid values.
        count: u64,
        /// Whether values are `Value::Int`.
        int: bool,
    },
    /// A categorical with this many choices: a probability table per kernel.
    Categorical { choices: usize },
}

/// One parameter as TPE models it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ParamModel {
    pub kind: ParamKind,
    /// Kernel-space bounds of the support (stepped domains widened by half a step).
    pub lo: f64,
    pub hi: f64,
}

impl ParamModel {
    /// The model of a valid domain.
    pub(super) fn new(domain: &Domain) -> Self {
        match *domain {
            Domain::Float {
                low,
                high,
                step: None,
                ..
            } if low == high => ParamModel {
                kind: ParamKind::Continuous {
                    log: false,
                    low,
                    high,
                    scale: 1.0,
                    grid: None,
                    offset: low,
                },
                lo: -0.5,
                hi: 0.5,
            },
            Domain::Float {
                low,
                high,
                log,
                step: None,
            } => {
                let scale = if log { 1.0 } else { kernel_scale(low, high) };
                ParamModel {
                    kind: ParamKind::Continuous {
                        log,
                        low,
                        high,
                        scale,
                        grid: None,
                        offset: 0.0,
                    },
                    lo: transform(low, log) * scale,
                    hi: transform(high, log) * scale,
                }
            }
            Domain::Float {
                low,
                high,
                step: Some(step),
                ..
            } if domain.value_count().unwrap_or(1) > 1 << 53 => {
                // Cells this many cannot be told apart by their masses (and `low + k *
                // step` is no longer exact): model the range as continuous, snap draws.
                let scale = kernel_scale(low, high);
                ParamModel {
                    kind: ParamKind::Continuous {
                        log: false,
                        low,
                        high,
                        scale,
                        grid: Some(step),
                        offset: 0.0,
                    },
                    lo: low * scale,
                    hi: high * scale,
                }
            }
            Domain::Float {
                low,
                step: Some(step),
                ..
            } => {
                let count = domain.cardinality().unwrap_or(1);
                let top = low + (count - 1) as f64 * step;
                ParamModel {
                    kind: ParamKind::Discrete {
                        log: false,
                        low,
                        step,
                        count,
                        int: false,
                    },
                    lo: low - step / 2.0,
                    hi: top + step / 2.0,
                }
            }
            Domain::Int { low, log, step, .. } => {
                let step = if log { 1 } else { step.unwrap_or(1) } as f64;
                let count = domain.cardinality().unwrap_or(1);
                let low = low as f64;
                let top = low + (count - 1) as f64 * step;
                ParamModel {
                    kind: ParamKind::Discrete {
                        log,
                        low,
                        step,
                        count,
                        int: true,
                    },
                    lo: transform(low - step / 2.0, log),
                    hi: transform(top + step / 2.0, log),
                }
            }
            Domain::Categorical { ref choices } => ParamModel {
                kind: ParamKind::Categorical {
                    choices: choices.len(),
                },
                lo: 0.0,
                hi: choices.len() as f64,
            },
        }
    }

    /// The internal value of `value`, or NaN when it does not belong to the domain (a trial
    /// recorded under an older version of the space): such a trial is treated as not
    /// having the parameter.
    pub(super) fn internal(&self, domain: &Domain, value: &Value) -> f64 {
        match self.kind {
            ParamKind::Categorical { .. } => match domain {
                Domain::Categorical { choices } => choices
                    .iter()
                    .position(|c| c.same(value))
                    .map_or(f64::NAN, |i| i as f64),
                _ => f64::NAN,
            },
            ParamKind::Continuous { low, high, .. } => match value.as_f64() {
                Some(x) if x >= low && x <= high => x,
                _ => f64::NAN,
            },
            ParamKind::Discrete {
                low, step, count, ..
            } => match value.as_f64() {
                Some(x) if x >= low && x <= low + (count - 1) as f64 * step + step * 1e-9 => x,
                _ => f64::NAN,
            },
        }
    }

    /// The domain value for an internal value produced by [`snap`](Self::snap).
    pub(super) fn value(&self, domain: &Domain, x: f64) -> Value {
        match self.kind {
            ParamKind::Categorical { .. } => match domain {
                Domain::Categorical { choices } => choices[x as usize].clone(),
                _ => unreachable!("a categorical model comes from a categorical domain"),
            },
            ParamKind::Continuous { .. } => Value::Float(x),
            ParamKind::Discrete {
                int: true,
                low,
                step,
                count,
                ..
            } => {
                // Through the domain's index arithmetic: beyond 2^53 the f64 `x` is not
                // exact, and `x as i64` could land off the step grid.
                let k = ((x - low) / step).round().clamp(0.0, (count - 1) as f64);
                domain.nth(k as u64).unwrap_or(Value::Int(x as i64))
            }
            ParamKind::Discrete {
                low,
                step,
                int: false,
                ..
            } => {
                // Through the domain's own grid, so the value is bit-identical to what
                // grid and random search produce for the same index.
                let k = ((x - low) / step).round() as u64;
                domain.nth(k).unwrap_or(Value::Float(x))
            }
        }
    }

    /// A kernel-space draw `t` turned into an allowed internal value: back from log
    /// space, clamped into the bounds, rounded onto the grid.
    pub(super) fn snap(&self, t: f64) -> f64 {
        match self.kind {
            ParamKind::Continuous {
                log,
                low,
                high,
                scale,
                grid,
                offset,
            } => {
                let x = untransform(t / scale, log) + offset;
                let x = if x.is_nan() {
                    // A degenerate kernel gave no draw: the middle of the domain.
                    low / 2.0 + high / 2.0
                } else {
                    x.clamp(low, high)
                };
                match grid {
                    Some(step) if (x - low).is_finite() => {
                        let k = ((x - low) / step).round();
                        (low + k * step).clamp(low, high)
                    }
                    // Far enough from `low` that the grid is finer than the floats.
                    _ => x,
                }
            }
            ParamKind::Discrete {
                log,
                low,
                step,
                count,
                ..
            } => {
                let x = untransform(t, log);
                let k = ((x - low) / step).round().clamp(0.0, (count - 1) as f64);
                // A degenerate kernel gave no draw (NaN): the first grid value.
                low + if k.is_nan() { 0.0 } else { k } * step
            }
            ParamKind::Categorical { .. } => t,
        }
    }

    /// Whether kernels live on `ln x`.
    pub(super) fn is_log(&self) -> bool {
        matches!(
            self.kind,
            ParamKind::Continuous { log: true, .. } | ParamKind::Discrete { log: true, .. }
        )
    }

    /// Kernel-space position of an internal numeric value.
    pub(super) fn kernel_position(&self, x: f64) -> f64 {
        match self.kind {
            ParamKind::Continuous {
                log, scale, offset, ..
            } => (transform(x, log) - offset) * scale,
            ParamKind::Discrete { log, .. } => transform(x, log),
            ParamKind::Categorical { .. } => x,
        }
    }

    /// The kernel-space factor of a continuous linear domain (1 for every other model).
    pub(super) fn scale(&self) -> f64 {
        match self.kind {
            ParamKind::Continuous { scale, .. } => scale,
            _ => 1.0,
        }
    }

    /// What a continuous domain's values are shifted by before the scale (0 for every
    /// other model, and for every continuous range but a one-value one).
    pub(super) fn offset(&self) -> f64 {
        match self.kind {
            ParamKind::Continuous { offset, .. } => offset,
            _ => 0.0,
        }
    }

    /// Kernel-space width of the cell of a discrete internal value, computed without the
    /// cancellation of `right - left` (for log ints, `ln(1 + step / (x - step/2))`).
    pub(super) fn cell_width(&self, x: f64) -> f64 {
        match self.kind {
            ParamKind::Discrete {
                log: true, step, ..
            } => (step / (x - step / 2.0)).ln_1p(),
            ParamKind::Discrete { step, .. } => step,
            _ => 0.0,
        }
    }

    /// Kernel-space interval `[x - step/2, x + step/2]` of a discrete internal value.
    pub(super) fn cell(&self, x: f64) -> Option<(f64, f64)> {
        match self.kind {
            ParamKind::Discrete { log, step, .. } => Some((
                transform(x - step / 2.0, log),
                transform(x + step / 2.0, log),
            )),
            _ => None,
        }
    }
}

/// 1 on ordinary ranges; otherwise the power of two that brings the width near 1, so
/// that the width, the bounds' midpoint and the bandwidths stay finite and non-zero.
fn kernel_scale(low: f64, high: f64) -> f64 {
    let width = high - low;
    let ordinary = width.is_finite() && width >= 1e-200 && low.abs().max(high.abs()) <= 1e300;
    if ordinary {
        return 1.0;
    }
    if !width.is_finite() || width > 1.0 {
        // Halving the bounds keeps the width finite; 2^-4 leaves room for the midpoint.
        return 0.0625;
    }
    // A tiny width: scale it up to about 1 (2^1000 at most, so bounds stay finite).
    let exponent = (-width.log2()).floor().clamp(0.0, 1000.0);
    2f64.powi(exponent as i32)
}

fn transform(x: f64, log: bool) -> f64 {
    if log {
        x.ln()
    } else {
        x
    }
}

fn untransform(t: f64, log: bool) -> f64 {
    if log {
        t.exp()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepped_domains_widen_by_half_a_step() {
        let m = ParamModel::new(&Domain::float(0.0, 1.0).step(0.25));
        assert_eq!((m.lo, m.hi), (-0.125, 1.125));
        let m = ParamModel::new(&Domain::int(1, 10).log());
        assert_eq!((m.lo, m.hi), (0.5f64.ln(), 10.5f64.ln()));
        // A step that does not divide the range: the top grid value, not `high`, bounds it.
        let m = ParamModel::new(&Domain::float(0.0, 1.0).step(0.3));
        assert!((m.hi - (0.9 + 0.15)).abs() < 1e-12);
    }

    #[test]
    fn snap_lands_on_the_grid_inside_the_bounds() {
        let d = Domain::Int {
            low: 2,
            high: 20,
            log: false,
            step: Some(3),
        };
        let m = ParamModel::new(&d);
        assert_eq!(m.snap(6.4), 5.0);
        assert_eq!(m.snap(100.0), 20.0);
        assert_eq!(m.value(&d, m.snap(-7.0)), Value::Int(2));
        let d = Domain::float(1e-3, 1.0).log();
        let m = ParamModel::new(&d);
        assert_eq!(m.snap(5.0), 1.0);
    }

    #[test]
    fn values_outside_the_domain_read_as_absent() {
        let d = Domain::float(0.0, 1.0);
        let m = ParamModel::new(&d);
        assert!(m.internal(&d, &Value::Float(1.5)).is_nan());
        assert!(m.internal(&d, &Value::Str("x".into())).is_nan());
        let d = Domain::categorical(["a", "b"]);
        let m = ParamModel::new(&d);
        assert_eq!(m.internal(&d, &Value::from("b")), 1.0);
        assert!(m.internal(&d, &Value::from("c")).is_nan());
    }
}
