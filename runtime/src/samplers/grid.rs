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
use crate::space::{Domain, Params, SearchSpace, Value};

/// Proposes every combination of the space's values exactly once, then reports the space
/// exhausted (which ends `optimize` cleanly).
///
/// Every parameter must be discrete: ints, categoricals, or floats with a `step`; a
/// continuous float is an error when the study is built. The order is deterministic
/// (the last parameter varies fastest) unless [`Grid::shuffled`] is asked for, which
/// permutes it by the study seed.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::samplers::Grid;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(choice(16, 32))]
///     batch: usize,
///     #[tune(0.0..=0.5, step = 0.25)]
///     dropout: f64,
///     #[tune]
///     optimizer: Optimizer,
/// }
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// enum Optimizer {
///     Sgd {
///         #[tune(choice(0.0, 0.9))]
///         momentum: f64,
///     },
///     Adam,
/// }
///
/// // 2 batch sizes x 3 dropouts x (Sgd with 2 momenta, or Adam): 18 points.
/// assert_eq!(Grid::len(&Train::search_space()?)?, 18);
/// let study = Study::minimize(space!(Train)).sampler(Grid::new()).build()?;
/// let stop = study.optimize(100, |cfg: &Train| cfg.dropout + cfg.batch as f64)?;
/// assert_eq!(stop, StopReason::Exhausted);
/// assert_eq!(study.trials()?.len(), 18);
/// # Ok::<(), tunekit::Error>(())
/// ```
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
///
/// Memory is O(params + categorical choices) and decoding or encoding a point is
/// O(params + log choices) per param, whatever the number of values of a numeric domain:
/// a numeric param is a leaf (only categoricals have children), numbered by index
/// arithmetic over its domain. Walks use explicit stacks, so a conditional chain of any
/// depth costs no call stack.
pub(super) struct GridTree<'a> {
    space: &'a SearchSpace,
    /// Unconditional params, in space order.
    roots: Vec<usize>,
    /// For each categorical param, for each of its choices, the params active directly
    /// under it; empty for numeric params.
    children: Vec<Vec<Vec<usize>>>,
    /// For each categorical param, `offsets[i][k]`: points under the choices before `k`
    /// (`k + 1` entries, the last being the param's count).
    offsets: Vec<Vec<u128>>,
    /// Number of points under each param (including its subtrees).
    counts: Vec<u128>,
    /// For a stepped float whose last grid point is `high` clamped, that value.
    tops: Vec<Option<Value>>,
}

impl<'a> GridTree<'a> {
    pub(super) fn new(space: &'a SearchSpace) -> Result<Self> {
        let params = space.params();
        let mut children: Vec<Vec<Vec<usize>>> = Vec::with_capacity(params.len());
        let mut counts = vec![0u128; params.len()];
        let mut tops: Vec<Option<Value>> = vec![None; params.len()];
        let mut roots = Vec::new();
        for (i, param) in params.iter().enumerate() {
            let Some(n) = param.domain.value_count() else {
                return Err(Error::UnsupportedSpace {
                    sampler: "grid",
                    param: param.name.clone(),
                    message: "a continuous float has no grid; give it a `step`, list explicit \
                              points as a categorical, or use the random or TPE sampler"
                        .into(),
                });
            };
            if n > u128::from(u64::MAX) {
                return Err(Error::UnsupportedSpace {
                    sampler: "grid",
                    param: param.name.clone(),
                    message: format!(
                        "its domain has {} values, more than a grid can number (2^64 - 1); \
                         use a wider step or a narrower range, or the random or TPE sampler",
                        if n == u128::MAX {
                            "over 2^127".to_owned()
                        } else {
                            n.to_string()
                        }
                    ),
                });
            }
            if let Some(finest) = collapsing_float_grid(&param.domain, n) {
                return Err(Error::UnsupportedSpace {
                    sampler: "grid",
                    param: param.name.clone(),
                    message: format!(
                        "its {n} grid points are not all distinct floats (the step is finer \
                         than the float spacing near its bounds, or there are over 2^53 \
                         points), so the grid would propose one value many times; use a \
                         step of at least {finest:e}, or the random or TPE sampler"
                    ),
                });
            }
            match &param.domain {
                Domain::Categorical { choices } => children.push(vec![Vec::new(); choices.len()]),
                _ => {
                    children.push(Vec::new());
                    (counts[i], tops[i]) = distinct_points(&param.domain, n);
                }
            }
            match &param.condition {
                None => roots.push(i),
                Some(condition) => {
                    // Validated spaces guarantee a categorical parent listed earlier, and
                    // condition values listed once each.
                    let parent = space.position(&condition.parent).unwrap_or(0);
                    for value in &condition.values {
                        if let Some(k) = params[parent].domain.index_of(value) {
                            if let Some(block) = children[parent].get_mut(k as usize) {
                                block.push(i);
                            }
                        }
                    }
                }
            }
        }
        // Children come after parents, so counting backwards sees every subtree first.
        let mut offsets: Vec<Vec<u128>> = vec![Vec::new(); params.len()];
        for i in (0..params.len()).rev() {
            if !matches!(params[i].domain, Domain::Categorical { .. }) {
                continue;
            }
            let mut total = 0u128;
            let mut starts = Vec::with_capacity(children[i].len() + 1);
            starts.push(0);
            for block in &children[i] {
                total = total
                    .checked_add(block_count(block, &counts).ok_or_else(|| too_big(space))?)
                    .ok_or_else(|| too_big(space))?;
                starts.push(total);
            }
            counts[i] = total;
            offsets[i] = starts;
        }
        let tree = GridTree {
            space,
            roots,
            children,
            offsets,
            counts,
            tops,
        };
        block_count(&tree.roots, &tree.counts).ok_or_else(|| too_big(space))?;
        Ok(tree)
    }

