//! CMA-ES, the covariance matrix adaptation evolution strategy, as Optuna 5's
//! `CmaEsSampler` runs it on top of the `cmaes` library: IPOP restarts and the integer
//! margin of CMA-ES with Margin, every param scaled to the unit cube.
//!
//! One file per job:
//! - `linalg`: eigendecomposition and normal draws;
//! - `optimizer`: one CMA-ES run on plain vectors (ask, tell, stopping criteria);
//! - `margin`: the integer margin for discrete coordinates;
//! - `restart`: IPOP restarts, points told one at a time;
//! - `space_map`: which params are searched and how they map to the unit cube;
//! - `replay`: the state rebuilt from the trial history, cached between asks.

mod linalg;
mod margin;
mod optimizer;
mod replay;
mod restart;
mod space_map;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Mutex, PoisonError};

use rand::RngCore;

use self::replay::{Key, Replay};
use self::restart::SearchOptions;
use self::space_map::SpaceMap;
use super::unseen::Taken;
use super::{sample_domain, working_on, Random, SampleContext, Sampler};
use crate::error::{Error, Result};
use crate::space::{Params, SearchSpace};

/// The CMA-ES sampler: a Gaussian search distribution over the numeric params whose mean,
/// step size and covariance follow the good trials, generation by generation.
///
/// | option | default | Optuna 5 `CmaEsSampler` | meaning |
/// |---|---|---|---|
/// | [`sigma0`](Self::sigma0) | 1/6 | same | initial step size, in the unit cube |
/// | [`population`](Self::population) | `4 + floor(3 ln d)` | same | trials per generation (lambda) |
/// | [`ipop`](Self::ipop) | **true** | `restart_strategy=None` | restart with twice the population when a run stalls |
/// | [`population_growth`](Self::population_growth) | 2 | `inc_popsize=2` | population factor at each restart |
/// | [`with_margin`](Self::with_margin) | **true** | false | integer margin on ints and stepped floats |
///
/// **What is searched.** Every int and float param without a condition (with more than
/// one value), scaled to the unit cube: linearly, or by `ln` for `log` params; the first
/// mean is the centre of the cube and the initial step size 1/6 of it. Proposals are
/// always inside the domain and on the step grid: draws outside the cube are redrawn
/// (clipped after 100 tries), ints and stepped floats are rounded to the grid.
/// Categoricals and conditional params are drawn by [`Random`], as Optuna draws them with
/// its independent sampler (`RandomSampler` by default). A space with no searched param
/// is plain random search.
///
/// **Finite spaces** (every param discrete) follow the samplers' no-repeat rule: a
/// CMA-ES draw that a trial already holds gives way to an unseen config drawn uniformly,
/// and when none is left the study is exhausted. CMA-ES did not draw such a config, so it
/// is evaluated but not told (see *Generations* below).
///
/// **Discrete params** get the integer margin (Hamano et al. 2022): after each update the
/// probability of leaving the current value is kept at least `1 / (d lambda)`, so the
/// distribution never collapses onto one value of an int while the floats converge.
///
/// **No state of its own.** Like every sampler, `CmaEs` is a pure function of the space,
/// the history and the seed: its draws come from a stream keyed by the study seed and the
/// trial number, so replaying the history rebuilds the CMA-ES state and recognises which
/// trials each distribution drew. A cache keeps the state between asks, so an ask reads
/// only the trials that finished since the last one.
/// - *Generations:* a trial belongs to the generation whose distribution it was drawn
///   from, the last one told when it was asked. A generation is told when `lambda` of its
///   trials are complete, taken in the order they finished; with several workers, its
///   trials that finish after that are ignored (as Optuna does), and running trials never
///   hold the search back.
/// - *Failed trials* are not told: their slot is drawn again (as Optuna, which only tells
///   complete trials). *Pruned trials* are ignored too (Optuna's default
///   `consider_pruned_trials=False`): a value at an early step is not comparable.
/// - *Warm start:* the search starts at the first trial CMA-ES drew. Trials before it
///   that it did not draw, such as enqueued trials or those of an earlier run with
///   another sampler, set the first generation's mean to the best complete one among
///   them. Trials enqueued later, during the search, are evaluated but not told.
/// - *Restarts* (IPOP) happen when a run meets the stopping criteria of the `cmaes`
///   library (no change in value, tiny steps, condition number above 1e14, ...): the next
///   run has twice the population, a uniformly drawn mean and `sigma0` again.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(-5.0..=5.0)]
///     x: f64,
///     #[tune(1e-4..=1.0, log)]
///     lr: f64,
///     #[tune(0..=20)]
///     units: i32,
///     #[tune(choice("relu", "tanh"))]
///     act: String, // drawn at random: CMA-ES searches the numeric params
/// }
///
/// let study = Study::minimize(space!(Cfg)).sampler(CmaEs::new()).seed(3).build()?;
/// study.optimize(120, |c: &Cfg| {
///     (c.x - 1.0).powi(2) + (c.lr.log10() + 2.0).powi(2) + f64::from((c.units - 12).pow(2))
/// })?;
/// let best = study.best().unwrap();
/// assert!(best.value < 0.5, "{}", best.value);
/// assert_eq!(best.config.units, 12);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub struct CmaEs {
    options: SearchOptions,
    cache: Mutex<Option<Replay>>,
}

