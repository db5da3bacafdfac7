//! The fitted mixture behind `l(x)` and `g(x)`: a weighted sum of product kernels over the
//! parameters of one group, with what TPE asks of it: draws and log densities. Fitting
//! (where the kernels sit, how wide and heavy they are) is `parzen_estimator`'s job.
//!
//! Numeric parameters have truncated normal kernels in kernel space (densities for
//! continuous domains, grid-cell masses for discrete ones); categoricals have a
//! probability table per kernel. Storage is flat (one buffer per quantity for all
//! parameters), so refitting a mixture kept across asks allocates nothing once it has
//! seen the largest history.

use rand::{Rng, RngCore};

use super::param_model::{ParamKind, ParamModel};
use super::truncated_normal::{log_gauss_mass, truncated_ppf, LN_SQRT_2PI};

/// A mixture over `kernels` components: observations in the given order, then the prior.
#[derive(Debug, Clone, Default)]
pub(crate) struct Mixture {
    models: Vec<ParamModel>,
    kernels: usize,
    /// Normalized mixture weights (kept linear: the mixture sum multiplies by them, so
    /// no logarithm per kernel is needed).
    mixture_weights: Vec<f64>,
    cumulative_weights: Vec<f64>,
    /// Per parameter, where its data start: numeric ones index `mus`/`sigmas`/`log_norm`
    /// (`kernels` entries each), categoricals index `table` (`kernels * choices` entries).
    offsets: Vec<usize>,
    mus: Vec<f64>,
    sigmas: Vec<f64>,
    inv_sigmas: Vec<f64>,
    /// Per numeric kernel: `-ln(mass of the support)`, plus `-ln(sigma sqrt(2 pi))` for
    /// continuous ones, so a log density is `log_norm - z^2 / 2`.
    log_norm: Vec<f64>,
    /// Categorical probabilities, row per kernel, and their logs.
    table: Vec<f64>,
    log_table: Vec<f64>,
    /// Per parameter, the largest log term any kernel can give (0 for masses and
    /// probabilities; the peak density for continuous kernels).
    max_term: Vec<f64>,
    /// `ln` of the largest mixture weight.
    ln_max_weight: f64,
}

impl Mixture {
    /// Starts over with one kernel per normalized weight (observations, then the prior)
    /// over parameters with these models; then each parameter's kernels are pushed in
    /// order, with [`push_numeric`](Self::push_numeric) or a categorical push.
    pub(super) fn reset(&mut self, models: &[ParamModel], weights: impl Iterator<Item = f64>) {
        self.models.clear();
        self.models.extend_from_slice(models);
        self.mixture_weights.clear();
        self.cumulative_weights.clear();
        let mut acc = 0.0;
        for w in weights {
            self.mixture_weights.push(w);
            acc += w;
            self.cumulative_weights.push(acc);
        }
        self.kernels = self.mixture_weights.len();
        self.ln_max_weight = self
            .mixture_weights
            .iter()
            .fold(0.0f64, |a, &b| a.max(b))
            .ln();
        self.max_term.clear();
        self.offsets.clear();
        self.mus.clear();
        self.sigmas.clear();
        self.inv_sigmas.clear();
        self.log_norm.clear();
        self.table.clear();
        self.log_table.clear();
    }

    /// The next parameter's numeric kernels, in kernel space: centres, widths, and each
    /// kernel's `-ln` mass on the support (which truncates it).
    pub(super) fn push_numeric(&mut self, mus: &[f64], sigmas: &[f64], neg_log_masses: &[f64]) {
        let model = self.models[self.offsets.len()];
        debug_assert!(!matches!(model.kind, ParamKind::Categorical { .. }));
        debug_assert_eq!(mus.len(), self.kernels);
        debug_assert_eq!(sigmas.len(), self.kernels);
        debug_assert_eq!(neg_log_masses.len(), self.kernels);
        let start = self.mus.len();
        let end = start + self.kernels;
        self.offsets.push(start);
        self.mus.extend_from_slice(mus);
        self.sigmas.extend_from_slice(sigmas);
        self.inv_sigmas
            .extend(sigmas.iter().map(|&sigma| 1.0 / sigma));
        self.log_norm.extend_from_slice(neg_log_masses);
        let peak = if matches!(model.kind, ParamKind::Continuous { .. }) {
            // Densities also carry -ln(sigma sqrt(2 pi)). Most kernels share the clipped
            // minimum sigma, so take one logarithm per run of equal sigmas (written as
            // runs so the compiler cannot turn it back into one `ln` per kernel).
            let mut k = start;
            while k < end {
                let sigma = self.sigmas[k];
                let shift = sigma.ln() + LN_SQRT_2PI;
                loop {
                    self.log_norm[k] -= shift;
                    k += 1;
                    if k == end || self.sigmas[k] != sigma {
                        break;
                    }
                }
            }
            // A density can exceed 1: its peak is the kernel's log_norm.
            self.log_norm[start..]
                .iter()
                .fold(f64::NEG_INFINITY, |a, &b| a.max(b))
        } else {
            0.0
        };
        self.max_term.push(peak);
    }

