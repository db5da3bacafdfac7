//! The no-repeat rule of finite spaces, shared by Random and TPE (Grid has it built in).
//!
//! A space is **finite** when every param is discrete: ints, floats with a `step`,
//! categoricals, conditional ones included. On a finite space no sampler proposes a
//! configuration that a trial of the study already holds while an unseen one remains;
//! once every configuration is held, the sampler returns `Ok(None)` and `optimize` stops
//! with [`StopReason::Exhausted`](crate::StopReason::Exhausted).
//!
//! **Which trials count.** Every trial in the history, whatever its state: complete,
//! pruned, running (so concurrent workers are not handed a config another one is
//! evaluating) and failed. A failed config is not retried, as in Grid, scikit-learn's
//! searches and Optuna's `GridSampler`: an objective that fails on a config usually fails
//! on it again, and retrying would turn an exhausted space into a loop of failures ending
//! in `TooManyFailures`. To retry one on purpose, `Study::enqueue` it: queued configs
//! bypass the sampler. Trials whose params are not a point of the current space (an
//! off-grid enqueued config, a trial from before a space change) do not count.
//!
//! **Cost per ask.** Configurations are numbered by the grid's index arithmetic
//! (`GridTree`, the mixed-radix numbering of the condition tree), so nothing is ever
//! enumerated, whatever the size of the space: a hash set of the indices the history
//! holds is built once per ask, O(trials x params) time and 16 bytes per distinct trial.
//! A fresh draw is kept when it is unseen; after [`REDRAWS`] seen draws in a row, the
//! proposal is drawn uniformly among the unseen indices (the `r`-th unseen index, found
//! by walking the sorted seen ones: O(trials log trials)), so a space with 99 of its 100
//! configs taken costs no more than an empty one. Spaces that are not finite skip all of
//! this and propose exactly as before.
//!
//! A finite space the grid cannot number is checked by comparing params with the
//! history instead, with up to [`WIDE_REDRAWS`] fresh draws, and is never reported
//! exhausted. That is a space with a param of 2^64 values or more, or more than 2^128
//! configs (then all 32 draws being seen has a probability below `(trials / 2^64)^32`),
//! or a float step grid of over 2^53 points or with a step under 8 float spacings at
//! its bounds, whose points are not all distinct floats (see `grid.rs`): with many
//! distinct floats, repeats are as unlikely; a degenerate grid with few (a step of
//! `1e-3` at `1e19`, where floats are 2048 apart) can repeat once those few are used.

use std::collections::HashSet;

use rand::{Rng, RngCore};

use super::grid::GridTree;
use super::SampleContext;
use crate::space::Params;
use crate::trial::Trial;

/// Seen fresh draws tolerated before drawing directly among the unseen configs.
pub(crate) const REDRAWS: usize = 8;
/// Fresh draws tried on a finite space too large to number.
pub(crate) const WIDE_REDRAWS: usize = 32;

/// The configs of a finite space that the history holds.
pub(crate) struct Taken<'a> {
    trials: &'a [Trial],
    /// `None` when the grid cannot number the space.
    numbered: Option<Numbered<'a>>,
}

struct Numbered<'a> {
    tree: GridTree<'a>,
    len: u128,
    seen: HashSet<u128>,
}

impl<'a> Taken<'a> {
    /// The taken configs of `ctx.space`, or `None` when the space is not finite.
    pub(crate) fn of(ctx: &SampleContext<'a>) -> Option<Self> {
        let finite = ctx
            .space
            .params()
            .iter()
            .all(|p| p.domain.value_count().is_some());
        if !finite {
            return None;
        }
        let numbered = GridTree::new(ctx.space).ok().map(|tree| {
            let mut pending = Vec::new();
            let seen = ctx
                .trials
                .iter()
                .filter_map(|t| tree.index_of_in(&t.params, &mut pending))
                .collect();
            Numbered {
                len: tree.len(),
                tree,
                seen,
            }
        });
        Some(Taken {
            trials: ctx.trials,
            numbered,
        })
    }

    /// Whether every configuration is taken.
    pub(crate) fn exhausted(&self) -> bool {
        self.numbered
            .as_ref()
            .is_some_and(|n| n.seen.len() as u128 >= n.len)
    }

    /// Whether some trial holds `params`.
    pub(crate) fn is_seen(&self, params: &Params) -> bool {
        match &self.numbered {
            Some(n) => n
                .tree
                .index_of(params)
                .is_some_and(|index| n.seen.contains(&index)),
            None => self.trials.iter().any(|t| t.params.same(params)),
        }
    }

    /// `first` if it is unseen; else fresh draws of `draw` until one is unseen, and after
    /// a few seen ones a uniform draw among the unseen configs. `None` only when the space
    /// is exhausted.
    pub(crate) fn unseen(
        &self,
        first: Params,
        rng: &mut dyn RngCore,
        mut draw: impl FnMut(&mut dyn RngCore) -> Params,
    ) -> Option<Params> {
        if !self.is_seen(&first) {
            return Some(first);
        }
        let tries = if self.numbered.is_some() {
            REDRAWS
        } else {
            WIDE_REDRAWS
        };
        let mut last = first;
        for _ in 0..tries {
            last = draw(rng);
            if !self.is_seen(&last) {
                return Some(last);
            }
        }
        match &self.numbered {
            Some(numbered) => numbered.uniform_unseen(rng),
            // At least 2^64 configs: see the module docs for how unlikely this is.
            None => Some(last),
        }
    }
}

