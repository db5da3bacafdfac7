//! Grid search: every combination of discrete domains, each proposed once.
//!
//! The grid is never materialized. A conditional space is a tree: a categorical parent's
//! children only exist under the values they depend on. Each point of that tree gets an
//! index in `0..len` by mixed-radix numbering (the children of a categorical are numbered
//! inside the block of the value they hang under), so a 10^9-point grid costs nothing to
//! set up, and the next untaken point is found by walking indices.

use std::collections::HashSet;

use rand::RngCore;

use super::{SampleContext, Sampler};
use crate::error::{Error, Result};
use crate::space::{Params, SearchSpace};

/// Proposes every combination of the space's values exactly once, then reports the space
/// exhausted (which ends `optimize` cleanly).
///
/// Every parameter must be discrete: ints, categoricals, or floats with a `step`; a
/// continuous float is an error when the study is built. The order is deterministic
/// (the last parameter varies fastest) unless [`Grid::shuffled`] is asked for, which
/// permutes it by the study seed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Grid {
    shuffle: bool,
}

impl Grid {
    /// Grid search in a fixed order.
    pub fn new() -> Self {
        Grid::default()
    }

    /// Grid search in an order permuted by the study seed (useful when the budget will
    /// not cover the whole grid).
    pub fn shuffled() -> Self {
        Grid { shuffle: true }
    }

    /// The number of points of `space`'s grid.
    pub fn len(space: &SearchSpace) -> Result<u128> {
        Ok(GridTree::new(space)?.len())
    }
}

impl Sampler for Grid {
    fn name(&self) -> &'static str {
        "grid"
    }

    fn check_space(&self, space: &SearchSpace) -> Result<()> {
        GridTree::new(space).map(|_| ())
    }

    fn sample(&self, ctx: &SampleContext<'_>, _rng: &mut dyn RngCore) -> Result<Option<Params>> {
        let tree = GridTree::new(ctx.space)?;
        let len = tree.len();
        // Points taken by any trial, whatever its state: a failed point is not retried.
        let taken: HashSet<u128> = ctx
            .trials
            .iter()
            .filter_map(|t| tree.index_of(&t.params))
            .collect();
        if taken.len() as u128 >= len {
            return Ok(None);
        }
        let order = self
            .shuffle
            .then(|| Permutation::new(len, ctx.seed))
            .transpose()?;
        // At most `taken.len() + 1` steps: every step either hits a taken point or returns.
        for position in 0..len {
            let index = match &order {
                Some(permutation) => permutation.apply(position),
                None => position,
            };
            if !taken.contains(&index) {
                return Ok(Some(tree.point(index)));
            }
        }
        Ok(None)
    }
}

/// The grid of a space as a tree of parameter blocks.
struct GridTree<'a> {
    space: &'a SearchSpace,
    /// Unconditional params, in space order.
    roots: Vec<usize>,
    /// For each param, for each of its values, the params active directly under it.
    children: Vec<Vec<Vec<usize>>>,
    /// Number of points under each param (including its subtrees).
    counts: Vec<u128>,
}

impl<'a> GridTree<'a> {
    fn new(space: &'a SearchSpace) -> Result<Self> {
        let params = space.params();
        let mut children: Vec<Vec<Vec<usize>>> = Vec::with_capacity(params.len());
        let mut roots = Vec::new();
        for (i, param) in params.iter().enumerate() {
            let Some(n) = param.domain.cardinality() else {
                return Err(Error::UnsupportedSpace {
                    sampler: "grid",
                    param: param.name.clone(),
                    message: "a continuous float has no grid; give it a `step`, list explicit \
                              points as a categorical, or use the random or TPE sampler"
                        .into(),
                });
            };
            children.push(vec![Vec::new(); n as usize]);
            match &param.condition {
                None => roots.push(i),
                Some(condition) => {
                    // Validated spaces guarantee a categorical parent listed earlier.
                    let parent = space.position(&condition.parent).unwrap_or(0);
                    for value in &condition.values {
                        if let Some(k) = params[parent].domain.index_of(value) {
                            children[parent][k as usize].push(i);
                        }
                    }
                }
            }
        }
        // Children come after parents, so counting backwards sees every subtree first.
        let mut counts = vec![0u128; params.len()];
        for i in (0..params.len()).rev() {
            let mut total = 0u128;
            for block in &children[i] {
                total = total
                    .checked_add(block_count(block, &counts).ok_or_else(|| too_big(space))?)
                    .ok_or_else(|| too_big(space))?;
            }
            counts[i] = total;
        }
        let tree = GridTree {
            space,
            roots,
            children,
            counts,
        };
        block_count(&tree.roots, &tree.counts).ok_or_else(|| too_big(space))?;
        Ok(tree)
    }

