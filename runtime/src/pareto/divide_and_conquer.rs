//! Non-dominated sorting of distinct, lexicographically sorted points (used for four or
//! more objectives beyond 2000 points; correct from two): Jensen's divide and conquer
//! (2003) as corrected by Buzdalov and Shalyto ("A provably asymptotically fast version
//! of the generalized Jensen algorithm for non-dominated sorting", PPSN 2014), which
//! stays correct with equal values in any objective. O(n log^(m-1) n) for n points in m
//! objectives; sets below a few dozen points compare every pair instead.
//!
//! Points are indices into the sorted array, so index order is lexicographic order and
//! an earlier point is never dominated by a later one: every comparison needs only
//! objectives 1..=k (objective 0 is implied by the order, objectives above k by the
//! recursion). Each set below is kept in index order.

use std::collections::BTreeMap;

use super::points::{order_key, Matrix};

/// The rank of each point of `m` (distinct, lexicographically sorted, `m.dim >= 2`).
pub(crate) fn ranks(m: &Matrix) -> Vec<usize> {
    let mut sorter = Sorter {
        values: &m.values,
        dim: m.dim,
        rank: vec![0; m.len],
    };
    let all: Vec<usize> = (0..m.len).collect();
    sorter.helper_a(&all, m.dim - 1);
    sorter.rank
}

/// Below these sizes comparing every pair is cheaper than dividing further (measured
/// with `runtime/benches/pareto.rs`).
const BRUTE_FORCE_SET: usize = 64;
const BRUTE_FORCE_PAIRS: usize = 2048;

struct Sorter<'a> {
    values: &'a [f64],
    dim: usize,
    /// A lower bound of each point's rank, final once every point that may dominate it
    /// has been compared with it.
    rank: Vec<usize>,
}

