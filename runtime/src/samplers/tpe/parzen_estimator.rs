//! Fitting a Parzen estimator: from one group's weighted observations to a [`Mixture`]
//! with one kernel per observation plus a prior kernel that spans the whole domain.
//!
//! Fitting decides where each kernel sits (the observation, in kernel space), how wide
//! it is (Optuna's neighbour bandwidths, see `bandwidth`), how much it weighs, and how a
//! categorical observation is smoothed towards uniform by the prior weight. Evaluating
//! the result is the mixture's job.

use super::bandwidth::{neighbour_sigmas, spread_floored_sigmas};
use super::mixture::Mixture;
use super::param_model::{ParamKind, ParamModel};
use super::truncated_normal::log_gauss_mass;

/// The estimator's knobs (a subset of the sampler's options).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParzenOptions {
    pub prior_weight: f64,
    pub magic_clip: bool,
    pub consider_endpoints: bool,
    /// Multiplies every observation's bandwidth (after the neighbour rule and clip).
    pub bandwidth_factor: f64,
    /// Lets the clip's floor follow the observations' spread (see
    /// `bandwidth::spread_floored_sigmas`); used for the good set only.
    pub spread_floor: bool,
    /// The study's finished trials (the spread floor's lowest value is `R / (finished + 2)`).
    pub finished: usize,
}

/// What an estimator is fitted to: `m` observations of a group's parameters.
pub(crate) struct Observations<'a> {
    /// The group's parameters.
    pub models: &'a [ParamModel],
    /// Internal values, column-major: parameter `j`'s are `columns[j * m..(j + 1) * m]`.
    pub columns: &'a [f64],
    /// The observations' unnormalized weights (`m` of them).
    pub weights: &'a [f64],
}

/// Remembered support masses of observation kernels, one slot per (trial, parameter),
/// kept across asks. A kernel's centre is fixed by its trial, so its mass is reused
/// whenever its bandwidth comes out the same as last time (most kernels, once the
/// history is larger than the clip's 100 buckets).
pub(crate) struct MassCache<'a> {
    /// `(sigma, -ln mass)` per slot; a NaN sigma never matches.
    pub slots: &'a mut [(f64, f64)],
    /// Slots per trial.
    pub width: usize,
    /// The trial of each observation.
    pub trials: &'a [usize],
    /// The space position of each of the estimator's parameters.
    pub params: &'a [usize],
}

impl MassCache<'_> {
    /// The slot of observation `k` for the estimator's parameter `j`.
    fn slot(&mut self, k: usize, j: usize) -> &mut (f64, f64) {
        &mut self.slots[self.trials[k] * self.width + self.params[j]]
    }
}

/// Fits mixtures. Holds one parameter's worth of kernel buffers, reused from fit to fit,
/// so an estimator kept across asks allocates nothing once it has seen the largest
/// history.
#[derive(Debug, Default)]
pub(crate) struct ParzenEstimator {
    mus: Vec<f64>,
    sigmas: Vec<f64>,
    neg_log_masses: Vec<f64>,
    table: Vec<f64>,
}

impl ParzenEstimator {
    /// Refits `mixture` to `observations`, reusing and updating `cache` when given.
    pub(super) fn fit(
        &mut self,
        observations: &Observations<'_>,
        options: &ParzenOptions,
        mut cache: Option<MassCache<'_>>,
        mixture: &mut Mixture,
    ) {
        let Observations {
            models,
            columns,
            weights,
        } = *observations;
        let m = weights.len();
        debug_assert_eq!(columns.len(), m * models.len());

        // Mixture weights: observations then the prior; only the prior when there is
        // nothing to learn from.
        let prior = if m == 0 { 1.0 } else { options.prior_weight };
        let total: f64 = weights.iter().sum::<f64>() + prior;
        let kernel_weights = weights.iter().chain(std::iter::once(&prior));
        mixture.reset(models, kernel_weights.map(|w| w / total));

        for (j, model) in models.iter().enumerate() {
            let column = &columns[j * m..(j + 1) * m];
            match model.kind {
                ParamKind::Categorical { choices } => {
                    self.push_categorical(column, choices, options.prior_weight, mixture);
                }
                _ => {
                    let cache = cache.as_mut().map(|c| (c, j));
                    self.push_numeric(*model, column, options, cache, mixture);
                }
            }
        }
    }