    pub(super) fn len(&self) -> u128 {
        block_count(&self.roots, &self.counts).unwrap_or(u128::MAX)
    }

    /// The params of point `index` (`index < len`).
    pub(super) fn point(&self, index: u128) -> Params {
        let params = self.space.params();
        let mut point = Params::new();
        // (param, its index among the points under it), still to decode.
        let mut pending: Vec<(usize, u128)> = Vec::new();
        self.split_block(&self.roots, index, &mut pending);
        while let Some((i, index)) = pending.pop() {
            let param = &params[i];
            if self.children[i].is_empty() {
                if let Some(value) = u64::try_from(index).ok().and_then(|k| param.domain.nth(k)) {
                    point.insert(param.name.clone(), value);
                }
                continue;
            }
            // The choice whose block holds `index`: the last start at or below it.
            let starts = &self.offsets[i];
            let k = starts.partition_point(|&start| start <= index) - 1;
            if let Some(value) = param.domain.nth(k as u64) {
                point.insert(param.name.clone(), value);
            }
            self.split_block(&self.children[i][k], index - starts[k], &mut pending);
        }
        point
    }

    /// Splits a block's index into one index per param (the last param varies fastest).
    fn split_block(&self, block: &[usize], mut index: u128, pending: &mut Vec<(usize, u128)>) {
        for &i in block.iter().rev() {
            let count = self.counts[i];
            pending.push((i, index % count));
            index /= count;
        }
    }

    /// The index of `params` in the grid, or `None` when they are not a grid point
    /// (an enqueued config off the grid, say). The index is the sum, over the active
    /// params, of each param's own position times the radix of the blocks it sits in.
    pub(super) fn index_of(&self, params: &Params) -> Option<u128> {
        self.index_of_in(params, &mut Vec::new())
    }

    /// [`index_of`](Self::index_of) with a caller's stack, so that numbering a whole
    /// history allocates once.
    pub(super) fn index_of_in<'t>(
        &'t self,
        params: &Params,
        pending: &mut Vec<(&'t [usize], u128)>,
    ) -> Option<u128> {
        let space_params = self.space.params();
        let mut index = 0u128;
        // (block, the weight of one step of that block's index).
        pending.clear();
        pending.push((&self.roots, 1));
        while let Some((block, weight)) = pending.pop() {
            let mut radix = weight;
            for &i in block.iter().rev() {
                let param = &space_params[i];
                let value = params.value(&param.name)?;
                let k = param.domain.index_of(value)?;
                let own = if self.children[i].is_empty() {
                    self.leaf_index(i, value, k)?
                } else {
                    let k = usize::try_from(k).ok()?;
                    pending.push((&self.children[i][k], radix));
                    self.offsets[i][k]
                };
                index = index.checked_add(own.checked_mul(radix)?)?;
                radix = radix.checked_mul(self.counts[i])?;
            }
        }
        Some(index)
    }
}