impl Sorter<'_> {
    fn value(&self, point: usize, objective: usize) -> f64 {
        self.values[point * self.dim + objective]
    }

    /// Whether `low` (earlier in index order) is no worse than `high` in objectives
    /// 1..=k, so dominates it given what the caller knows of the other objectives.
    fn weakly_better(&self, low: usize, high: usize, k: usize) -> bool {
        (1..=k).all(|j| self.value(low, j) <= self.value(high, j))
    }

    fn raise(&mut self, point: usize, above: usize) {
        let r = self.rank[above] + 1;
        if self.rank[point] < r {
            self.rank[point] = r;
        }
    }

    /// Ranks the points of `set` among themselves, on objectives 0..=k; the objectives
    /// above `k` are equal across `set`.
    fn helper_a(&mut self, set: &[usize], k: usize) {
        if set.len() <= BRUTE_FORCE_SET {
            // In index order, so a point's rank is final before it raises later ones.
            for (j, &high) in set.iter().enumerate() {
                for &low in &set[..j] {
                    if self.weakly_better(low, high, k) {
                        self.raise(high, low);
                    }
                }
            }
            return;
        }
        if k == 1 {
            self.sweep_a(set);
            return;
        }
        let Some(median) = self.split_value(set, &[], k) else {
            // All equal in objective k.
            self.helper_a(set, k - 1);
            return;
        };
        let (low, mid, high) = self.split(set, k, median);
        self.helper_a(&low, k);
        self.helper_b(&low, &mid, k - 1);
        self.helper_a(&mid, k - 1);
        let low_mid = merge(&low, &mid);
        self.helper_b(&low_mid, &high, k - 1);
        self.helper_a(&high, k);
    }

    /// Raises the ranks of `high` by those of `low` (final), on objectives 0..=k; every
    /// point of `low` is no worse than every point of `high` above objective `k`.
    fn helper_b(&mut self, low: &[usize], high: &[usize], k: usize) {
        if low.is_empty() || high.is_empty() {
            return;
        }
        if low.len() * high.len() <= BRUTE_FORCE_PAIRS {
            for &h in high {
                for &l in low {
                    if l < h && self.weakly_better(l, h, k) {
                        self.raise(h, l);
                    }
                }
            }
            return;
        }
        if k == 1 {
            self.sweep_b(low, high);
            return;
        }
        let (low_min, low_max) = self.min_max(low, k);
        let (high_min, high_max) = self.min_max(high, k);
        if low_max <= high_min {
            self.helper_b(low, high, k - 1);
            return;
        }
        if low_min > high_max {
            return;
        }
        let Some(median) = self.split_value(low, high, k) else {
            self.helper_b(low, high, k - 1);
            return;
        };
        let (low1, low2, low3) = self.split(low, k, median);
        let (high1, high2, high3) = self.split(high, k, median);
        self.helper_b(&low1, &high1, k);
        self.helper_b(&merge(&low1, &low2), &merge(&high2, &high3), k - 1);
        self.helper_b(&low3, &high3, k);
    }

    /// Two objectives left (0 by order, 1 by value): a staircase of (value 1 -> rank)
    /// with ranks increasing in value 1, so the best rank below a point is its
    /// predecessor's.
    fn sweep_a(&mut self, set: &[usize]) {
        let mut stairs: BTreeMap<u64, usize> = BTreeMap::new();
        for &s in set {
            let key = order_key(self.value(s, 1));
            if let Some((_, &below)) = stairs.range(..=key).next_back() {
                if self.rank[s] <= below {
                    self.rank[s] = below + 1;
                }
            }
            insert_step(&mut stairs, key, self.rank[s]);
        }
    }

    /// `sweep_a` across two sets: points of `low` enter the staircase as the sweep
    /// passes them, points of `high` only read it.
    fn sweep_b(&mut self, low: &[usize], high: &[usize]) {
        let mut stairs: BTreeMap<u64, usize> = BTreeMap::new();
        let mut next = 0;
        for &h in high {
            while next < low.len() && low[next] < h {
                let l = low[next];
                insert_step(&mut stairs, order_key(self.value(l, 1)), self.rank[l]);
                next += 1;
            }
            let key = order_key(self.value(h, 1));
            if let Some((_, &below)) = stairs.range(..=key).next_back() {
                if self.rank[h] <= below {
                    self.rank[h] = below + 1;
                }
            }
        }
    }

    fn min_max(&self, set: &[usize], k: usize) -> (f64, f64) {
        set.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| {
                let v = self.value(p, k);
                (lo.min(v), hi.max(v))
            })
    }

    /// The median of objective `k` over both sets, or `None` if all values are equal.
    fn split_value(&self, a: &[usize], b: &[usize], k: usize) -> Option<f64> {
        let mut values: Vec<f64> = a.iter().chain(b).map(|&p| self.value(p, k)).collect();
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if lo == hi {
            return None;
        }
        let middle = values.len() / 2;
        let (_, median, _) = values.select_nth_unstable_by(middle, f64::total_cmp);
        Some(*median)
    }

    /// The points below, at and above `median` in objective `k`, each in index order.
    fn split(&self, set: &[usize], k: usize, median: f64) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
        let (mut low, mut mid, mut high) = (Vec::new(), Vec::new(), Vec::new());
        for &p in set {
            let v = self.value(p, k);
            if v < median {
                low.push(p);
            } else if v == median {
                mid.push(p);
            } else {
                high.push(p);
            }
        }
        (low, mid, high)
    }
}

/// Adds a step (value key -> rank) unless a step at or below it has a rank as good;
/// removes the steps at or above it that it makes useless.
fn insert_step(stairs: &mut BTreeMap<u64, usize>, key: u64, rank: usize) {
    if let Some((_, &below)) = stairs.range(..=key).next_back() {
        if below >= rank {
            return;
        }
    }
    let covered: Vec<u64> = stairs
        .range(key..)
        .take_while(|(_, &r)| r <= rank)
        .map(|(&k, _)| k)
        .collect();
    for k in covered {
        stairs.remove(&k);
    }
    stairs.insert(key, rank);
}

/// Two index-sorted sets merged into one.
fn merge(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}
