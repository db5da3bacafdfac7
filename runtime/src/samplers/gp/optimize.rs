//! Maximising the acquisition over the mixed space, after Optuna's `optim_mixed`: score
//! many sampled points, then refine the best few by rounds of
//!
//! - bounded L-BFGS over the continuous coordinates (the others held),
//! - a line search over the grid of each int or stepped-float coordinate (every grid
//!   point when there are at most 64, else 64 spread over the range plus the two
//!   neighbours on each side of the current point), so these stay exactly on their grid,
//! - every choice of each categorical coordinate,
//!
//! until a round improves by less than 1e-9. Parents of conditional params keep their
//! sampled values during refinement (changing one would change which params exist), so
//! the sampled points are what explores the tree's branches; inactive coordinates (NaN)
//! stay inactive.

use super::acquisition::log_ei;
use super::encoding::Dim;
use super::lbfgs::{minimize, Stop};
use super::posterior::Posterior;

/// Added to the posterior variance, as Optuna does, so that `log EI` stays finite at
/// observed points.
const STABILIZING_NOISE: f64 = 1e-12;

/// Grids up to this size are searched point by point.
const FULL_LINE_SEARCH: u128 = 64;

/// `log EI` of a posterior over an incumbent.
pub(crate) struct Acquisition<'a> {
    pub(crate) posterior: &'a Posterior,
    /// The best (standardised, maximised) observed value.
    pub(crate) best: f64,
}

impl Acquisition<'_> {
    /// The acquisition at `p`.
    pub(crate) fn value(&self, p: &[f64]) -> f64 {
        let (mean, var) = self.posterior.predict(p);
        log_ei(mean, var + STABILIZING_NOISE, self.best).0
    }

    /// The acquisition at `p` and its gradient with respect to the numeric coordinates.
    pub(crate) fn value_and_gradient(&self, p: &[f64], grad: &mut [f64]) -> f64 {
        let mut dvar = vec![0.0; p.len()];
        let (mean, var) = self.posterior.predict_with_gradient(p, grad, &mut dvar);
        let (value, d_mean, d_var) = log_ei(mean, var + STABILIZING_NOISE, self.best);
        for (g, dv) in grad.iter_mut().zip(&dvar) {
            *g = d_mean * *g + d_var * dv;
        }
        value
    }
}

/// Where the acquisition search starts and how hard it works.
pub(crate) struct Search<'a> {
    pub(crate) dims: &'a [Dim],
    /// Coordinates never changed by refinement (parents of conditions).
    pub(crate) fixed: &'a [bool],
    /// How many of the best-scoring sampled points are refined.
    pub(crate) n_local: usize,
}

impl Search<'_> {
    /// The best point found from `sampled` (scored, the best `n_local` refined) and
    /// `warm_starts` (always refined). `None` only when both are empty.
    pub(crate) fn maximize(
        &self,
        acq: &Acquisition<'_>,
        sampled: Vec<Vec<f64>>,
        warm_starts: Vec<Vec<f64>>,
    ) -> Option<Vec<f64>> {
        let mut scored: Vec<(f64, Vec<f64>)> = sampled
            .into_iter()
            .map(|p| (finite_or_low(acq.value(&p)), p))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        // The best sampled point competes as it is, refined or not.
        let mut best: Option<(f64, Vec<f64>)> = scored.first().cloned();
        scored.truncate(self.n_local);
        let starts = scored.into_iter().map(|(_, p)| p).chain(warm_starts);
        for start in starts {
            let (value, point) = self.refine(acq, start);
            if best.as_ref().is_none_or(|(b, _)| value > *b) {
                best = Some((value, point));
            }
        }
        best.map(|(_, p)| p)
    }

    /// Rounds of continuous, grid and categorical moves from `x` until they stall.
    fn refine(&self, acq: &Acquisition<'_>, mut x: Vec<f64>) -> (f64, Vec<f64>) {
        let mut value = finite_or_low(acq.value(&x));
        let continuous: Vec<usize> = (0..x.len())
            .filter(|&j| !self.dims[j].is_discrete() && !x[j].is_nan() && !self.fixed[j])
            .collect();
        let discrete: Vec<usize> = (0..x.len())
            .filter(|&j| self.dims[j].is_discrete() && !x[j].is_nan() && !self.fixed[j])
            .collect();
        for _round in 0..10 {
            let before = value;
            if !continuous.is_empty() {
                let (v, p) = self.continuous_step(acq, &x, &continuous);
                if v > value {
                    value = v;
                    x = p;
                }
            }
            for &j in &discrete {
                for u in self.line_candidates(j, x[j]) {
                    let old = x[j];
                    x[j] = u;
                    let v = finite_or_low(acq.value(&x));
                    if v > value {
                        value = v;
                    } else {
                        x[j] = old;
                    }
                }
            }
            if value - before <= 1e-9 * before.abs().max(1.0) {
                break;
            }
        }
        (value, x)
    }

    /// Bounded L-BFGS over the coordinates `which` of `x`, maximising the acquisition.
    fn continuous_step(
        &self,
        acq: &Acquisition<'_>,
        x: &[f64],
        which: &[usize],
    ) -> (f64, Vec<f64>) {
        let mut full = x.to_vec();
        let mut grad = vec![0.0; x.len()];
        let start: Vec<f64> = which.iter().map(|&j| x[j]).collect();
        let k = which.len();
        let stop = Stop {
            max_iters: 50,
            gtol: 1e-6,
        };
        let (z, neg) = minimize(
            |z, g| {
                for (&j, &v) in which.iter().zip(z) {
                    full[j] = v;
                }
                let value = acq.value_and_gradient(&full, &mut grad);
                for (gi, &j) in g.iter_mut().zip(which) {
                    *gi = -grad[j];
                }
                -value
            },
            &start,
            &vec![0.0; k],
            &vec![1.0; k],
            stop,
        );
        let mut out = x.to_vec();
        for (&j, &v) in which.iter().zip(&z) {
            out[j] = v;
        }
        (finite_or_low(-neg), out)
    }

    /// The encoded grid points (or choices) tried for coordinate `j`, now at `u`.
    fn line_candidates(&self, j: usize, u: f64) -> Vec<f64> {
        let dim = &self.dims[j];
        let n = dim.count().unwrap_or(1);
        if n <= FULL_LINE_SEARCH {
            return (0..n).map(|k| dim.u_of_index(k)).collect();
        }
        let k = dim.index_of_u(u);
        let mut indices: Vec<u128> =
            (k.saturating_sub(2)..=k.saturating_add(2).min(n - 1)).collect();
        for i in 0..FULL_LINE_SEARCH {
            indices.push(if dim.is_categorical() {
                i * n / FULL_LINE_SEARCH
            } else {
                // Spread over the encoding, so log grids are spread on a log scale.
                dim.index_of_u((i as f64 + 0.5) / FULL_LINE_SEARCH as f64)
            });
        }
        indices.sort_unstable();
        indices.dedup();
        indices.into_iter().map(|k| dim.u_of_index(k)).collect()
    }
}

fn finite_or_low(v: f64) -> f64 {
    if v.is_nan() {
        f64::NEG_INFINITY
    } else {
        v
    }
}
