//! Random search: every trial drawn independently and uniformly.

use rand::{Rng, RngCore};

use super::{SampleContext, Sampler};
use crate::error::Result;
use crate::space::{Domain, Params, SearchSpace, Value};

/// Draws every active parameter uniformly: on a log scale for `log` domains, on the step
/// grid for stepped ones, uniformly over the choices of a categorical.
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
        for param in space.params() {
            if space.is_active(param, &params) {
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

    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut dyn RngCore) -> Result<Option<Params>> {
        Ok(Some(Random::sample_space(ctx.space, rng)))
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
        } => Value::Float(rng.random_range(low..=high)),
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
            let n = domain.cardinality().unwrap_or(1);
            let k = rng.random_range(0..n);
            domain.nth(k).expect("k < cardinality of a valid domain")
        }
    }
}
