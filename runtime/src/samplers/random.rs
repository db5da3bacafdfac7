//! Random search: every trial drawn independently and uniformly; on a finite space,
//! without replacement (as scikit-learn's `RandomizedSearchCV` samples a grid).

use rand::{Rng, RngCore};

use super::unseen::Taken;
use super::{SampleContext, Sampler};
use crate::error::Result;
use crate::space::{Domain, Params, SearchSpace, Value};

/// Draws every active parameter uniformly: on a log scale for `log` domains, on the step
/// grid for stepped ones, uniformly over the choices of a categorical.
///
/// On a finite space (every param discrete) it samples without replacement: a draw that
/// some trial already holds is drawn again, and once every config is held the study
/// stops with `Exhausted` (the rule and its cost: [`samplers`](super#finite-spaces-no-repeats)).
/// `Random` is a unit struct: write `Random` or `Random::new()`.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::samplers::Random;
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// struct Train {
///     #[tune(1e-5..=1e-1, log)]
///     lr: f64,
///     #[tune(1..=8)]
///     layers: u32,
/// }
///
/// let configs = |seed: u64| -> Result<Vec<Train>, tunekit::Error> {
///     let study = Study::minimize(space!(Train)).sampler(Random::new()).seed(seed).build()?;
///     let asked: Result<Vec<Train>, _> = (0..5).map(|_| study.ask().map(|t| t.config)).collect();
///     asked
/// };
/// let first = configs(7)?;
/// assert!(first.iter().all(|c| (1e-5..=1e-1).contains(&c.lr) && (1..=8).contains(&c.layers)));
/// assert_eq!(configs(7)?, first); // the same seed draws the same configs
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Random;

impl Random {
    /// Random search (the default needs no options).
    pub fn new() -> Self {
        Random
    }

    /// One uniform draw of the whole space: parents first, so conditions are decided as
    /// the walk goes; inactive params are left out.
    pub fn sample_space(space: &SearchSpace, rng: &mut dyn RngCore) -> Params {
        let mut params = Params::new();
        for (j, param) in space.params().iter().enumerate() {
            if space.is_active(param, &params) {
                super::working_on(j);
                params.insert(param.name.clone(), sample_domain(&param.domain, rng));
            }
        }
        params
    }
}

impl Sampler for Random {
    fn name(&self) -> &'static str {
        "random"
    }

    /// On a finite space (every param discrete), never a config some trial already holds
    /// while an unseen one remains, and `Ok(None)` once all are held: see
    /// [`samplers`](super#finite-spaces-no-repeats) for the rule and its cost.
    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut dyn RngCore) -> Result<Option<Params>> {
        let Some(taken) = Taken::of(ctx) else {
            return Ok(Some(Random::sample_space(ctx.space, rng)));
        };
        if taken.exhausted() {
            return Ok(None);
        }
        let first = Random::sample_space(ctx.space, rng);
        Ok(taken.unseen(first, rng, |rng| Random::sample_space(ctx.space, rng)))
    }
}

/// One uniform draw from a (valid) domain.
pub fn sample_domain(domain: &Domain, rng: &mut dyn RngCore) -> Value {
    match *domain {
        Domain::Float {
            low,
            high,
            log: true,
            ..
        } => Value::Float(
            rng.random_range(low.ln()..=high.ln())
                .exp()
                .clamp(low, high),
        ),
        Domain::Float {
            step: None,
            low,
            high,
            ..
        } => Value::Float(uniform_float(low, high, rng)),
        Domain::Int {
            low,
            high,
            log: true,
            ..
        } => {
            // Widen by half a unit on each side so rounding gives the end points their
            // fair share of the log-uniform mass (as Optuna does).
            let x = rng
                .random_range((low as f64 - 0.5).ln()..=(high as f64 + 0.5).ln())
                .exp()
                .round() as i64;
            Value::Int(x.clamp(low, high))
        }
        _ => {
            // Every other domain is discrete: pick an index uniformly.
            let n = domain.value_count().unwrap_or(1);
            match u64::try_from(n) {
                Ok(n) => {
                    let k = rng.random_range(0..n);
                    domain
                        .nth(k)
                        .unwrap_or_else(|| wide_grid_value(domain, rng))
                }
                Err(_) => wide_grid_value(domain, rng),
            }
        }
    }
}

/// A uniform float in `[low, high]`, also when `high - low` overflows (bounds near
/// `±f64::MAX`, where `random_range` refuses the range as not finite).
fn uniform_float(low: f64, high: f64, rng: &mut dyn RngCore) -> f64 {
    if (high - low).is_finite() {
        return rng.random_range(low..=high);
    }
    let (half_low, half_high) = (low / 2.0, high / 2.0);
    (rng.random_range(half_low..=half_high) * 2.0).clamp(low, high)
}

/// A uniform draw from a discrete domain with more values than a `u64` index reaches:
/// the whole `i64` range with step 1 (every `i64` equally likely), or a stepped float grid
/// of more than 2^64 points (a uniform float snapped to the nearest grid point).
fn wide_grid_value(domain: &Domain, rng: &mut dyn RngCore) -> Value {
    match *domain {
        Domain::Int { .. } => Value::Int(rng.random::<i64>()),
        Domain::Float {
            low,
            high,
            step: Some(step),
            ..
        } => {
            let x = uniform_float(low, high, rng);
            let offset = x - low;
            if !offset.is_finite() {
                // So far from `low` that the grid is finer than the floats around `x`.
                return Value::Float(x);
            }
            let k = (offset / step).round();
            Value::Float((low + k * step).clamp(low, high))
        }
        // Categoricals and continuous floats always take the branches above.
        _ => sample_domain(domain, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Issue 11, item 2: valid domains that used to panic in `sample_domain`.
    #[test]
    fn extreme_valid_domains_sample_inside_the_domain() {
        let domains = [
            Domain::float(-1e308, 1e308),
            Domain::float(-f64::MAX, f64::MAX),
            Domain::float(0.0, 1.0).step(1e-300),
            Domain::float(-f64::MAX, f64::MAX).step(1e290),
            Domain::int(i64::MIN, i64::MAX),
            Domain::int(1, 300_000_000_000_000).log(),
            Domain::int(1, i64::MAX).log(),
            Domain::int(1 << 53, (1 << 53) + 1),
            Domain::float(-0.0, 5e-324),
            Domain::float(5e-324, f64::MAX).log(),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for domain in &domains {
            domain.validate().unwrap();
            for _ in 0..200 {
                let value = sample_domain(domain, &mut rng);
                assert!(domain.contains(&value), "{domain:?} gave {value}");
            }
        }
    }

    #[test]
    fn the_whole_i64_range_reaches_both_halves() {
        let domain = Domain::int(i64::MIN, i64::MAX);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let draws: Vec<i64> = (0..64)
            .map(|_| sample_domain(&domain, &mut rng).as_i64().unwrap())
            .collect();
        assert!(draws.iter().any(|&x| x < 0) && draws.iter().any(|&x| x > 0));
    }
}
