//! Exclusive hypervolume contributions in three objectives in O(n log n): the dimension
//! sweep of HVC3D (Guerreiro and Fonseca, "Computing and updating hypervolume
//! contributions in up to four dimensions", IEEE TEC 22(3), 2018), kept exact for
//! dominated points and copies, which cut into the contribution of the one point that
//! dominates them.
//!
//! Points enter in order of the third value. The cross-section at a level is the
//! two-dimensional set of the points entered so far; a point's contribution is the
//! integral over the levels of its exclusive area there (the part of the cross-section
//! that it alone dominates). Only the steps of the staircase (the points no other
//! entered point weakly dominates in the first two values) have such an area, and
//! only inside their box: from the step to its right neighbour's first value and its
//! left neighbour's second value. Each step keeps, as its own little staircase, the
//! points only it dominates (its "inner" points); its exclusive area is its box minus
//! what they cover. A new point either lands in one step's box under it (it joins that
//! step's inner staircase, and the step's area shrinks by what it newly covers), or
//! becomes a step: the steps it dominates become its inner points and their areas end,
//! its two neighbours' boxes shrink, and their inner points it dominates leave (they
//! are then dominated twice and never matter again). Every point joins and leaves
//! an inner staircase at most once, so the whole sweep is O(n log n).

use std::collections::BTreeMap;

use super::points::order_key;

/// A staircase of `(x, y)` points by first value (`order_key`), the second strictly
/// decreasing.
type Stairs = BTreeMap<u64, (f64, f64)>;

/// No neighbour (the end of the linked list of steps).
const NONE: usize = usize::MAX;

/// The inner staircases of all points. A step's starts as the run of steps it covered
/// on entry, stored in one shared pool (no allocation per point), and only loses
/// points at its two ends while no point lands under it; the first that does turns it
/// into an ordered map, where an insertion in the middle is O(log n).
struct InnerStairs {
    pool: Vec<(f64, f64)>,
    of: Vec<Inner>,
}

enum Inner {
    /// `pool[start..end]`, by increasing first value.
    Run(usize, usize),
    Map(Box<Stairs>),
}

impl InnerStairs {
    fn new(n: usize) -> InnerStairs {
        InnerStairs {
            pool: Vec::with_capacity(n),
            of: (0..n).map(|_| Inner::Run(0, 0)).collect(),
        }
    }

    /// Makes `steps` (by increasing first value) the inner staircase of `s`.
    fn set(&mut self, s: usize, steps: impl Iterator<Item = (f64, f64)>) {
        let start = self.pool.len();
        self.pool.extend(steps);
        self.of[s] = Inner::Run(start, self.pool.len());
    }

    fn first(&self, s: usize) -> Option<(f64, f64)> {
        match &self.of[s] {
            Inner::Run(start, end) => (start < end).then(|| self.pool[*start]),
            Inner::Map(map) => map.first_key_value().map(|(_, &p)| p),
        }
    }

    fn last(&self, s: usize) -> Option<(f64, f64)> {
        match &self.of[s] {
            Inner::Run(start, end) => (start < end).then(|| self.pool[end - 1]),
            Inner::Map(map) => map.last_key_value().map(|(_, &p)| p),
        }
    }

    fn pop_first(&mut self, s: usize) {
        match &mut self.of[s] {
            Inner::Run(start, _) => *start += 1,
            Inner::Map(map) => {
                map.pop_first();
            }
        }
    }

    fn pop_last(&mut self, s: usize) {
        match &mut self.of[s] {
            Inner::Run(_, end) => *end -= 1,
            Inner::Map(map) => {
                map.pop_last();
            }
        }
    }

    /// Adds `(x, y)` to the inner staircase of `s`, whose box is bounded by `(right,
    /// top)`; returns the area it newly covers (see [`insert`]).
    fn insert(&mut self, s: usize, x: f64, y: f64, right: f64, top: f64) -> f64 {
        if let Inner::Run(start, end) = self.of[s] {
            let map = self.pool[start..end]
                .iter()
                .map(|&(px, py)| (order_key(px), (px, py)))
                .collect();
            self.of[s] = Inner::Map(Box::new(map));
        }
        match &mut self.of[s] {
            Inner::Map(map) => insert(map, x, y, right, top),
            // Unreachable: made a map just above.
            Inner::Run(..) => 0.0,
        }
    }
}