    /// The next parameter's categorical kernels: a row of probabilities per kernel.
    pub(super) fn push_categorical(&mut self, probabilities: &[f64]) {
        debug_assert_eq!(probabilities.len(), self.kernels * self.next_choices());
        self.offsets.push(self.table.len());
        self.table.extend_from_slice(probabilities);
        self.log_table.extend(probabilities.iter().map(|p| p.ln()));
        self.max_term.push(0.0);
    }

    /// The next parameter's categorical kernel when the prior is the only one: uniform.
    pub(super) fn push_uniform_categorical(&mut self) {
        debug_assert_eq!(self.kernels, 1);
        let choices = self.next_choices();
        self.offsets.push(self.table.len());
        self.table
            .extend(std::iter::repeat_n(1.0 / choices as f64, choices));
        self.log_table
            .extend(std::iter::repeat_n(-(choices as f64).ln(), choices));
        self.max_term.push(0.0);
    }

    /// The number of choices of the next parameter to push, a categorical.
    fn next_choices(&self) -> usize {
        match self.models[self.offsets.len()].kind {
            ParamKind::Categorical { choices } => choices,
            _ => unreachable!("only categorical parameters get probability tables"),
        }
    }

    /// Draws `count` points; returns them row-major (`count x params`, internal values).
    pub(super) fn sample(&self, rng: &mut dyn RngCore, count: usize, out: &mut Vec<f64>) {
        let d = self.models.len();
        out.clear();
        out.resize(count * d, 0.0);
        for c in 0..count {
            let u: f64 = rng.random();
            let k = self
                .cumulative_weights
                .partition_point(|&cw| cw <= u)
                .min(self.kernels - 1);
            for (j, model) in self.models.iter().enumerate() {
                let o = self.offsets[j];
                let q: f64 = rng.random();
                out[c * d + j] = match model.kind {
                    ParamKind::Categorical { choices } => {
                        let row = &self.table[o + k * choices..o + (k + 1) * choices];
                        let mut acc = 0.0;
                        let mut pick = choices - 1;
                        for (i, p) in row.iter().enumerate() {
                            acc += p;
                            if q < acc {
                                pick = i;
                                break;
                            }
                        }
                        pick as f64
                    }
                    _ => {
                        let (mu, sigma) = (self.mus[o + k], self.sigmas[o + k]);
                        let z = truncated_ppf(q, (model.lo - mu) / sigma, (model.hi - mu) / sigma);
                        model.snap(mu + sigma * z)
                    }
                };
            }
        }
    }