impl CmaEs {
    /// CMA-ES with the defaults of the table above.
    pub fn new() -> Self {
        CmaEs {
            options: SearchOptions {
                sigma0: 1.0 / 6.0,
                population: None,
                ipop: true,
                population_growth: 2,
                margin: true,
            },
            cache: Mutex::new(None),
        }
    }

    /// The initial step size in the unit cube (finite, > 0; default 1/6).
    ///
    /// ```
    /// let sampler = tunekit::samplers::CmaEs::new().sigma0(0.3);
    /// # let _ = sampler;
    /// ```
    #[must_use]
    pub fn sigma0(mut self, sigma0: f64) -> Self {
        self.options.sigma0 = sigma0;
        self
    }

    /// Trials per generation (at least 4; default `4 + floor(3 ln d)` for `d` searched
    /// params). With IPOP this is the first run's population.
    ///
    /// ```
    /// let sampler = tunekit::samplers::CmaEs::new().population(16);
    /// # let _ = sampler;
    /// ```
    #[must_use]
    pub fn population(mut self, lambda: usize) -> Self {
        self.options.population = Some(lambda);
        self
    }

    /// Whether a stalled run restarts with a larger population (IPOP; default true).
    /// Without it a stalled run keeps going (as Optuna's `restart_strategy=None`).
    ///
    /// ```
    /// let sampler = tunekit::samplers::CmaEs::new().ipop(false);
    /// # let _ = sampler;
    /// ```
    #[must_use]
    pub fn ipop(mut self, ipop: bool) -> Self {
        self.options.ipop = ipop;
        self
    }

    /// The factor the population grows by at each restart (at least 1; default 2).
    ///
    /// ```
    /// let sampler = tunekit::samplers::CmaEs::new().population_growth(3);
    /// # let _ = sampler;
    /// ```
    #[must_use]
    pub fn population_growth(mut self, factor: usize) -> Self {
        self.options.population_growth = factor;
        self
    }

    /// Whether ints and stepped floats get the integer margin (default true). Without
    /// it, an int's distribution can shrink onto one value and stop exploring it.
    ///
    /// ```
    /// let sampler = tunekit::samplers::CmaEs::new().with_margin(false);
    /// # let _ = sampler;
    /// ```
    #[must_use]
    pub fn with_margin(mut self, margin: bool) -> Self {
        self.options.margin = margin;
        self
    }

    fn check_options(&self) -> Result<()> {
        let o = &self.options;
        let problem = if !(o.sigma0.is_finite() && o.sigma0 > 0.0) {
            Some(format!("sigma0 must be finite and > 0, got {}", o.sigma0))
        } else if o.population.is_some_and(|p| p < optimizer::MIN_POPULATION) {
            Some(format!(
                "the population must be at least {}, got {}",
                optimizer::MIN_POPULATION,
                o.population.unwrap_or(0)
            ))
        } else if o.population_growth == 0 {
            Some("the population growth must be at least 1".into())
        } else {
            None
        };
        problem.map_or(Ok(()), |m| Err(Error::Config(format!("CMA-ES: {m}"))))
    }
}

impl Default for CmaEs {
    fn default() -> Self {
        CmaEs::new()
    }
}

impl Clone for CmaEs {
    /// The same options; the cache starts empty (it is rebuilt from the history).
    fn clone(&self) -> Self {
        CmaEs {
            options: self.options,
            cache: Mutex::new(None),
        }
    }
}

impl fmt::Debug for CmaEs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CmaEs")
            .field("sigma0", &self.options.sigma0)
            .field("population", &self.options.population)
            .field("ipop", &self.options.ipop)
            .field("population_growth", &self.options.population_growth)
            .field("with_margin", &self.options.margin)
            .finish()
    }
}

impl Sampler for CmaEs {
    fn name(&self) -> &'static str {
        "cmaes"
    }

    fn check_space(&self, _space: &SearchSpace) -> Result<()> {
        self.check_options()
    }

    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut dyn RngCore) -> Result<Option<Params>> {
        self.check_options()?;
        let map = SpaceMap::new(ctx.space);
        if map.len() == 0 {
            return Random::new().sample(ctx, rng);
        }
        let taken = Taken::of(ctx);
        if taken.as_ref().is_some_and(Taken::exhausted) {
            return Ok(None);
        }
        let key = Key {
            map: map.clone(),
            seed: ctx.seed,
            direction: ctx.direction,
            options: self.options,
        };
        let point = {
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            let mut replay = match cache.take() {
                Some(replay) if replay.fits(&key, ctx.trials) => replay,
                _ => Replay::new(key),
            };
            replay.advance(ctx.trials);
            let point = replay.propose(ctx.trials, ctx.number);
            *cache = Some(replay);
            point
        };
        let mut values = map.decode(&point).into_iter().peekable();
        let mut params = Params::new();
        for (j, param) in ctx.space.params().iter().enumerate() {
            if values.peek().is_some_and(|(position, _, _)| *position == j) {
                if let Some((_, name, value)) = values.next() {
                    params.insert(name, value);
                }
            } else if ctx.space.is_active(param, &params) {
                working_on(j);
                params.insert(param.name.clone(), sample_domain(&param.domain, rng));
            }
        }
        // On a finite space, a config some trial holds gives way to an unseen one.
        Ok(match taken {
            None => Some(params),
            Some(taken) => taken.unseen(params, rng, |rng| Random::sample_space(ctx.space, rng)),
        })
    }
}