impl Numbered<'_> {
    /// A config drawn uniformly among the unseen ones, `None` when there is none.
    fn uniform_unseen(&self, rng: &mut dyn RngCore) -> Option<Params> {
        let free = self.len.checked_sub(self.seen.len() as u128)?;
        if free == 0 {
            return None;
        }
        // The `r`-th unseen index: every seen index at or below the candidate pushes it
        // one further (seen indices ascending).
        let mut index = rng.random_range(0..free);
        let mut seen: Vec<u128> = self.seen.iter().copied().collect();
        seen.sort_unstable();
        for s in seen {
            if s <= index {
                index += 1;
            } else {
                break;
            }
        }
        (index < self.len).then(|| self.tree.point(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samplers::{Random, Sampler};
    use crate::space::{Domain, SearchSpace};
    use crate::trial::Direction;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// 18 configs: kind a -> x (4) x y (2) = 8; b -> z (5); c -> w (5).
    pub(crate) fn conditional_18() -> SearchSpace {
        SearchSpace::builder()
            .add("kind", Domain::categorical(["a", "b", "c"]))
            .add_when("x", Domain::int(1, 4), "kind", ["a"])
            .add_when("y", Domain::categorical([false, true]), "kind", ["a"])
            .add_when("z", Domain::float(0.0, 1.0).step(0.25), "kind", ["b"])
            .add_when(
                "w",
                Domain::categorical(["p", "q", "r", "s", "t"]),
                "kind",
                ["c"],
            )
            .build()
            .unwrap()
    }

    fn ctx<'a>(space: &'a SearchSpace, trials: &'a [Trial]) -> SampleContext<'a> {
        SampleContext {
            space,
            trials,
            direction: Direction::Minimize,
            number: trials.len() as u64,
            seed: 0,
        }
    }

    #[test]
    fn a_conditional_space_counts_the_sum_over_its_branches() {
        let space = conditional_18();
        let taken = Taken::of(&ctx(&space, &[])).unwrap();
        assert_eq!(taken.numbered.as_ref().unwrap().len, 18);
        assert!(!taken.exhausted());
    }

    #[test]
    fn continuous_spaces_are_not_finite() {
        let space = SearchSpace::builder()
            .add("a", Domain::int(0, 3))
            .add("lr", Domain::float(0.0, 1.0))
            .build()
            .unwrap();
        assert!(Taken::of(&ctx(&space, &[])).is_none());
    }

    /// The uniform fallback reaches every unseen config and never a seen one, also with
    /// all but one taken.
    #[test]
    fn the_fallback_draws_every_unseen_config_and_no_seen_one() {
        let space = SearchSpace::builder()
            .add("a", Domain::int(0, 9))
            .add("b", Domain::int(0, 9))
            .build()
            .unwrap();
        let tree = GridTree::new(&space).unwrap();
        let free = [3u128, 41, 42, 99];
        let trials: Vec<Trial> = (0..100u128)
            .filter(|i| !free.contains(i))
            .enumerate()
            .map(|(n, i)| Trial::running(n as u64, tree.point(i)))
            .collect();
        let taken = Taken::of(&ctx(&space, &trials)).unwrap();
        let numbered = taken.numbered.as_ref().unwrap();
        let mut hits = HashSet::new();
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let point = numbered.uniform_unseen(&mut rng).unwrap();
            let index = tree.index_of(&point).unwrap();
            assert!(free.contains(&index), "{index} is taken");
            hits.insert(index);
        }
        assert_eq!(hits.len(), free.len());

        let last = &trials[..trials.len() - 1];
        let missing = tree.index_of(&trials[trials.len() - 1].params).unwrap();
        let all_but: Vec<Trial> = last
            .iter()
            .cloned()
            .chain(
                free.iter()
                    .map(|&i| Trial::running(100 + i as u64, tree.point(i))),
            )
            .collect();
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let got = Random
                .sample(&ctx(&space, &all_but), &mut rng)
                .unwrap()
                .unwrap();
            assert_eq!(tree.index_of(&got), Some(missing), "seed {seed}");
        }
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut full = all_but;
        full.push(trials[trials.len() - 1].clone());
        assert_eq!(Random.sample(&ctx(&space, &full), &mut rng).unwrap(), None);
    }

    /// A finite space the grid cannot number (2^64 values) still refuses a repeat.
    #[test]
    fn spaces_too_wide_to_number_compare_params() {
        let space = SearchSpace::builder()
            .add("x", Domain::int(i64::MIN, i64::MAX))
            .add("b", Domain::categorical([false, true]))
            .build()
            .unwrap();
        let seen = Params::new().with("x", 5i64).with("b", true);
        let trials = [Trial::running(0, seen.clone())];
        let taken = Taken::of(&ctx(&space, &trials)).unwrap();
        assert!(taken.numbered.is_none());
        assert!(taken.is_seen(&seen));
        assert!(!taken.exhausted());
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let got = taken
            .unseen(seen.clone(), &mut rng, |rng| {
                Random::sample_space(&space, rng)
            })
            .unwrap();
        assert!(!got.same(&seen));
    }
}