    /// Log density (log mass for discrete parameters) of each row-major point of `points`
    /// under the mixture, written to `out`. `scratch` is reused across calls.
    ///
    /// Kernels far from a point are dropped as soon as they provably cannot matter: the
    /// prior kernel's exact term bounds the mixture from below, and a kernel whose partial
    /// sum plus the largest value the remaining parameters could add stays more than
    /// `PRUNE_MARGIN` below that bound contributes under `e^-50` of it. In several
    /// dimensions most kernels of `g(x)` fall out after the first parameter, so the cost
    /// is about one term per kernel instead of one per kernel and parameter.
    pub(super) fn log_pdf(&self, points: &[f64], out: &mut Vec<f64>, scratch: &mut LogPdfScratch) {
        let d = self.models.len();
        let count = points.len().checked_div(d).unwrap_or(0);
        let kk = self.kernels;
        out.clear();
        // Cheap, sharply peaked terms first (continuous), costly ones (discrete) last,
        // when the fewest kernels are left.
        let rank = |m: &ParamModel| match m.kind {
            ParamKind::Continuous { .. } => 0,
            ParamKind::Categorical { .. } => 1,
            ParamKind::Discrete { .. } => 2,
        };
        scratch.order.clear();
        scratch.order.extend(0..d);
        scratch.order.sort_by_key(|&j| rank(&self.models[j]));
        // rest[i]: the most the parameters after order[i] can add to any kernel.
        scratch.rest.clear();
        scratch.rest.resize(d, 0.0);
        let mut tail = 0.0;
        for i in (0..d).rev() {
            scratch.rest[i] = tail;
            tail += self.max_term[scratch.order[i]];
        }
        let prior = kk - 1;
        let prior_weight = self.mixture_weights[prior];
        for c in 0..count {
            let x = &points[c * d..(c + 1) * d];
            let floor = if prior_weight > 0.0 {
                let prior_log: f64 = (0..d).map(|j| self.term(j, x[j], prior)).sum();
                prior_weight.ln() + prior_log - PRUNE_MARGIN
            } else {
                f64::NEG_INFINITY
            };
            scratch.acc.clear();
            scratch.acc.resize(kk, 0.0);
            scratch.active.clear();
            scratch.active.extend(0..kk as u32);
            for (i, &j) in scratch.order.iter().enumerate() {
                self.add_terms(j, x[j], &scratch.active, &mut scratch.acc);
                if floor > f64::NEG_INFINITY {
                    let bound = floor - self.ln_max_weight - scratch.rest[i];
                    let acc = &scratch.acc;
                    scratch.active.retain(|&k| acc[k as usize] >= bound);
                }
            }
            out.push(weighted_log_sum_exp(
                scratch.active.iter().map(|&k| k as usize),
                &scratch.acc,
                &self.mixture_weights,
            ));
        }
    }

    /// Adds parameter `j`'s log term at `x` to `acc[k]` for every kernel in `active`.
    fn add_terms(&self, j: usize, x: f64, active: &[u32], acc: &mut [f64]) {
        let model = &self.models[j];
        let o = self.offsets[j];
        let kk = self.kernels;
        match model.kind {
            ParamKind::Continuous { .. } => {
                let t = model.kernel_position(x);
                let mus = &self.mus[o..o + kk];
                let inv_sigmas = &self.inv_sigmas[o..o + kk];
                let norms = &self.log_norm[o..o + kk];
                if active.len() == kk {
                    // Every kernel: a straight, vectorizable loop.
                    for (((a, mu), inv), norm) in acc.iter_mut().zip(mus).zip(inv_sigmas).zip(norms)
                    {
                        let z = (t - mu) * inv;
                        *a += norm - 0.5 * z * z;
                    }
                } else {
                    for &k in active {
                        let k = k as usize;
                        let z = (t - mus[k]) * inv_sigmas[k];
                        acc[k] += norms[k] - 0.5 * z * z;
                    }
                }
            }
            ParamKind::Categorical { choices } => {
                let table = &self.log_table[o..o + kk * choices];
                let x = x as usize;
                for &k in active {
                    acc[k as usize] += table[k as usize * choices + x];
                }
            }
            ParamKind::Discrete { .. } => {
                for &k in active {
                    acc[k as usize] += self.term(j, x, k as usize);
                }
            }
        }
    }

    /// Parameter `j`'s log term at `x` under kernel `k`.
    fn term(&self, j: usize, x: f64, k: usize) -> f64 {
        let model = &self.models[j];
        let i = self.offsets[j] + k;
        match model.kind {
            ParamKind::Continuous { .. } => {
                let z = (model.kernel_position(x) - self.mus[i]) * self.inv_sigmas[i];
                self.log_norm[i] - 0.5 * z * z
            }
            ParamKind::Categorical { choices } => {
                self.log_table[self.offsets[j] + k * choices + x as usize]
            }
            ParamKind::Discrete { .. } => {
                let (left, right) = model.cell(x).expect("discrete models have cells");
                let (mu, inv) = (self.mus[i], self.inv_sigmas[i]);
                let mass = log_gauss_mass((left - mu) * inv, (right - mu) * inv);
                if mass > f64::NEG_INFINITY {
                    return mass + self.log_norm[i];
                }
                // The cell is too narrow for its ends to differ in kernel space (a log int
                // beyond ~1e12): its mass is the density at its centre times its width.
                let z = (model.kernel_position(x) - mu) * inv;
                (model.cell_width(x) * inv).ln() - LN_SQRT_2PI - 0.5 * z * z + self.log_norm[i]
            }
        }
    }
}

