//! Maximising the acquisition over the mixed space, after Optuna's `optim_mixed`: score
//! many sampled points, pick starting points among them (the best one, the rest drawn
//! with probability proportional to their expected improvement, so that the starts spread
//! over several basins rather than crowd one), and refine each by rounds of
//!
//! - bounded L-BFGS over the continuous coordinates (the others held), in coordinates
//!   divided by their lengthscales (the acquisition depends on `x / lengthscale`, so this
//!   equalises its curvature across dims, as Optuna's preconditioning does),
//! - a line search over the grid of each int or stepped-float coordinate (every grid
//!   point when there are at most 64, else 64 spread over the range plus the two
//!   neighbours on each side of the current point), so these stay exactly on their grid,
//! - every choice of each categorical coordinate,
//!
//! until a round improves by less than 1e-9. Parents of conditional params keep their
//! sampled values during refinement (changing one would change which params exist), so
//! the sampled points are what explores the tree's branches; inactive coordinates (NaN)
//! stay inactive.

use rand::{Rng, RngCore};

use super::acquisition::log_ei;
use super::encoding::Dim;
use super::lbfgs::{minimize, Stop, FTOL};
use super::posterior::Posterior;

/// Added to the posterior variance, as Optuna does, so that `log EI` stays finite at
/// observed points.
const STABILIZING_NOISE: f64 = 1e-12;

/// Grids up to this size are searched point by point.
const FULL_LINE_SEARCH: u128 = 64;

/// The continuous search stops when the largest projected-gradient component (in
/// lengthscale units) is below this: Optuna's `pgtol = sqrt(tol)` with `tol = 1e-4`.
const CONTINUOUS_STOP: Stop = Stop {
    max_iters: 200,
    gtol: 1e-2,
    ftol: FTOL,
};

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

    /// The acquisition at each of `points` (batched: much cheaper than one by one).
    pub(crate) fn values(&self, points: &[Vec<f64>]) -> Vec<f64> {
        self.posterior
            .predict_many(points)
            .into_iter()
            .map(|(mean, var)| log_ei(mean, var + STABILIZING_NOISE, self.best).0)
            .collect()
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
    /// How many local searches in all: the best sampled point, the warm starts, and the
    /// rest drawn from the sampled points.
    pub(crate) n_local: usize,
}

impl Search<'_> {
    /// The best point found from `sampled` and `warm_starts`: the best sampled point, the
    /// warm starts and `n_local - 1 - warm_starts.len()` sampled points drawn without
    /// replacement with probability proportional to `exp(acquisition)` are refined (the
    /// best sampled point also competes as it is). `None` only when both are empty.
    pub(crate) fn maximize(
        &self,
        acq: &Acquisition<'_>,
        sampled: Vec<Vec<f64>>,
        warm_starts: Vec<Vec<f64>>,
        rng: &mut dyn RngCore,
    ) -> Option<Vec<f64>> {
        let values: Vec<f64> = acq
            .values(&sampled)
            .into_iter()
            .map(finite_or_low)
            .collect();
        let mut starts = Vec::new();
        let mut best: Option<(f64, Vec<f64>)> = None;
        if let Some(top) = (0..values.len()).max_by(|&a, &b| values[a].total_cmp(&values[b])) {
            best = Some((values[top], sampled[top].clone()));
            if self.n_local > 0 {
                starts.push(top);
            }
            let extra = self.n_local.saturating_sub(1 + warm_starts.len());
            starts.extend(roulette(&values, top, extra, rng));
        }
        let starts = starts
            .into_iter()
            .map(|i| sampled[i].clone())
            .chain(warm_starts);
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

    /// Bounded L-BFGS over the coordinates `which` of `x`, maximising the acquisition, in
    /// the variables `z_j = x_j / lengthscale_j` (box `[0, 1 / lengthscale_j]`).
    fn continuous_step(
        &self,
        acq: &Acquisition<'_>,
        x: &[f64],
        which: &[usize],
    ) -> (f64, Vec<f64>) {
        let scales: Vec<f64> = which
            .iter()
            .map(|&j| acq.posterior.lengthscale(j))
            .collect();
        let mut full = x.to_vec();
        let mut grad = vec![0.0; x.len()];
        let start: Vec<f64> = which.iter().zip(&scales).map(|(&j, s)| x[j] / s).collect();
        let upper: Vec<f64> = scales.iter().map(|s| 1.0 / s).collect();
        let (z, neg) = minimize(
            |z, g| {
                for ((&j, &v), s) in which.iter().zip(z).zip(&scales) {
                    full[j] = (v * s).clamp(0.0, 1.0);
                }
                let value = acq.value_and_gradient(&full, &mut grad);
                for ((gi, &j), s) in g.iter_mut().zip(which).zip(&scales) {
                    *gi = -grad[j] * s;
                }
                -value
            },
            &start,
            &vec![0.0; which.len()],
            &upper,
            CONTINUOUS_STOP,
        );
        let mut out = x.to_vec();
        for ((&j, &v), s) in which.iter().zip(&z).zip(&scales) {
            out[j] = (v * s).clamp(0.0, 1.0);
        }
        // `out` is the very point (clamped alike) at which `neg` was computed.
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

/// `count` distinct indices other than `skip`, drawn one after another with probability
/// proportional to `exp(values[i] - max)` among those not drawn yet (Optuna's "modified
/// roulette wheel"); fewer when fewer have a positive weight.
fn roulette(values: &[f64], skip: usize, count: usize, rng: &mut dyn RngCore) -> Vec<usize> {
    let top = values[skip];
    let mut weights: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let w = (v - top).exp();
            if i == skip || !w.is_finite() {
                0.0
            } else {
                w
            }
        })
        .collect();
    let mut chosen = Vec::new();
    while chosen.len() < count {
        let total: f64 = weights.iter().sum();
        if total.is_nan() || total <= 0.0 {
            break;
        }
        let mut target = rng.random::<f64>() * total;
        // The last positive weight, should rounding leave `target` past the end.
        let mut pick = weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
        for (i, &w) in weights.iter().enumerate() {
            if w > 0.0 && target < w {
                pick = i;
                break;
            }
            target -= w;
        }
        weights[pick] = 0.0;
        chosen.push(pick);
    }
    chosen
}

fn finite_or_low(v: f64) -> f64 {
    if v.is_nan() {
        f64::NEG_INFINITY
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::roulette;

    #[test]
    fn roulette_draws_distinct_indices_in_proportion_to_exp_value() {
        // Weights relative to the best (index 2): 1/4, 1/2, -, 0.
        let values = [0.0, 2f64.ln(), 4f64.ln(), f64::NEG_INFINITY];
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut first_is_one = 0;
        let draws = 3000;
        for _ in 0..draws {
            let picked = roulette(&values, 2, 5, &mut rng);
            // Only the two positive weights can be drawn, once each.
            assert_eq!(picked.len(), 2, "{picked:?}");
            assert!(picked.contains(&0) && picked.contains(&1), "{picked:?}");
            first_is_one += usize::from(picked[0] == 1);
        }
        // P(first = 1) = (1/2) / (1/4 + 1/2) = 2/3; a uniform draw would give 1/2.
        let share = first_is_one as f64 / draws as f64;
        assert!((0.63..0.70).contains(&share), "{share}");
        assert!(roulette(&values, 2, 0, &mut rng).is_empty());
        assert_eq!(roulette(&[1.0], 0, 3, &mut rng), Vec::<usize>::new());
    }
}