    /// Every kernel's row gets `prior_weight / kernels` on each choice, then +1 on the
    /// observed one; rows are normalized. The last row, the prior's, is uniform.
    fn push_categorical(
        &mut self,
        column: &[f64],
        choices: usize,
        prior_weight: f64,
        mixture: &mut Mixture,
    ) {
        if column.is_empty() {
            mixture.push_uniform_categorical();
            return;
        }
        let kernels = column.len() + 1;
        let base = prior_weight / kernels as f64;
        self.table.clear();
        self.table.resize(kernels * choices, base);
        for (k, &x) in column.iter().enumerate() {
            self.table[k * choices + x as usize] += 1.0;
        }
        for row in self.table.chunks_mut(choices) {
            let sum: f64 = row.iter().sum();
            if sum > 0.0 {
                row.iter_mut().for_each(|p| *p /= sum);
            }
        }
        mixture.push_categorical(&self.table);
    }

    /// Kernels at the observations with neighbour bandwidths, then the prior: centred,
    /// as wide as the support.
    fn push_numeric(
        &mut self,
        model: ParamModel,
        column: &[f64],
        options: &ParzenOptions,
        mut cache: Option<(&mut MassCache<'_>, usize)>,
        mixture: &mut Mixture,
    ) {
        let (lo, hi) = (model.lo, model.hi);
        self.mus.clear();
        // Branch once, not per value: LLVM may otherwise evaluate `ln` speculatively for
        // every value (ln is pure), paying for the slow negative-argument path.
        if model.is_log() {
            self.mus.extend(column.iter().map(|&x| x.ln()));
        } else {
            // Kernel space is `(x - offset) * scale`; the offset is 0 and the scale 1
            // (both exact) on ordinary ranges.
            let (offset, scale) = (model.offset(), model.scale());
            self.mus
                .extend(column.iter().map(|&x| (x - offset) * scale));
        }
        let spread_floor = options.spread_floor && options.magic_clip;
        if spread_floor {
            // The study's resolution, and never under one grid cell of a discrete param
            // (measured at the good trials' mean, where log cells have their typical width).
            let mut resolution = (hi - lo) / (options.finished as f64 + 2.0);
            if matches!(model.kind, ParamKind::Discrete { .. }) && !self.mus.is_empty() {
                let mean = self.mus.iter().sum::<f64>() / self.mus.len() as f64;
                resolution = resolution.max(model.cell_width(model.snap(mean)));
            }
            spread_floored_sigmas(
                &self.mus,
                lo,
                hi,
                options.bandwidth_factor,
                resolution,
                options.consider_endpoints,
                &mut self.sigmas,
            );
        } else {
            neighbour_sigmas(
                &self.mus,
                lo,
                hi,
                options.magic_clip,
                options.consider_endpoints,
                &mut self.sigmas,
            );
        }
        if options.bandwidth_factor != 1.0 && !spread_floor {
            let factor = options.bandwidth_factor;
            self.sigmas
                .iter_mut()
                .for_each(|s| *s = (*s * factor).min(hi - lo));
        }
        self.mus.push(0.5 * (lo + hi));
        self.sigmas.push(hi - lo);

        let observed = column.len();
        self.neg_log_masses.clear();
        for (k, (&mu, &sigma)) in self.mus.iter().zip(&self.sigmas).enumerate() {
            let slot = match cache.as_mut() {
                Some((c, j)) if k < observed => Some(c.slot(k, *j)),
                _ => None,
            };
            let neg_log_mass = match slot {
                Some(&mut (cached_sigma, value)) if cached_sigma == sigma => value,
                slot => {
                    let value = neg_log_support_mass(lo, hi, mu, sigma);
                    if let Some(slot) = slot {
                        *slot = (sigma, value);
                    }
                    value
                }
            };
            self.neg_log_masses.push(neg_log_mass);
        }
        mixture.push_numeric(&self.mus, &self.sigmas, &self.neg_log_masses);
    }
}

/// `-ln` of the mass a normal `(mu, sigma)` puts on `[lo, hi]`.
fn neg_log_support_mass(lo: f64, hi: f64, mu: f64, sigma: f64) -> f64 {
    let inv = 1.0 / sigma;
    let (a, b) = ((lo - mu) * inv, (hi - mu) * inv);
    // Beyond 9 sigma on both sides the cut-off mass is below 1e-18.
    if a < -9.0 && b > 9.0 {
        0.0
    } else {
        -log_gauss_mass(a, b)
    }
}

/// Test support: Optuna's estimator options, and a fit without a cache.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Optuna 5's defaults.
    pub(crate) const OPTUNA: ParzenOptions = ParzenOptions {
        prior_weight: 1.0,
        magic_clip: true,
        consider_endpoints: false,
        bandwidth_factor: 1.0,
        spread_floor: false,
        finished: 0,
    };