/// The kernels' parameters, for tests and the dense reference.
#[cfg(test)]
impl Mixture {
    /// The models of the mixture's parameters.
    pub(super) fn models(&self) -> &[ParamModel] {
        &self.models
    }

    /// Number of mixture components (observations + prior).
    pub(super) fn kernels(&self) -> usize {
        self.kernels
    }

    /// Normalized mixture weights.
    pub(super) fn weights(&self) -> Vec<f64> {
        self.mixture_weights.clone()
    }

    /// Kernel centres and bandwidths of numeric parameter `j` (kernel space).
    pub(super) fn numeric_kernels(&self, j: usize) -> (&[f64], &[f64]) {
        let o = self.offsets[j];
        (
            &self.mus[o..o + self.kernels],
            &self.sigmas[o..o + self.kernels],
        )
    }

    /// Probability table of categorical parameter `j`, one row per kernel.
    pub(super) fn categorical_table(&self, j: usize) -> &[f64] {
        let ParamKind::Categorical { choices } = self.models[j].kind else {
            panic!("param {j} is not categorical");
        };
        let o = self.offsets[j];
        &self.table[o..o + self.kernels * choices]
    }
}

/// Buffers reused by [`Mixture::log_pdf`].
#[derive(Debug, Default)]
pub(crate) struct LogPdfScratch {
    acc: Vec<f64>,
    active: Vec<u32>,
    order: Vec<usize>,
    rest: Vec<f64>,
}

/// How far (in nats) below the prior kernel's exact term a kernel may provably end up
/// before it is dropped: `e^-50` per kernel is far below double precision.
const PRUNE_MARGIN: f64 = 50.0;

