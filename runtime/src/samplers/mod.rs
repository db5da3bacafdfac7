//! Samplers: pure functions from (space, history, rng) to the params of the next trial.
//!
//! A sampler holds no trial state of its own: everything it knows comes from the
//! [`SampleContext`], so it works unchanged with any storage, any number of workers and a
//! study resumed from disk.
//!
//! [`Grid`] tries every combination once, [`Random`] draws uniformly, [`Tpe`] (the
//! default) models where good trials are. They are interchangeable on a study:
//!
//! ```
//! use tunekit::prelude::*;
//! use tunekit::samplers::Sampler;
//!
//! #[tunable]
//! #[derive(Debug, Clone)]
//! struct Cfg {
//!     #[tune(0..=10)]
//!     x: i32,
//!     #[tune(choice(1, 2))]
//!     y: i32,
//! }
//!
//! fn best_of(sampler: impl Sampler + 'static) -> Result<f64, tunekit::Error> {
//!     let study = Study::minimize(space!(Cfg)).sampler(sampler).seed(1).build()?;
//!     study.optimize(30, |c: &Cfg| f64::from((c.x - 7).abs() * c.y))?;
//!     Ok(study.best().unwrap().value)
//! }
//!
//! assert_eq!(best_of(Grid::new())?, 0.0); // all 22 points, then the grid is exhausted
//! assert!(best_of(Random::new())? <= 2.0);
//! assert!(best_of(Tpe::default())? <= 2.0);
//! # Ok::<(), tunekit::Error>(())
//! ```
//!
//! # Finite spaces: no repeats
//!
//! A space is finite when every param is discrete (ints, floats with a `step`,
//! categoricals; conditional params included, a conditional space counting the sum over
//! its branches). On a finite space no sampler proposes a config that a trial already
//! holds, whatever that trial's state (complete, pruned, running or failed: a failed
//! config is not retried; `Study::enqueue` it to retry it), while an unseen config
//! remains; when none remains, `sample` returns `Ok(None)` and `optimize` stops with
//! `StopReason::Exhausted` (`Study::ask` returns `Error::Exhausted`). Grid has always
//! worked this way; Random then samples without replacement, TPE takes its best unseen
//! candidate, or else a config drawn uniformly among the unseen ones; Qmc's design point
//! and Gp's proposal give way to a config drawn uniformly among the unseen ones.
//!
//! The history is read through the grid's numbering of configs, so nothing is ever
//! enumerated: each ask costs O(trials x params) for a hash set of the taken configs,
//! whatever the size of the space. Storages create trials atomically with the history
//! their proposal saw (running trials included), so parallel workers and processes
//! never receive the same config either. Spaces with a continuous float propose exactly
//! as they did without the rule.

mod cmaes;
mod gp;
mod grid;
mod normal;
mod qmc;
mod random;
mod tpe;
mod unseen;

pub use cmaes::{CmaEs, Restarts};
pub use gp::Gp;
pub use grid::Grid;
pub use qmc::{Qmc, QmcSequence};
pub use random::{sample_domain, Random};
pub use tpe::{Gamma, Tpe, Weights};

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use rand::RngCore;

use crate::error::{Error, Result};
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

thread_local! {
    /// The space position of the param a sampler is working on, when it says (see
    /// [`working_on`]); read by [`sample_guarded`] to name the param of a panic.
    static WORKING_ON: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Notes that the sampler on this thread is now proposing the param at `position`, so a
/// panic can be reported against it. Costs one thread-local write.
pub(crate) fn working_on(position: usize) {
    WORKING_ON.with(|cell| cell.set(Some(position)));
}

/// Runs `sampler.sample` so that nothing it does can end a study: a panic becomes an
/// error naming the sampler (and the param it was working on, when known), and a proposal
/// is returned only if it is a point of the space, every value inside its domain and on
/// its step grid; anything else is an error naming the param, and nothing is recorded.
pub(crate) fn sample_guarded(
    sampler: &dyn Sampler,
    ctx: &SampleContext<'_>,
    rng: &mut dyn RngCore,
) -> Result<Option<Params>> {
    WORKING_ON.with(|cell| cell.set(None));
    let outcome = catch_unwind(AssertUnwindSafe(|| sampler.sample(ctx, rng)));
    let working_on = WORKING_ON.with(Cell::take);
    match outcome {
        Ok(Ok(Some(params))) => {
            check_proposal(sampler.name(), ctx.space, &params)?;
            Ok(Some(params))
        }
        Ok(other) => other,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-text panic payload".to_owned());
            let param = working_on
                .and_then(|j| ctx.space.params().get(j))
                .map_or_else(|| "(not known)".to_owned(), |p| p.name.clone());
            Err(Error::UnsupportedSpace {
                sampler: sampler.name(),
                param,
                message: format!(
                    "the sampler panicked while proposing trial {}: {what}; nothing was \
                     recorded. This is a bug in the sampler: please report it with the space",
                    ctx.number
                ),
            })
        }
    }
}

