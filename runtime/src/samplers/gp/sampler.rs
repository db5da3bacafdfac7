//! The [`Gp`] sampler: history to observations, fit, condition, search the acquisition.

use rand::{Rng, RngCore};

use super::encoding::Encoding;
use super::optimize::{Acquisition, Search};
use super::posterior::Posterior;
use super::warm::AnchorCache;
use crate::error::Result;
use crate::samplers::unseen::Taken;
use crate::samplers::{Qmc, Random, SampleContext, Sampler};
use crate::space::{Params, SearchSpace};
use crate::trial::{Direction, TrialState};

/// Gaussian-process Bayesian optimisation, after Optuna's `GPSampler`.
///
/// The first `n_startup_trials` complete trials come from a scrambled Sobol design
/// ([`Qmc`], trial `k` at point `k` under the study seed), which covers the space more
/// evenly than random points; after them, each trial is proposed by fitting a GP to the complete trials and maximising log expected improvement:
///
/// - **Model.** Inputs are scaled to the unit cube (log domains in log space; ints and
///   stepped floats widened by half a step so every grid point owns an equal share);
///   outputs are standardised. The kernel is Matérn 5/2 with one lengthscale per param
///   (ARD) and, for categoricals, a Hamming term (same choice or not) rather than a
///   one-hot encoding. Kernel scale, lengthscales and noise variance (at least 1e-6) are
///   the MAP estimate under Optuna's priors, refitted at every ask from a warm start
///   that depends on the history alone (the fit from Optuna's defaults on a prefix of
///   the trials), so that a resumed study proposes exactly what an uninterrupted one
///   does; the sampler caches that prefix fit, which changes only the cost.
/// - **Acquisition.** Log EI, computed stably far below the incumbent. It is maximised
///   as Optuna does: `n_candidates` points of a freshly scrambled Sobol design are scored;
///   `n_local_search` local searches start from the best of them, the best trial so far,
///   and the rest drawn from the candidates with probability proportional to their
///   expected improvement. Each refines by bounded L-BFGS over continuous params (in
///   lengthscale units), a line search over each grid (so ints and steps are proposed
///   exactly on their grid), and every choice of each categorical.
/// - **Conditional spaces.** A trial's inactive params are missing coordinates; the
///   kernel counts a param active in only one of two points as maximally distant in that
///   coordinate, and absent in both as equal. Sampled candidates decide which branch a
///   proposal takes; refinement keeps the parents of conditions fixed.
/// - **History.** Failed trials are ignored; pruned trials are ignored too, as Optuna's
///   GP sampler does (their last value is not the objective's). Running trials are
///   handled by a constant liar: their points join the posterior (not the
///   hyperparameter fit) with the best value so far, so parallel workers are pushed
///   away from points already being evaluated. Infinite values are clamped to the
///   finite range seen; NaN values are ignored. Should the covariance matrix not factor
///   even with jitter (1e-10 up to 1e-2 of its diagonal), that one proposal is drawn by
///   [`Random`].
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1e-4..=1e-1, log)]
///     learning_rate: f64,
///     #[tune(0.0..=0.9)]
///     momentum: f64,
/// }
///
/// // A handful of expensive runs: 6 from the Sobol design, then one GP proposal each.
/// let gp = Gp::new().n_startup_trials(6);
/// let study = Study::minimize(space!(Train)).sampler(gp).seed(1).build()?;
/// study.optimize(16, |t: &Train| {
///     (t.learning_rate.log10() + 2.0).powi(2) + (t.momentum - 0.5).powi(2)
/// })?;
/// assert!(study.best().unwrap().value < 0.1);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Gp {
    n_startup_trials: usize,
    n_candidates: usize,
    n_local_search: usize,
    constant_liar: bool,
    deterministic_objective: bool,
    /// The last fit from defaults, to warm-start later fits from (see [`AnchorCache`]).
    pub(super) anchors: AnchorCache,
}

