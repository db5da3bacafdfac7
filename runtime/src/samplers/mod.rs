//! Samplers: pure functions from (space, history, rng) to the params of the next trial.
//!
//! A sampler holds no trial state of its own: everything it knows comes from the
//! [`SampleContext`], so it works unchanged with any storage, any number of workers and a
//! study resumed from disk.

mod grid;
mod random;
mod tpe;

pub use grid::Grid;
pub use random::{sample_domain, Random};
pub use tpe::{Gamma, Tpe, Weights};

use rand::RngCore;

use crate::error::Result;
use crate::space::{Params, SearchSpace};
use crate::trial::{Direction, Trial};

/// What a sampler may look at when it proposes a trial.
#[derive(Debug, Clone, Copy)]
pub struct SampleContext<'a> {
    /// The space to sample from.
    pub space: &'a SearchSpace,
    /// Every trial so far, indexed by number, including running ones.
    pub trials: &'a [Trial],
    /// Whether lower or higher values are better.
    pub direction: Direction,
    /// The number the proposed trial will get.
    pub number: u64,
    /// The study's seed (also behind `rng`), for samplers that need a fixed key, such as
    /// a shuffled grid order.
    pub seed: u64,
}

/// Proposes the params of the next trial.
pub trait Sampler: Send + Sync {
    /// A short name for messages.
    fn name(&self) -> &'static str;

    /// Checks, once when the study is built, that this sampler can search `space`.
    fn check_space(&self, space: &SearchSpace) -> Result<()> {
        let _ = space;
        Ok(())
    }

    /// Proposes params for trial `ctx.number`: a point of `ctx.space` with exactly its
    /// active parameters. `Ok(None)` means nothing is left to propose (an exhausted grid).
    ///
    /// `rng` is seeded from the study seed and the trial number, so a seeded sequential
    /// study proposes the same sequence every run.
    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut dyn RngCore) -> Result<Option<Params>>;
}

impl<S: Sampler + ?Sized> Sampler for Box<S> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn check_space(&self, space: &SearchSpace) -> Result<()> {
        (**self).check_space(space)
    }
    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut dyn RngCore) -> Result<Option<Params>> {
        (**self).sample(ctx, rng)
    }
}