    fn len(&self) -> u128 {
        block_count(&self.roots, &self.counts).unwrap_or(u128::MAX)
    }

    /// The params of point `index` (`index < len`).
    fn point(&self, index: u128) -> Params {
        let mut params = Params::new();
        self.decode_block(&self.roots, index, &mut params);
        params
    }

    fn decode_block(&self, block: &[usize], mut index: u128, params: &mut Params) {
        // The last param of a block varies fastest.
        for &i in block.iter().rev() {
            let count = self.counts[i];
            self.decode_param(i, index % count, params);
            index /= count;
        }
    }

    fn decode_param(&self, i: usize, mut index: u128, params: &mut Params) {
        let param = &self.space.params()[i];
        for (k, block) in self.children[i].iter().enumerate() {
            let size = block_count(block, &self.counts).unwrap_or(u128::MAX);
            if index < size {
                if let Some(value) = param.domain.nth(k as u64) {
                    params.insert(param.name.clone(), value);
                }
                self.decode_block(block, index, params);
                return;
            }
            index -= size;
        }
    }

    /// The index of `params` in the grid, or `None` when they are not a grid point
    /// (an enqueued config off the grid, say).
    fn index_of(&self, params: &Params) -> Option<u128> {
        self.encode_block(&self.roots, params)
    }

    fn encode_block(&self, block: &[usize], params: &Params) -> Option<u128> {
        let mut index = 0u128;
        let mut radix = 1u128;
        for &i in block.iter().rev() {
            index += self.encode_param(i, params)? * radix;
            radix *= self.counts[i];
        }
        Some(index)
    }

    fn encode_param(&self, i: usize, params: &Params) -> Option<u128> {
        let param = &self.space.params()[i];
        let k = param.domain.index_of(params.value(&param.name)?)? as usize;
        let offset: u128 = self.children[i][..k]
            .iter()
            .map(|block| block_count(block, &self.counts).unwrap_or(0))
            .sum();
        Some(offset + self.encode_block(&self.children[i][k], params)?)
    }
}

/// Points of a block of independent params: the product of their counts.
fn block_count(block: &[usize], counts: &[u128]) -> Option<u128> {
    block
        .iter()
        .try_fold(1u128, |acc, &i| acc.checked_mul(counts[i]))
}

fn too_big(space: &SearchSpace) -> Error {
    Error::UnsupportedSpace {
        sampler: "grid",
        param: space
            .params()
            .first()
            .map_or_else(String::new, |p| p.name.clone()),
        message: "the grid has more than 2^128 points; narrow the space".into(),
    }
}

/// A seeded bijection of `0..len`: a Feistel network over the smallest even power of two
/// that holds `len`, with cycle walking to stay inside `0..len`.
struct Permutation {
    len: u128,
    half_bits: u32,
    keys: [u64; 4],
}

impl Permutation {
    fn new(len: u128, seed: u64) -> Result<Self> {
        let bits = (128 - (len.max(2) - 1).leading_zeros()).max(2);
        let half_bits = bits.div_ceil(2);
        if half_bits > 64 {
            return Err(Error::Config(
                "a shuffled grid supports at most 2^128 points; use Grid::new()".into(),
            ));
        }
        let mut state = seed;
        let keys = [(); 4].map(|_| splitmix64(&mut state));
        Ok(Permutation {
            len,
            half_bits,
            keys,
        })
    }

    fn apply(&self, position: u128) -> u128 {
        let mut x = position;
        loop {
            x = self.round_trip(x);
            if x < self.len {
                return x;
            }
        }
    }