impl Default for Gp {
    fn default() -> Self {
        Gp::new()
    }
}

impl Gp {
    /// Optuna's defaults: 10 startup trials, 2048 sampled candidates, 10 local searches,
    /// noise variance fitted; constant liar on (not in Optuna).
    pub fn new() -> Self {
        Gp {
            n_startup_trials: 10,
            n_candidates: 2048,
            n_local_search: 10,
            constant_liar: true,
            deterministic_objective: false,
            anchors: AnchorCache::default(),
        }
    }

    /// How many complete trials come from the [`Qmc`] (Sobol) design before the GP takes
    /// over (default 10; at least 1 is used, as a GP needs an observation).
    pub fn n_startup_trials(mut self, n: usize) -> Self {
        self.n_startup_trials = n;
        self
    }

    /// How many random points the acquisition is scored at per ask (default 2048; at
    /// least 1).
    pub fn n_candidates(mut self, n: usize) -> Self {
        self.n_candidates = n;
        self
    }

    /// How many local searches refine the acquisition (default 10): from the best
    /// candidate, the best trial so far and candidates drawn with probability
    /// proportional to their expected improvement. With 0 or 1, only the best trial so
    /// far is refined (plus the best candidate with 1), competing with the best candidate.
    pub fn n_local_search(mut self, n: usize) -> Self {
        self.n_local_search = n;
        self
    }

    /// Whether running trials join the posterior with the best value so far (default on).
    pub fn constant_liar(mut self, on: bool) -> Self {
        self.constant_liar = on;
        self
    }

    /// Whether the objective is noise-free: the noise variance is then held at its minimum
    /// (1e-6 of the standardised values) instead of fitted (default off, as Optuna's
    /// `deterministic_objective`).
    pub fn deterministic_objective(mut self, on: bool) -> Self {
        self.deterministic_objective = on;
        self
    }

    /// The GP's proposal, or `None` when the history does not support a model yet.
    fn propose(&self, ctx: &SampleContext<'_>, rng: &mut dyn RngCore) -> Option<Params> {
        let space = ctx.space;
        let encoding = Encoding::new(space);
        let mut x = Vec::new();
        let mut scores = Vec::new();
        for trial in ctx.trials {
            if trial.state != TrialState::Complete {
                continue;
            }
            let Some(value) = trial.value.filter(|v| !v.is_nan()) else {
                continue;
            };
            if let Some(point) = encoding.encode(space, &trial.params) {
                x.push(point);
                scores.push(match ctx.direction {
                    Direction::Minimize => -value,
                    Direction::Maximize => value,
                });
            }
        }
        if x.len() < self.n_startup_trials.max(1) {
            return None;
        }
        let y = standardize(&scores)?;
        let categorical = encoding.categorical_mask();
        let params = self
            .anchors
            .fit(&x, &scores, &y, &categorical, self.deterministic_objective);
        let best = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let incumbent = x[y.iter().position(|&v| v == best).unwrap_or(0)].clone();
        let (mut x_all, mut y_all) = (x, y);
        if self.constant_liar {
            for trial in ctx.trials {
                if trial.state == TrialState::Running && trial.number != ctx.number {
                    if let Some(point) = encoding.encode(space, &trial.params) {
                        x_all.push(point);
                        y_all.push(best);
                    }
                }
            }
        }
        let posterior = Posterior::new(x_all, &y_all, params, categorical)?;
        let acquisition = Acquisition {
            posterior: &posterior,
            best,
        };
        let sampled = candidates(space, &encoding, self.n_candidates.max(1), rng);
        let fixed = condition_parents(space);
        let search = Search {
            dims: &encoding.dims,
            fixed: &fixed,
            n_local: self.n_local_search,
        };
        let point = search.maximize(&acquisition, sampled, vec![incumbent], rng)?;
        Some(encoding.decode(space, &point))
    }
}

