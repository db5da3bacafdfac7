//! Three-objective hypervolume in O(n log n): the dimension sweep of Beume, Fonseca,
//! López-Ibáñez, Paquete and Vahrenhold ("On the complexity of computing the
//! hypervolume indicator", IEEE TEC 2009). Points enter in order of the third
//! objective; an ordered map holds the two-dimensional staircase of those seen so far
//! (first objective -> second, the second decreasing), and the area under it, updated
//! by each insertion, is multiplied by the gap to the next point's third value.

use std::collections::BTreeMap;

use super::points::order_key;

/// The hypervolume of finite points (row after row, three values each) that all
/// strictly dominate the finite `reference`.
pub(crate) fn volume(points: &[f64], reference: &[f64]) -> f64 {
    let mut rows: Vec<[f64; 3]> = points.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    rows.sort_unstable_by(|a, b| a[2].total_cmp(&b[2]));
    let mut stairs = Staircase::new(reference[0], reference[1]);
    let mut total = 0.0;
    for (i, p) in rows.iter().enumerate() {
        if i > 0 {
            total += stairs.area * (p[2] - rows[i - 1][2]);
        }
        stairs.insert(p[0], p[1]);
    }
    if let Some(last) = rows.last() {
        total += stairs.area * (reference[2] - last[2]);
    }
    total
}

/// The volume of the box from `p` to `reference` that no point of `others` dominates
/// (three objectives; `others` in increasing order of the third value, all strictly
/// dominating the reference): the sweep runs over the others clipped to the box,
/// summing the part of the box's cross-section their staircase leaves uncovered, and
/// stops at the first clipped point that covers all of it (0 for a `p` some other
/// point weakly dominates).
pub(crate) fn uncovered<'a>(
    p: &[f64],
    others: impl Iterator<Item = &'a [f64]>,
    reference: &[f64],
) -> f64 {
    let section = (reference[0] - p[0]) * (reference[1] - p[1]);
    let mut stairs = Staircase::new(reference[0], reference[1]);
    let mut alone = 0.0;
    let mut level = p[2];
    for q in others {
        let z = q[2].max(p[2]);
        alone += (section - stairs.area).max(0.0) * (z - level);
        level = z;
        let (x, y) = (q[0].max(p[0]), q[1].max(p[1]));
        stairs.insert(x, y);
        if x == p[0] && y == p[1] {
            return alone;
        }
    }
    alone + (section - stairs.area).max(0.0) * (reference[2] - level)
}

/// The non-dominated points of a two-objective set, by first value, and the area they
/// dominate up to the reference.
pub(crate) struct Staircase {
    steps: BTreeMap<u64, (f64, f64)>,
    reference: (f64, f64),
    pub(crate) area: f64,
    removed: Vec<u64>,
}

impl Staircase {
    pub(crate) fn new(reference_x: f64, reference_y: f64) -> Staircase {
        Staircase {
            steps: BTreeMap::new(),
            reference: (reference_x, reference_y),
            area: 0.0,
            removed: Vec::new(),
        }
    }

    /// Adds the point `(x, y)`; returns the area it added (0 if it is weakly dominated).
    pub(crate) fn insert(&mut self, x: f64, y: f64) -> f64 {
        let key = order_key(x);
        if let Some((_, &(_, below_y))) = self.steps.range(..=key).next_back() {
            if below_y <= y {
                return 0.0;
            }
        }
        // The height of the staircase just left of x (the reference without a step).
        let mut height = self
            .steps
            .range(..key)
            .next_back()
            .map_or(self.reference.1, |(_, &(_, sy))| sy);
        let mut from = x;
        let mut added = 0.0;
        let mut right_end = self.reference.0;
        self.removed.clear();
        for (&k, &(sx, sy)) in self.steps.range(key..) {
            if sy < y {
                right_end = sx;
                break;
            }
            // This step is dominated by (x, y): the new area reaches up to it.
            added += (sx - from) * (height - y);
            from = sx;
            height = sy;
            self.removed.push(k);
        }
        added += (right_end - from) * (height - y);
        for k in &self.removed {
            self.steps.remove(k);
        }
        self.steps.insert(key, (x, y));
        self.area += added;
        added
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staircase_adds_what_each_point_newly_dominates() {
        let mut s = Staircase::new(10.0, 10.0);
        assert_eq!(s.insert(5.0, 5.0), 25.0);
        assert_eq!(s.insert(6.0, 6.0), 0.0, "dominated");
        assert_eq!(s.insert(5.0, 5.0), 0.0, "a duplicate");
        assert_eq!(s.insert(2.0, 8.0), 6.0);
        // Dominates (5,5) and (2,8)'s right part: the whole staircase is replaced.
        assert_eq!(s.insert(1.0, 4.0), 54.0 - 31.0);
        assert_eq!(s.area, 54.0);
        assert_eq!(s.steps.len(), 1);
        assert_eq!(s.insert(7.0, 1.0), 9.0);
        assert_eq!(s.area, 63.0);
    }
}