    /// A mixture fitted with Optuna's options; `columns` as in [`Observations`].
    pub(crate) fn fit(models: &[ParamModel], columns: &[f64], weights: &[f64]) -> Mixture {
        let mut mixture = Mixture::default();
        let observations = Observations {
            models,
            columns,
            weights,
        };
        ParzenEstimator::default().fit(&observations, &OPTUNA, None, &mut mixture);
        mixture
    }
}

#[cfg(test)]
mod tests {
    use super::super::mixture::LogPdfScratch;
    use super::testing;
    use super::*;
    use crate::space::Domain;

    fn fit(domains: &[Domain], observations: &[f64], weights: &[f64]) -> Mixture {
        let models: Vec<ParamModel> = domains.iter().map(ParamModel::new).collect();
        testing::fit(&models, observations, weights)
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
    }

    #[test]
    fn continuous_kernels_by_hand() {
        // [0, 10], observations 7, 2, 3: 4 kernels with the prior, min sigma
        // 10 / min(100, 5) = 2. Sorted: 0 | 2 3 7 | 10. 7 (last): left gap 4. 2 (first):
        // right gap 1 -> 2. 3: max(1, 4) = 4. Prior: mu 5, sigma 10. Weights 1/4 each.
        let est = fit(&[Domain::float(0.0, 10.0)], &[7.0, 2.0, 3.0], &[1.0; 3]);
        assert_eq!(est.kernels(), 4);
        let (mus, sigmas) = est.numeric_kernels(0);
        assert!(close(mus, &[7.0, 2.0, 3.0, 5.0]));
        assert!(close(sigmas, &[4.0, 2.0, 4.0, 10.0]));
        assert!(close(&est.weights(), &[0.25; 4]));
    }

    #[test]
    fn weights_include_the_prior_and_normalize() {
        let est = fit(&[Domain::float(0.0, 1.0)], &[0.1, 0.5], &[0.5, 1.0]);
        // (0.5, 1, prior 1) / 2.5
        assert!(close(&est.weights(), &[0.2, 0.4, 0.4]));
        // No observations: the prior alone.
        let est = fit(&[Domain::float(0.0, 1.0)], &[], &[]);
        assert!(close(&est.weights(), &[1.0]));
        assert!(close(est.numeric_kernels(0).1, &[1.0]));
    }

    #[test]
    fn log_domain_kernels_live_on_ln_x() {
        // [1, e^2] on a log scale is [0, 2] in kernel space. One observation at e: mu 1,
        // sigma max(1, 1) = 1 (min sigma 2/3). Prior: mu 1, sigma 2.
        let e = std::f64::consts::E;
        let est = fit(&[Domain::float(1.0, e * e).log()], &[e], &[1.0]);
        let (mus, sigmas) = est.numeric_kernels(0);
        assert!(close(mus, &[1.0, 1.0]));
        assert!(close(sigmas, &[1.0, 2.0]));
    }