impl GridTree<'_> {
    /// The grid index of `value`, which the domain of numeric param `i` puts at `k`:
    /// `high` clamped is the last point; other values past the grid's distinct points
    /// are none of its points.
    fn leaf_index(&self, i: usize, value: &Value, k: u64) -> Option<u128> {
        let count = self.counts[i];
        if self.tops[i].as_ref().is_some_and(|top| top.same(value)) {
            return Some(count - 1);
        }
        (u128::from(k) < count).then_some(u128::from(k))
    }
}

/// For a stepped float whose `n` grid points `low + k * step` are not all distinct
/// floats that map back to their own `k`, the smallest step that would be safe; `None`
/// for every other domain.
///
/// With `k <= 2^53` (exact as a float) and `step >= 8 u`, `u` the float spacing at the
/// largest magnitude `M` of the range, each point is within `1.5 u` of its exact value
/// (`k * step` is at most `2 M`), so neighbours stay apart, and `(x - low) / step` is
/// within `2.5 u / step < 0.5` of `k`, so it rounds back to `k`. Otherwise
/// neighbouring indices can give the same float (found by the space fuzz: step `1e-17`
/// on `-7.4..=0`, where floats are `8.9e-16` apart), and the grid would repeat it.
fn collapsing_float_grid(domain: &Domain, n: u128) -> Option<f64> {
    let Domain::Float {
        low,
        high,
        step: Some(step),
        ..
    } = *domain
    else {
        return None;
    };
    let finest = 8.0 * float_spacing(low.abs().max(high.abs()));
    (n > 1 && (n > 1 << 53 || step < finest)).then_some(finest)
}