/// Scores scaled to mean 0 and standard deviation 1 (0 everywhere when all are equal),
/// infinities clamped to the finite range first; `None` when no score is finite.
pub(crate) fn standardize(scores: &[f64]) -> Option<Vec<f64>> {
    let finite = scores.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold(None, |acc: Option<(f64, f64)>, v| {
        Some(acc.map_or((v, v), |(a, b)| (a.min(v), b.max(v))))
    })?;
    // Divided by the largest magnitude first, so that sums cannot overflow.
    let magnitude = lo.abs().max(hi.abs()).max(f64::MIN_POSITIVE);
    let scaled: Vec<f64> = scores.iter().map(|v| v.clamp(lo, hi) / magnitude).collect();
    let n = scaled.len() as f64;
    let mean = scaled.iter().sum::<f64>() / n;
    let var = scaled.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    let std = var.sqrt();
    Some(if std > 1e-12 {
        scaled.iter().map(|v| (v - mean) / std).collect()
    } else {
        vec![0.0; scaled.len()]
    })
}

/// `n` encoded points of a Sobol design under a fresh random shift (Optuna scores a
/// freshly scrambled Sobol design; a shift modulo 1 randomises it too, at a fraction of
/// the cost of a scramble per point).
pub(super) fn candidates(
    space: &SearchSpace,
    encoding: &Encoding,
    n: usize,
    rng: &mut dyn RngCore,
) -> Vec<Vec<f64>> {
    let d = space.len();
    let shift: Vec<f64> = (0..d).map(|_| rng.random::<f64>()).collect();
    let sobol = Qmc::sobol().scramble(false);
    let conditional = space.params().iter().any(|p| p.condition.is_some());
    (0..n as u64)
        .filter_map(|k| {
            let u = sobol.unit_point(d, 0, k);
            let shifted = u.iter().zip(&shift).map(|(u, s)| (u + s).fract());
            if !conditional {
                return Some(
                    shifted
                        .zip(&encoding.dims)
                        .map(|(u, dim)| dim.of_unit(u))
                        .collect(),
                );
            }
            // Which params exist depends on the values of their parents: decode first.
            let mut params = Params::new();
            for (param, u) in space.params().iter().zip(shifted) {
                if space.is_active(param, &params) {
                    params.insert(param.name.clone(), Qmc::value_at(&param.domain, u));
                }
            }
            encoding.encode(space, &params)
        })
        .collect()
}

/// Which params some condition names as its parent.
fn condition_parents(space: &SearchSpace) -> Vec<bool> {
    let mut parents = vec![false; space.len()];
    for param in space.params() {
        if let Some(j) = param
            .condition
            .as_ref()
            .and_then(|c| space.position(&c.parent))
        {
            parents[j] = true;
        }
    }
    parents
}

impl Sampler for Gp {
    fn name(&self) -> &'static str {
        "gp"
    }

    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut dyn RngCore) -> Result<Option<Params>> {
        if ctx.space.is_empty() {
            return Ok(Some(Params::new()));
        }
        let observed = ctx
            .trials
            .iter()
            .filter(|t| t.state == TrialState::Complete && t.value.is_some_and(|v| !v.is_nan()))
            .count();
        let taken = Taken::of(ctx);
        if taken.as_ref().is_some_and(Taken::exhausted) {
            return Ok(None);
        }
        let proposal = if observed < self.n_startup_trials.max(1) {
            Qmc::sobol().point(ctx.space, ctx.seed, ctx.number)
        } else {
            match self.propose(ctx, rng) {
                Some(params) => params,
                None => Random::sample_space(ctx.space, rng),
            }
        };
        // On a finite space, a config some trial holds gives way to an unseen one.
        Ok(match taken {
            None => Some(proposal),
            Some(taken) => taken.unseen(proposal, rng, |rng| Random::sample_space(ctx.space, rng)),
        })
    }
}