/// The exclusive contribution of each of the finite points (row after row, three
/// values each), which all strictly dominate the finite `reference`: the hypervolume
/// of all minus that of all but the point, so 0 for dominated points and for points
/// with a copy.
pub(crate) fn contributions(points: &[f64], reference: &[f64]) -> Vec<f64> {
    let n = points.len() / 3;
    // The points in the order of entry, with their index: what belongs to the entering
    // point is then read and written in order (random access there is most of the
    // cost on large sets).
    let mut rows: Vec<([f64; 3], usize)> = points
        .chunks_exact(3)
        .enumerate()
        .map(|(i, p)| ([p[0], p[1], p[2]], i))
        .collect();
    rows.sort_unstable_by(|a, b| a.0[2].total_cmp(&b.0[2]));
    let x = |i: usize| rows[i].0[0];
    let y = |i: usize| rows[i].0[1];

    // Per point (by entry): its exclusive area since a level, the volume up to there,
    // and its inner staircase while it is a step.
    let mut tally = vec![Tally::default(); n];
    let mut inner = InnerStairs::new(n);
    // The steps: first value's key -> point, to find where a point lands; and, to
    // walk between neighbours without searching, a doubly linked list by first value.
    let mut steps: BTreeMap<u64, usize> = BTreeMap::new();
    let mut prev = vec![NONE; n];
    let mut next = vec![NONE; n];
    let mut head = NONE;
    let mut covered: Vec<usize> = Vec::new();
    let some = |i: usize| (i != NONE).then_some(i);

    for q in 0..n {
        let [qx, qy, qz] = rows[q].0;
        let key = order_key(qx);
        // The last step at or left of qx; q's left neighbour and the first step that
        // q may cover.
        let (left, mut walk) = match steps.range(..=key).next_back() {
            Some((_, &s)) if y(s) <= qy => {
                // Under the step s: q matters only inside s's box and not under an
                // inner point (otherwise two points dominate it).
                let top = some(prev[s]).map_or(reference[1], y);
                if qy >= top {
                    continue;
                }
                let right = some(next[s]).map_or(reference[0], x);
                let added = inner.insert(s, qx, qy, right, top);
                if added > 0.0 {
                    tally[s].settle(qz);
                    // A copy of s's projection covers its whole box: exactly 0, not
                    // the rounding left by a subtraction.
                    tally[s].area = if qx == x(s) && qy == y(s) {
                        0.0
                    } else {
                        tally[s].area - added
                    };
                }
                continue;
            }
            // Same first value, higher: q covers it.
            Some((_, &s)) if x(s) == qx => (some(prev[s]), s),
            Some((_, &s)) => (Some(s), next[s]),
            None => (None, head),
        };

        // q becomes a step: `covered` are the steps it dominates (x >= qx, y >= qy),
        // between its left neighbour l and right neighbour r.
        covered.clear();
        while walk != NONE && y(walk) >= qy {
            covered.push(walk);
            walk = next[walk];
        }
        let right = some(walk);
        let box_right = right.map_or(reference[0], x);
        let box_top = left.map_or(reference[1], y);

        if let Some(l) = left {
            // l's box now ends at qx: it loses the columns from qx to its old right
            // end, each as high as l's inner staircase leaves it; its inner points
            // from qx on are dominated by q as well and leave.
            let old_right = covered.first().map_or(box_right, |&c| x(c));
            tally[l].settle(qz);
            let mut end = old_right;
            let mut lost = 0.0;
            while let Some((sx, sy)) = inner.last(l) {
                if sx < qx {
                    break;
                }
                lost += (end - sx) * (sy - y(l));
                end = sx;
                inner.pop_last(l);
            }
            let height = match inner.last(l) {
                Some((_, sy)) => sy,
                None => some(prev[l]).map_or(reference[1], y),
            };
            lost += (end - qx) * (height - y(l));
            tally[l].area -= lost;
            next[l] = q;
        } else {
            head = q;
        }
        if let Some(r) = right {
            // The same for r's rows from qy up to its old top.
            let old_top = covered.last().map_or(box_top, |&c| y(c));
            tally[r].settle(qz);
            let mut top = old_top;
            let mut lost = 0.0;
            while let Some((sx, sy)) = inner.first(r) {
                if sy < qy {
                    break;
                }
                lost += (top - sy) * (sx - x(r));
                top = sy;
                inner.pop_first(r);
            }
            let width = match inner.first(r) {
                Some((sx, _)) => sx,
                None => some(next[r]).map_or(reference[0], x),
            };
            lost += (top - qy) * (width - x(r));
            tally[r].area -= lost;
            prev[r] = q;
        }
        prev[q] = left.unwrap_or(NONE);
        next[q] = right.unwrap_or(NONE);

        // q's area: its box minus the covered steps' staircase, which becomes its
        // inner staircase (their own inner points are dominated twice now).
        let mut from = qx;
        let mut height = box_top;
        let mut own = 0.0;
        for &c in &covered {
            tally[c].settle(qz);
            tally[c].area = 0.0;
            inner.of[c] = Inner::Run(0, 0);
            steps.remove(&order_key(x(c)));
            own += (x(c) - from) * (height - qy);
            from = x(c);
            height = y(c);
        }
        own += (box_right - from) * (height - qy);
        inner.set(q, covered.iter().map(|&c| (x(c), y(c))));
        tally[q].area = own;
        tally[q].since = qz;
        steps.insert(key, q);
    }
    for &s in steps.values() {
        tally[s].settle(reference[2]);
    }
    let mut result = vec![0.0; n];
    for (t, (_, i)) in tally.iter().zip(&rows) {
        // Areas kept by subtraction may end a rounding error below an exact 0.
        result[*i] = t.volume.max(0.0);
    }
    result
}