/// How many of a numeric domain's `n` indices are points of their own, and the value of
/// the last one when it is `high` clamped (a stepped float whose `high` is off its step
/// grid). All `n` for ints and for floats whose points stay below `high`. A stepped
/// float's count tolerates rounding (relatively: for `n` over about 10^9 it counts
/// points past `high`, which all become `high`), and `Domain::index_of` may map `high`
/// to an index past them or onto its neighbour; the grid keeps the indices below the
/// first point at `high`, plus that one, so every grid point is a distinct float, and
/// [`GridTree::leaf_index`] maps `high` to it. Points ascend (see
/// [`collapsing_float_grid`]), so the first at `high` is found by bisection: O(log n).
fn distinct_points(domain: &Domain, n: u128) -> (u128, Option<Value>) {
    let Domain::Float {
        high,
        step: Some(_),
        ..
    } = *domain
    else {
        return (n, None);
    };
    let nth = |k: u128| u64::try_from(k).ok().and_then(|k| domain.nth(k));
    let at_high = |k: u128| nth(k).and_then(|v| v.as_f64()).is_none_or(|x| x >= high);
    // The first index whose point is `high`: in 1..n (0 is `low`), or n if none is.
    let (mut lo, mut hi) = (1u128.min(n), n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if at_high(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    match nth(lo) {
        Some(top) if lo < n => (lo + 1, Some(top)),
        _ => (n, None),
    }
}

/// The distance from `m >= 0` (finite) to the next float away from zero (below it, at
/// `f64::MAX`).
fn float_spacing(m: f64) -> f64 {
    if m >= f64::MAX {
        m - f64::from_bits(m.to_bits() - 1)
    } else {
        f64::from_bits(m.to_bits() + 1) - m
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
    use crate::space::Condition;

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

    fn ask(space: &SearchSpace, trials: &[crate::trial::Trial]) -> Option<Params> {
        let ctx = SampleContext {
            space,
            trials,
            direction: crate::trial::Direction::Minimize,
            number: trials.len() as u64,
            seed: 0,
        };
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0);
        Grid::new().sample(&ctx, &mut rng).unwrap()
    }

    /// Issue 11, item 1: memory and time per ask do not grow with the values of a param.
    #[test]
    fn huge_numeric_domains_cost_nothing_per_value() {
        let cases = [
            Domain::int(2, 4_000_000_000),
            Domain::int(4, 4_611_686_018_427_387_904),
            Domain::int(0, 10_000_000),
            Domain::float(0.0, 1e308).step(1e300),
            Domain::Int {
                low: i64::MIN,
                high: i64::MAX,
                log: false,
                step: Some(2),
            },
        ];
        for domain in cases {
            let space = SearchSpace::builder()
                .add("x", domain.clone())
                .build()
                .unwrap();
            let started = std::time::Instant::now();
            let first = ask(&space, &[]).unwrap();
            let trial = crate::trial::Trial::running(0, first.clone());
            let second = ask(&space, &[trial]).unwrap();
            assert!(started.elapsed().as_millis() < 500, "{domain:?}");
            space.check(&first).unwrap();
            space.check(&second).unwrap();
            assert!(!first.same(&second), "{domain:?}");
            assert_eq!(
                first.value("x"),
                domain.nth(0).as_ref(),
                "{domain:?}: the grid starts at low"
            );
        }
    }

    /// Found by the 1 000 000-space fuzz run: grids whose neighbouring points round to
    /// one float proposed that float again and again; now a clear error, and grids just
    /// above the limit have distinct points that round-trip.
    #[test]
    fn float_grids_finer_than_the_float_spacing_are_a_clear_error() {
        for domain in [
            Domain::float(-7.4093600133024395, -5e-324).step(1e-17),
            Domain::float(-1e19, -2.91).step(1.148592848606107),
            Domain::float(1e19, 1e19 + 1e6).step(1e-3),
            Domain::float(0.0, 1e308).step(1e290),
            // Over 4 float spacings, under 8: the bound leaves no margin for rounding.
            Domain::float(-7.5, 0.0).step(4e-15),
            Domain::float(1e19, 1e19 + 1e6).step(8192.0),
        ] {
            let space = SearchSpace::builder().add("x", domain).build().unwrap();
            let message = Grid::new().check_space(&space).unwrap_err().to_string();
            assert!(message.contains("param `x`"), "{message}");
            assert!(message.contains("not all distinct floats"), "{message}");
        }
        for domain in [
            Domain::float(-7.5, 0.0).step(1e-14),
            Domain::float(0.0, 1.0).step(1e-12),
            Domain::float(1e19, 1e19 + 1e6).step(16384.0),
            // `high` off the grid, and `index_of(high)` past the domain's count (the
            // 1 000 000-space run again): low, low + step, and `high` clamped.
            Domain::float(-f64::MAX, 1e308).step(1e308),
            Domain::float(0.0, 0.95).step(0.1),
        ] {
            let space = SearchSpace::builder()
                .add("x", domain.clone())
                .build()
                .unwrap();
            let tree = GridTree::new(&space).unwrap();
            let len = tree.len();
            if domain.nth(0).and_then(|v| v.as_f64()) == Some(-f64::MAX) {
                assert_eq!(len, 3);
            }
            for index in [0, 1, 2, len / 2, len / 2 + 1, len - 2, len - 1] {
                let point = tree.point(index);
                assert_eq!(tree.index_of(&point), Some(index), "{domain:?} at {index}");
                if index > 0 {
                    assert!(!point.same(&tree.point(index - 1)), "{domain:?} at {index}");
                }
            }
        }
    }

    #[test]
    fn domains_beyond_u64_values_are_a_clear_error() {
        for domain in [
            Domain::int(i64::MIN, i64::MAX),
            Domain::float(0.0, 1.0).step(1e-300),
        ] {
            let space = SearchSpace::builder().add("x", domain).build().unwrap();
            let message = Grid::new().check_space(&space).unwrap_err().to_string();
            assert!(message.contains("param `x`"), "{message}");
            assert!(message.contains("more than a grid can number"), "{message}");
        }
    }

    /// Issue 11, item 1: a conditional chain 10 000 deep used to overflow the stack.
    #[test]
    fn deep_conditional_chains_decode_without_recursion() {
        let mut builder = SearchSpace::builder().add("c0", Domain::categorical(["a", "b"]));
        for depth in 1..10_000 {
            builder = builder.add_when(
                format!("c{depth}"),
                Domain::categorical(["a", "b"]),
                format!("c{}", depth - 1),
                ["a"],
            );
        }
        let space = builder.build().unwrap();
        let tree = GridTree::new(&space).unwrap();
        assert_eq!(tree.len(), 10_001);
        for index in [0, 1, 5_000, 10_000] {
            let point = tree.point(index);
            space.check(&point).unwrap();
            assert_eq!(tree.index_of(&point), Some(index));
        }
        let trials: Vec<_> = (0..3)
            .map(|n| crate::trial::Trial::running(n, tree.point(u128::from(n))))
            .collect();
        assert!(ask(&space, &trials).unwrap().same(&tree.point(3)));
    }
}