    fn round_trip(&self, x: u128) -> u128 {
        let mask = if self.half_bits == 64 {
            u64::MAX
        } else {
            (1u64 << self.half_bits) - 1
        };
        let mut left = (x >> self.half_bits) as u64 & mask;
        let mut right = x as u64 & mask;
        for key in self.keys {
            let mut state = right ^ key;
            let f = splitmix64(&mut state) & mask;
            (left, right) = (right, left ^ f);
        }
        (u128::from(left) << self.half_bits) | u128::from(right)
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{Condition, Domain};

    fn nested_space() -> SearchSpace {
        // optimizer: sgd -> momentum (3 values) x nesterov (2) = 6; adam -> beta (2) = 2;
        //            rmsprop -> nothing = 1          => 9 optimizer configs
        // layers: 1..=4 => 4;  kind: mlp -> act (relu/tanh) -> tanh has gain 0.5..=1.5 step 0.5
        //   mlp: relu(1) + tanh(3) = 4;  linear: 1  => 5
        // total = 9 * 4 * 5 = 180
        SearchSpace::builder()
            .add("optimizer", Domain::categorical(["sgd", "adam", "rmsprop"]))
            .add_when(
                "momentum",
                Domain::float(0.0, 0.9).step(0.45),
                "optimizer",
                ["sgd"],
            )
            .add_when(
                "nesterov",
                Domain::categorical([false, true]),
                "optimizer",
                ["sgd"],
            )
            .add_when(
                "beta",
                Domain::categorical([0.9, 0.99]),
                "optimizer",
                ["adam"],
            )
            .add("layers", Domain::int(1, 4))
            .add("kind", Domain::categorical(["mlp", "linear"]))
            .add_when(
                "act",
                Domain::categorical(["relu", "tanh"]),
                "kind",
                ["mlp"],
            )
            .add_when("gain", Domain::float(0.5, 1.5).step(0.5), "act", ["tanh"])
            .build()
            .unwrap()
    }

    #[test]
    fn nested_conditional_grid_has_the_hand_computed_size() {
        assert_eq!(Grid::len(&nested_space()).unwrap(), 180);
    }

    #[test]
    fn every_point_is_valid_distinct_and_round_trips() {
        let space = nested_space();
        let tree = GridTree::new(&space).unwrap();
        let mut seen = Vec::new();
        for index in 0..tree.len() {
            let point = tree.point(index);
            space.check(&point).unwrap();
            assert_eq!(tree.index_of(&point), Some(index));
            assert!(!seen.iter().any(|p: &Params| p.same(&point)));
            seen.push(point);
        }
    }

    #[test]
    fn multi_value_conditions_count_under_each_value() {
        let space = SearchSpace::builder()
            .add("a", Domain::categorical(["x", "y", "z"]))
            .param(crate::space::Param {
                name: "b".into(),
                domain: Domain::int(1, 3),
                condition: Some(Condition {
                    parent: "a".into(),
                    values: vec!["x".into(), "z".into()],
                }),
            })
            .build()
            .unwrap();
        assert_eq!(Grid::len(&space).unwrap(), 3 + 1 + 3);
    }

    #[test]
    fn continuous_float_is_a_clear_error() {
        let space = SearchSpace::builder()
            .add("lr", Domain::float(0.0, 1.0))
            .build()
            .unwrap();
        let message = Grid::new().check_space(&space).unwrap_err().to_string();
        assert!(message.contains("param `lr`"), "{message}");
        assert!(message.contains("give it a `step`"), "{message}");
    }

    #[test]
    fn huge_grids_are_not_materialized() {
        let mut builder = SearchSpace::builder();
        for i in 0..9 {
            builder = builder.add(format!("p{i}"), Domain::int(0, 9));
        }
        let space = builder.build().unwrap();
        let tree = GridTree::new(&space).unwrap();
        assert_eq!(tree.len(), 1_000_000_000);
        let last = tree.point(999_999_999);
        assert_eq!(last.get::<i64>("p0").unwrap(), 9);
        assert_eq!(tree.index_of(&last), Some(999_999_999));
    }

    #[test]
    fn permutation_is_a_bijection() {
        for len in [1u128, 2, 3, 10, 37, 1000] {
            let p = Permutation::new(len, 42).unwrap();
            let mut image: Vec<u128> = (0..len).map(|i| p.apply(i)).collect();
            image.sort_unstable();
            assert_eq!(image, (0..len).collect::<Vec<_>>(), "len {len}");
        }
        let a: Vec<u128> = (0..10)
            .map(|i| Permutation::new(1000, 1).unwrap().apply(i))
            .collect();
        let b: Vec<u128> = (0..10)
            .map(|i| Permutation::new(1000, 2).unwrap().apply(i))
            .collect();
        assert_ne!(a, b);
    }
}