    #[test]
    fn int_kernels_span_half_a_step_past_the_ends() {
        // [1, 5] -> support [0.5, 5.5], width 5; observations 2, 4; min sigma 5/4.
        // 0.5 | 2 4 | 5.5: first 2 -> right gap 2, last 4 -> left gap 2. Prior mu 3, sigma 5.
        let est = fit(&[Domain::int(1, 5)], &[2.0, 4.0], &[1.0; 2]);
        let (mus, sigmas) = est.numeric_kernels(0);
        assert!(close(mus, &[2.0, 4.0, 3.0]));
        assert!(close(sigmas, &[2.0, 2.0, 5.0]));
    }

    #[test]
    fn categorical_table_by_hand() {
        // 3 choices, observations 0, 0, 2, prior weight 1 -> 4 kernels, 1/4 smoothing:
        // observed rows (1.25, .25, .25) / 1.75 = (5/7, 1/7, 1/7); prior row uniform.
        let est = fit(
            &[Domain::categorical(["a", "b", "c"])],
            &[0.0, 0.0, 2.0],
            &[1.0; 3],
        );
        let (a, b) = (5.0 / 7.0, 1.0 / 7.0);
        let third = 1.0 / 3.0;
        assert!(close(
            est.categorical_table(0),
            &[a, b, b, a, b, b, b, b, a, third, third, third]
        ));
    }

    #[test]
    fn mixed_log_density_matches_optuna() {
        // Reference: Optuna 5.0.0's _ParzenEstimator (multivariate, default parameters)
        // on the same observations, evaluated at the same points.
        let domains = [
            Domain::float(-5.0, 10.0),
            Domain::float(1e-3, 10.0).log(),
            Domain::int(0, 7),
            Domain::categorical(["a", "b", "c"]),
        ];
        let observations = [
            0.5, 3.0, -4.0, 9.5, // x
            0.01, 2.0, 5.0, 0.5, // y
            3.0, 0.0, 7.0, 3.0, // k
            0.0, 2.0, 2.0, 1.0, // c
        ];
        let est = fit(&domains, &observations, &[1.0; 4]);
        assert!(close(est.numeric_kernels(0).1, &[4.5, 6.5, 4.5, 6.5, 15.0]));
        assert!(close(est.numeric_kernels(2).1, &[3.0, 3.0, 4.0, 4.0, 8.0]));
        let points = [
            0.0, 0.02, 3.0, 0.0, 9.9, 9.0, 7.0, 1.0, -5.0, 0.001, 0.0, 2.0,
        ];
        let mut out = Vec::new();
        est.log_pdf(&points, &mut out, &mut LogPdfScratch::default());
        let optuna = [-7.716299185166556, -8.399429508823848, -9.650898919594056];
        for (mine, theirs) in out.iter().zip(optuna) {
            assert!((mine - theirs).abs() < 1e-10, "{mine} vs Optuna's {theirs}");
        }
    }

    #[test]
    fn spread_floor_never_narrows_a_discrete_kernel_below_its_cell() {
        // Twelve good trials all at 5: their spread is 0, so the floor is the resolution:
        // R / (finished + 2) = 10 / 10 002 for a float, one cell for an int (1; for a log
        // int, ln(5.5 / 4.5) around 5), all under the clip (R / 14).
        let options = ParzenOptions {
            spread_floor: true,
            finished: 10_000,
            ..testing::OPTUNA
        };
        for (domain, floor) in [
            (Domain::float(0.0, 10.0), 10.0 / 10_002.0),
            (Domain::int(0, 100), 1.0),
            (Domain::int(1, 1000).log(), (1.0f64 / 4.5).ln_1p()),
        ] {
            let models = [ParamModel::new(&domain)];
            let mut mixture = Mixture::default();
            let observations = Observations {
                models: &models,
                columns: &[5.0; 12],
                weights: &[1.0; 12],
            };
            ParzenEstimator::default().fit(&observations, &options, None, &mut mixture);
            let sigmas = &mixture.numeric_kernels(0).1[..12];
            for s in sigmas {
                assert!((s - floor).abs() < 1e-12, "{domain:?}: {s} vs {floor}");
            }
        }
    }
}