/// A point's exclusive area in the cross-section from level `since` on, and its
/// exclusive volume below that level.
#[derive(Clone, Copy, Default)]
struct Tally {
    area: f64,
    since: f64,
    volume: f64,
}

impl Tally {
    /// Adds the volume up to `level`, before the area changes there.
    fn settle(&mut self, level: f64) {
        self.volume += self.area * (level - self.since);
        self.since = level;
    }
}

/// Adds `(x, y)` to `stairs`, whose region is bounded by `(right, top)`; returns the
/// area it newly covers (0 if a step weakly dominates it). `y < top`.
fn insert(stairs: &mut Stairs, x: f64, y: f64, right: f64, top: f64) -> f64 {
    let key = order_key(x);
    let below = stairs.range(..=key).next_back();
    if below.is_some_and(|(_, &(_, sy))| sy <= y) {
        return 0.0;
    }
    let mut height = stairs
        .range(..key)
        .next_back()
        .map_or(top, |(_, &(_, sy))| sy);
    let mut from = x;
    let mut end = right;
    let mut added = 0.0;
    // The steps q dominates (from x on, down to y) leave; the area reaches up to each.
    while let Some((&k, &(sx, sy))) = stairs.range(key..).next() {
        if sy < y {
            end = sx;
            break;
        }
        added += (sx - from) * (height - y);
        from = sx;
        height = sy;
        stairs.remove(&k);
    }
    added += (end - from) * (height - y);
    stairs.insert(key, (x, y));
    added
}

#[cfg(test)]
mod tests {
    use super::super::hypervolume::exclusive;
    use super::super::hypervolume::tests::{grid_volume, integer_points};
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Each point's box minus the hypervolume of all the others clipped to it (WFG's
    /// limited set, with the general slicing code): an independent computation.
    fn by_limited_sets(points: &[Vec<f64>], reference: &[f64]) -> Vec<f64> {
        (0..points.len())
            .map(|i| {
                let others: Vec<Vec<f64>> = (0..points.len())
                    .filter(|&j| j != i)
                    .map(|j| points[j].clone())
                    .collect();
                exclusive(&points[i], &others, reference).max(0.0)
            })
            .collect()
    }

    fn run(points: &[Vec<f64>], reference: &[f64]) -> Vec<f64> {
        contributions(&points.concat(), reference)
    }

    /// Sets full of ties (few levels per objective), copies and dominated points,
    /// larger than the grid count allows, against the limited sets, exactly (integer
    /// values keep every sum exact).
    #[test]
    fn tie_heavy_sets_match_the_limited_sets_exactly() {
        let mut rng = ChaCha8Rng::seed_from_u64(33);
        for case in 0..300 {
            let n = rng.random_range(1..120);
            let levels = [2, 3, 5, 12, 60][case % 5];
            let points = integer_points(&mut rng, n, 3, levels);
            let reference = vec![f64::from(levels); 3];
            assert_eq!(
                run(&points, &reference),
                by_limited_sets(&points, &reference),
                "case {case}: {points:?}"
            );
        }
    }

    /// Small sets against HV(all) - HV(all but i) by grid count.
    #[test]
    fn small_sets_match_the_grid_count() {
        let mut rng = ChaCha8Rng::seed_from_u64(34);
        for case in 0..300 {
            let n = rng.random_range(1..16);
            let levels = [2, 4, 9][case % 3];
            let points = integer_points(&mut rng, n, 3, levels);
            let reference = vec![f64::from(levels); 3];
            let all = grid_volume(&points, &reference);
            let want: Vec<f64> = (0..n)
                .map(|i| {
                    let mut rest = points.clone();
                    rest.remove(i);
                    all - grid_volume(&rest, &reference)
                })
                .collect();
            assert_eq!(run(&points, &reference), want, "case {case}: {points:?}");
        }
    }

    /// A front with every point's dominated "shadow" (a copy pushed up in one
    /// objective), in every order of entry: the shadows cut into their dominator's
    /// contribution, not to 0.
    #[test]
    fn shadows_cut_into_their_only_dominator() {
        let front = [[0.0, 2.0, 1.0], [1.0, 1.0, 1.0], [2.0, 0.0, 1.0]];
        let reference = [3.0, 3.0, 3.0];
        // Alone, each covers its 1 x 1 column and more: by inclusion-exclusion in
        // the plane, (0,2) alone has 1 x 1, (1,1) has 1 x 1, (2,0) 1 x 1; times 2.
        assert_eq!(run(&front.map(|p| p.to_vec()), &reference), [2.0, 2.0, 2.0]);
        // (1,1,2) is dominated by (1,1,1) only: (1,1,1) now adds [1,2)x[1,2)x[1,2).
        let mut with_shadow: Vec<Vec<f64>> = front.iter().map(|p| p.to_vec()).collect();
        with_shadow.push(vec![1.0, 1.0, 2.0]);
        assert_eq!(run(&with_shadow, &reference), [2.0, 1.0, 2.0, 0.0]);
        // A copy: both 0.
        with_shadow.push(vec![2.0, 0.0, 1.0]);
        assert_eq!(run(&with_shadow, &reference), [2.0, 1.0, 0.0, 0.0, 0.0]);
    }
}