/// `ln(sum_k w_k exp(v_k))` over the kernels `ks`, skipping terms too small to change
/// the sum.
fn weighted_log_sum_exp(ks: impl Iterator<Item = usize> + Clone, v: &[f64], w: &[f64]) -> f64 {
    // Shift by the largest term among kernels that carry weight (a zero-weight prior
    // must not set the scale, or every weighted term could underflow).
    let max = ks
        .clone()
        .filter(|&k| w[k] > 0.0)
        .fold(f64::NEG_INFINITY, |m, k| m.max(v[k]));
    if max == f64::NEG_INFINITY || max.is_nan() {
        return max;
    }
    let mut sum = 0.0;
    for k in ks {
        let d = v[k] - max;
        // exp(-40) < 1e-17, and weights differ by at most the number of kernels: such a
        // term is below the precision of the sum.
        if d > -40.0 {
            sum += w[k] * d.exp();
        }
    }
    max + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::super::dense_reference;
    use super::super::parzen_estimator::testing;
    use super::*;
    use crate::space::Domain;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn fit(domains: &[Domain], observations: &[f64], weights: &[f64]) -> Mixture {
        let models: Vec<ParamModel> = domains.iter().map(ParamModel::new).collect();
        testing::fit(&models, observations, weights)
    }

    #[test]
    fn densities_integrate_to_one() {
        let mut scratch = LogPdfScratch::default();
        let mut out = Vec::new();
        // Continuous (linear and log): integrate over kernel space with the midpoint rule.
        for domain in [Domain::float(-2.0, 3.0), Domain::float(1e-3, 10.0).log()] {
            let obs = match domain {
                Domain::Float { log: true, .. } => vec![0.002, 0.01, 9.0, 0.5],
                _ => vec![-1.9, 2.5, 2.6, 0.0],
            };
            let est = fit(std::slice::from_ref(&domain), &obs, &[1.0, 0.3, 1.0, 1.0]);
            let model = ParamModel::new(&domain);
            let n = 200_000;
            let h = (model.hi - model.lo) / n as f64;
            let log = matches!(domain, Domain::Float { log: true, .. });
            let points: Vec<f64> = (0..n)
                .map(|i| model.lo + (i as f64 + 0.5) * h)
                .map(|t| if log { t.exp() } else { t })
                .collect();
            est.log_pdf(&points, &mut out, &mut scratch);
            let total: f64 = out.iter().map(|l| l.exp() * h).sum();
            assert!((total - 1.0).abs() < 1e-6, "{domain:?}: {total}");
        }
        // Discrete: the masses of all grid values sum to one.
        for domain in [
            Domain::int(-3, 7),
            Domain::Int {
                low: 1,
                high: 200,
                log: true,
                step: None,
            },
            Domain::float(0.0, 1.0).step(0.1),
            Domain::categorical(["x", "y", "z", "w"]),
        ] {
            let count = domain.cardinality().unwrap();
            let model = ParamModel::new(&domain);
            let values: Vec<f64> = (0..count)
                .map(|k| model.internal(&domain, &domain.nth(k).unwrap()))
                .collect();
            let obs = vec![
                values[0],
                values[(count / 2) as usize],
                values[(count - 1) as usize],
            ];
            let est = fit(std::slice::from_ref(&domain), &obs, &[1.0, 2.0, 1.0]);
            est.log_pdf(&values, &mut out, &mut scratch);
            let total: f64 = out.iter().map(|l| l.exp()).sum();
            assert!((total - 1.0).abs() < 1e-9, "{domain:?}: {total}");
        }
    }

    #[test]
    fn draws_stay_inside_bounds_and_on_the_grid() {
        let domains = [
            Domain::float(-1.0, 1.0),
            Domain::float(1e-5, 1e-1).log(),
            Domain::float(0.0, 1.0).step(0.3),
            Domain::Int {
                low: 2,
                high: 20,
                log: false,
                step: Some(3),
            },
            Domain::Int {
                low: 1,
                high: 1000,
                log: true,
                step: None,
            },
            Domain::categorical([1, 2, 3]),
        ];
        let models: Vec<ParamModel> = domains.iter().map(ParamModel::new).collect();
        // Observations hugging the edges, so kernels are cut by the bounds.
        let row_lo = [-1.0, 1e-5, 0.0, 2.0, 1.0, 0.0];
        let row_hi = [1.0, 1e-1, 0.9, 20.0, 1000.0, 2.0];
        let mut obs = Vec::new();
        for j in 0..domains.len() {
            obs.extend([row_lo[j], row_hi[j], row_hi[j]]);
        }
        let est = testing::fit(&models, &obs, &[1.0; 3]);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut draws = Vec::new();
        est.sample(&mut rng, 5000, &mut draws);
        for row in draws.chunks(domains.len()) {
            for (j, domain) in domains.iter().enumerate() {
                let value = models[j].value(domain, row[j]);
                assert!(domain.contains(&value), "{value} not in {domain:?}");
            }
        }
    }

    #[test]
    fn pruned_log_density_equals_the_full_sum() {
        let domains = [
            Domain::float(-1.0, 1.0),
            Domain::float(1e-5, 1e-1).log(),
            Domain::float(0.0, 1.0).step(0.1),
            Domain::Int {
                low: 2,
                high: 200,
                log: false,
                step: Some(3),
            },
            Domain::Int {
                low: 1,
                high: 1000,
                log: true,
                step: None,
            },
            Domain::categorical([1, 2, 3, 4, 5]),
        ];
        let models: Vec<ParamModel> = domains.iter().map(ParamModel::new).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // 400 observations from a wide "history" estimator (the prior alone).
        let prior_only = testing::fit(&models, &[], &[]);
        let mut rows = Vec::new();
        prior_only.sample(&mut rng, 400, &mut rows);
        let m = 400;
        let mut columns = vec![0.0; m * domains.len()];
        for (i, row) in rows.chunks(domains.len()).enumerate() {
            for (j, &x) in row.iter().enumerate() {
                columns[j * m + i] = x;
            }
        }
        let mut weights = Vec::new();
        super::super::options::Weights::OPTUNA.fill(m, &mut weights);
        let est = testing::fit(&models, &columns, &weights);
        // Points near the data and far from it.
        let mut points = Vec::new();
        est.sample(&mut rng, 100, &mut points);
        let mut far = Vec::new();
        prior_only.sample(&mut rng, 100, &mut far);
        points.extend(far);
        let mut pruned = Vec::new();
        let mut scratch = LogPdfScratch::default();
        est.log_pdf(&points, &mut pruned, &mut scratch);
        let dense = dense_reference::log_pdf(&est, &points);
        for (a, b) in pruned.iter().zip(&dense) {
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
        }
    }
}