/// Checks that `params` is a point of `space`; the error names the first wrong param.
fn check_proposal(sampler: &'static str, space: &SearchSpace, params: &Params) -> Result<()> {
    let wrong = |param: &str, message: String| Error::UnsupportedSpace {
        sampler,
        param: param.to_owned(),
        message: format!("{message}; the proposal was not recorded (a bug in the sampler)"),
    };
    if let Some((name, _)) = params.iter().find(|(name, _)| space.get(name).is_none()) {
        return Err(wrong(
            name,
            "proposed a param the space does not have".into(),
        ));
    }
    for param in space.params() {
        let active = space.is_active(param, params);
        match (active, params.value(&param.name)) {
            (true, None) => return Err(wrong(&param.name, "left an active param out".into())),
            (false, Some(_)) => {
                return Err(wrong(
                    &param.name,
                    "proposed a value for an inactive param".into(),
                ))
            }
            (true, Some(value)) if !param.domain.contains(value) => {
                return Err(wrong(
                    &param.name,
                    format!(
                        "proposed {value} ({}), which is outside its {} domain or off its \
                         step grid",
                        value.kind(),
                        param.domain.kind()
                    ),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::Domain;
    use crate::trial::Direction;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Proposes a fixed value for `x`, or panics after saying it works on `x`.
    struct Fixed(Option<crate::space::Value>);

    impl Sampler for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }
        fn sample(&self, _: &SampleContext<'_>, _: &mut dyn RngCore) -> Result<Option<Params>> {
            working_on(0);
            match &self.0 {
                Some(value) => Ok(Some(Params::new().with("x", value.clone()))),
                None => panic!("boom at x"),
            }
        }
    }

    fn guarded(sampler: &dyn Sampler) -> Result<Option<Params>> {
        let space = SearchSpace::builder()
            .add("x", Domain::int(0, 10).step(2.0))
            .build()
            .unwrap();
        let ctx = SampleContext {
            space: &space,
            trials: &[],
            direction: Direction::Minimize,
            number: 7,
            seed: 0,
        };
        sample_guarded(sampler, &ctx, &mut ChaCha8Rng::seed_from_u64(0))
    }

    /// Issue 11, item 6: a panic inside a sampler is an error naming sampler and param.
    #[test]
    fn a_panicking_sampler_is_an_error_not_a_panic() {
        let message = guarded(&Fixed(None)).unwrap_err().to_string();
        assert!(message.contains("sampler `fixed`"), "{message}");
        assert!(message.contains("param `x`"), "{message}");
        assert!(
            message.contains("panicked while proposing trial 7: boom at x"),
            "{message}"
        );
    }

    /// Issue 11, item 6: off-domain and off-grid proposals are errors, never returned.
    #[test]
    fn off_domain_proposals_are_refused() {
        assert!(guarded(&Fixed(Some(4.into()))).unwrap().is_some());
        for (value, why) in [
            (crate::space::Value::Int(3), "off its step grid"),
            (crate::space::Value::Int(12), "outside its int domain"),
            (
                crate::space::Value::Float(f64::NAN),
                "outside its int domain",
            ),
        ] {
            let message = guarded(&Fixed(Some(value))).unwrap_err().to_string();
            assert!(message.contains("param `x`"), "{message}");
            assert!(message.contains(why), "{message}");
        }
    }

    #[test]
    fn every_sampler_runs_guarded() {
        for sampler in [
            Box::new(Random) as Box<dyn Sampler>,
            Box::new(Grid::new()),
            Box::new(Tpe::new()),
            Box::new(Qmc::sobol()),
            Box::new(Qmc::halton()),
            Box::new(Gp::new()),
            Box::new(CmaEs::new()),
        ] {
            assert!(guarded(&sampler).unwrap().is_some(), "{}", sampler.name());
        }
    }
}
