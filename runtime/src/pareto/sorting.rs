//! Non-dominated sorting: the rank (front number, from 0) of every point.
//!
//! The points are sorted lexicographically and duplicates merged first (equal points
//! share a rank, as in Optuna's `_fast_non_domination_rank`); in lexicographic order no
//! point dominates an earlier one. One objective: the rank is the index of the value
//! among the distinct values. Two: one sweep with a binary search over the fronts'
//! lowest second values, O(n log n). Three: the same search over fronts held as
//! staircases, O(n log n log fronts). More: up to 2000 distinct points the same search
//! testing fronts point by point (ENS-BS); beyond, the divide and conquer of Jensen
//! (2003) in the corrected, tie-safe form of Buzdalov and Shalyto (2014),
//! O(n log^(m-1) n) (`divide_and_conquer.rs`).
//!
//! `n_below` ranks all fronts and then merges the ones after the first `n_below`
//! points: the result is Optuna's, though not computed with its early stop (the sweeps
//! above cost little more than the first fronts alone).

use std::collections::BTreeMap;

use super::divide_and_conquer;
use super::domination::total_violation;
use super::points::{order_key, Matrix};
use crate::error::{Error, Result};

/// The non-domination rank of every point (all objectives minimised): 0 for the
/// Pareto front, 1 for the front of what is left, and so on. Equal points get equal
/// ranks. An empty slice gives an empty vector.
///
/// An error if the points have different lengths, no values, or a NaN. `+inf` and
/// `-inf` are ordinary values here.
///
/// ```
/// use tunekit::pareto::non_dominated_ranks;
///
/// let points = [[1.0, 4.0], [2.0, 2.0], [3.0, 3.0], [4.0, 1.0], [2.0, 2.0]];
/// assert_eq!(non_dominated_ranks(&points)?, [0, 0, 1, 0, 0]);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn non_dominated_ranks<P: AsRef<[f64]>>(points: &[P]) -> Result<Vec<usize>> {
    Ok(ranks(&Matrix::new(points, None)?, None))
}

/// [`non_dominated_ranks`], exact only for the best fronts: fronts are taken in order
/// until they hold at least `n_below` distinct points, and every point after them gets
/// the next rank. This is Optuna's `n_below` (what NSGA-II's selection and
/// multi-objective TPE's split need); `n_below = 0` ranks every point 0. With one
/// objective, ranks are always exact.
///
/// ```
/// use tunekit::pareto::non_dominated_ranks_top;
///
/// let points = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
/// assert_eq!(non_dominated_ranks_top(&points, 2)?, [0, 1, 2, 2]);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn non_dominated_ranks_top<P: AsRef<[f64]>>(
    points: &[P],
    n_below: usize,
) -> Result<Vec<usize>> {
    Ok(ranks(&Matrix::new(points, None)?, Some(n_below)))
}

/// Non-domination ranks under Deb's constrained domination, as Optuna's NSGA-II ranks a
/// population: the feasible points (every constraint `<= 0`) first, by
/// [`non_dominated_ranks`]; then the infeasible ones, after the worst feasible rank,
/// ranked by their [`total_violation`](super::total_violation) (equal violations share
/// a rank). `constraints[i]` holds point `i`'s constraint values (any number of them;
/// none is feasible).
///
/// With `Some(n_below)`, as [`non_dominated_ranks_top`]: the feasible fronts are exact
/// up to `n_below` points; if the feasible points are that many or more, every
/// infeasible point gets the rank after the feasible ones.
///
/// ```
/// use tunekit::pareto::constrained_non_dominated_ranks;
///
/// let points = [[0.0, 0.0], [1.0, 1.0], [5.0, 5.0], [9.0, 9.0]];
/// let constraints = [vec![3.0], vec![-1.0], vec![0.0, -2.0], vec![0.5, 0.5]];
/// assert_eq!(constrained_non_dominated_ranks(&points, &constraints, None)?, [3, 0, 1, 2]);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn constrained_non_dominated_ranks<P: AsRef<[f64]>, C: AsRef<[f64]>>(
    points: &[P],
    constraints: &[C],
    n_below: Option<usize>,
) -> Result<Vec<usize>> {
    let matrix = Matrix::new(points, None)?;
    if constraints.len() != points.len() {
        return Err(Error::InvalidPoints(format!(
            "{} points but {} constraint lists: give one list (maybe empty) per point",
            points.len(),
            constraints.len()
        )));
    }
    let mut violations = Vec::with_capacity(points.len());
    for (i, c) in constraints.iter().enumerate() {
        let v = total_violation(c.as_ref())
            .map_err(|e| Error::InvalidPoints(format!("point {i}: {e}")))?;
        violations.push(v);
    }
    let feasible: Vec<usize> = (0..points.len())
        .filter(|&i| violations[i] == 0.0)
        .collect();
    let infeasible: Vec<usize> = (0..points.len()).filter(|&i| violations[i] > 0.0).collect();
    let mut result = vec![0; points.len()];

    let feasible_matrix = Matrix {
        values: feasible
            .iter()
            .flat_map(|&i| matrix.row(i))
            .copied()
            .collect(),
        dim: matrix.dim,
        len: feasible.len(),
    };
    let n_below = n_below.unwrap_or(points.len());
    let feasible_ranks = ranks(&feasible_matrix, Some(n_below));
    for (&i, &rank) in feasible.iter().zip(&feasible_ranks) {
        result[i] = rank;
    }
    let first_infeasible = feasible_ranks.iter().max().map_or(0, |r| r + 1);
    // Optuna ranks infeasible points only if the feasible ones fall short of `n_below`.
    let infeasible_ranks = if feasible.len() >= n_below {
        vec![0; infeasible.len()]
    } else {
        let penalties = Matrix {
            values: infeasible.iter().map(|&i| violations[i]).collect(),
            dim: 1,
            len: infeasible.len(),
        };
        ranks(&penalties, None)
    };
    for (&i, &rank) in infeasible.iter().zip(&infeasible_ranks) {
        result[i] = first_infeasible + rank;
    }
    Ok(result)
}

/// The indices (in input order) of the points on the Pareto front: those no other
/// point dominates. Duplicates of a front point are all on it.
///
/// ```
/// use tunekit::pareto::pareto_front;
///
/// let points = [[3.0, 1.0], [2.0, 2.0], [2.5, 2.5], [1.0, 3.0], [2.0, 2.0]];
/// assert_eq!(pareto_front(&points)?, [0, 1, 3, 4]);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn pareto_front<P: AsRef<[f64]>>(points: &[P]) -> Result<Vec<usize>> {
    let ranks = ranks(&Matrix::new(points, None)?, Some(1));
    Ok((0..ranks.len()).filter(|&i| ranks[i] == 0).collect())
}

/// Ranks of every point of `m`; with `Some(n_below)`, exact only for the fronts that
/// hold the first `n_below` distinct points (see [`non_dominated_ranks_top`]).
pub(crate) fn ranks(m: &Matrix, n_below: Option<usize>) -> Vec<usize> {
    if m.len == 0 {
        return Vec::new();
    }
    if n_below == Some(0) {
        return vec![0; m.len];
    }
    let (unique, group) = unique_lexsorted(m);
    let mut unique_ranks = match unique.dim {
        // Sorted distinct values: the rank is the position.
        1 => (0..unique.len).collect(),
        2 => two_objectives(&unique),
        3 => three_objectives(&unique),
        _ if unique.len <= FEW_POINTS => fronts_by_search(&unique),
        _ => divide_and_conquer::ranks(&unique),
    };
    if let (Some(n_below), true) = (n_below, unique.dim > 1) {
        cut_after(&mut unique_ranks, n_below);
    }
    group.iter().map(|&g| unique_ranks[g]).collect()
}

/// The distinct points of `m` in lexicographic order, and for each input point the
/// index of its distinct point.
fn unique_lexsorted(m: &Matrix) -> (Matrix, Vec<usize>) {
    let order: Vec<usize> = match m.dim {
        // Sorting keys held next to the index is several times faster than comparing
        // rows through the index; the integer keys order as the floats do.
        2 => {
            let mut keyed: Vec<(u64, u64, usize)> = (0..m.len)
                .map(|i| {
                    (
                        order_key(m.values[2 * i]),
                        order_key(m.values[2 * i + 1]),
                        i,
                    )
                })
                .collect();
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, _, i)| i).collect()
        }
        3 => {
            let mut keyed: Vec<(u64, u64, u64, usize)> = (0..m.len)
                .map(|i| {
                    let row = m.row(i);
                    (order_key(row[0]), order_key(row[1]), order_key(row[2]), i)
                })
                .collect();
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, _, _, i)| i).collect()
        }
        _ => {
            let mut order: Vec<usize> = (0..m.len).collect();
            order.sort_unstable_by(|&a, &b| lex_cmp(m.row(a), m.row(b)));
            order
        }
    };
    let mut values = Vec::with_capacity(m.values.len());
    let mut group = vec![0; m.len];
    let mut count = 0;
    for (k, &i) in order.iter().enumerate() {
        if k == 0 || m.row(order[k - 1]) != m.row(i) {
            values.extend_from_slice(m.row(i));
            count += 1;
        }
        group[i] = count - 1;
    }
    (
        Matrix {
            values,
            dim: m.dim,
            len: count,
        },
        group,
    )
}

pub(crate) fn lex_cmp(a: &[f64], b: &[f64]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        match x.total_cmp(y) {
            std::cmp::Ordering::Equal => {}
            other => return other,
        }
    }
    std::cmp::Ordering::Equal
}

/// Two objectives, distinct points in lexicographic order: every earlier point has a
/// smaller or equal first value, so a point is dominated by front `k` exactly when some
/// point of front `k` so far has a second value `<=` its own. The fronts' smallest
/// second values never decrease with `k`: binary search for the first front that does
/// not dominate the point.
fn two_objectives(m: &Matrix) -> Vec<usize> {
    let mut lowest: Vec<f64> = Vec::new();
    let mut ranks = Vec::with_capacity(m.len);
    for i in 0..m.len {
        let y = m.values[2 * i + 1];
        let rank = lowest.partition_point(|&low| low <= y);
        if rank == lowest.len() {
            lowest.push(y);
        } else {
            lowest[rank] = y;
        }
        ranks.push(rank);
    }
    ranks
}

/// Three objectives, distinct points in lexicographic order: the same search over
/// fronts as with two, each front kept as the staircase of its (second, third) values
/// (second increasing, third decreasing). A front dominates a point exactly when the
/// step at or before the point's second value has a third value `<=` the point's, and
/// whoever front `k` dominates, front `k - 1` dominates too: binary search over fronts,
/// O(n log n log fronts).
fn three_objectives(m: &Matrix) -> Vec<usize> {
    let mut fronts: Vec<BTreeMap<u64, f64>> = Vec::new();
    let mut ranks = Vec::with_capacity(m.len);
    for i in 0..m.len {
        let (y, z) = (m.values[3 * i + 1], m.values[3 * i + 2]);
        let key = order_key(y);
        let dominates = |front: &BTreeMap<u64, f64>| {
            front
                .range(..=key)
                .next_back()
                .is_some_and(|(_, &step)| step <= z)
        };
        let rank = fronts.partition_point(dominates);
        if rank == fronts.len() {
            fronts.push(BTreeMap::new());
        }
        let front = &mut fronts[rank];
        // The point is not dominated by its front: drop the steps it covers.
        let covered: Vec<u64> = front
            .range(key..)
            .take_while(|(_, &step)| step >= z)
            .map(|(&k, _)| k)
            .collect();
        for k in covered {
            front.remove(&k);
        }
        front.insert(key, z);
        ranks.push(rank);
    }
    ranks
}

/// Up to this many distinct points in four or more objectives, `fronts_by_search` beats
/// the divide and conquer (measured with `runtime/benches/pareto.rs`).
const FEW_POINTS: usize = 2000;

/// Any number of objectives, distinct points in lexicographic order: binary search over
/// the fronts, each tested point by point, the latest first (ENS-BS, Zhang et al. 2015).
/// O(n^2 m) at worst, fast while fronts are small.
pub(crate) fn fronts_by_search(m: &Matrix) -> Vec<usize> {
    let mut fronts: Vec<Vec<usize>> = Vec::new();
    let mut ranks = Vec::with_capacity(m.len);
    for i in 0..m.len {
        let point = m.row(i);
        // An earlier distinct point no worse in every objective dominates.
        let dominates = |front: &Vec<usize>| {
            front
                .iter()
                .rev()
                .any(|&j| m.row(j).iter().zip(point).all(|(a, b)| a <= b))
        };
        let rank = fronts.partition_point(dominates);
        if rank == fronts.len() {
            fronts.push(Vec::new());
        }
        fronts[rank].push(i);
        ranks.push(rank);
    }
    ranks
}

/// Keeps the ranks of the fronts that together first hold `n_below` points and gives
/// every later point the next rank (Optuna peels fronts while fewer than `n_below`
/// points are ranked).
fn cut_after(ranks: &mut [usize], n_below: usize) {
    let fronts = ranks.iter().max().map_or(0, |r| r + 1);
    let mut sizes = vec![0usize; fronts];
    for &r in ranks.iter() {
        sizes[r] += 1;
    }
    let mut ranked = 0;
    let mut kept = 0;
    while kept < fronts && ranked < n_below {
        ranked += sizes[kept];
        kept += 1;
    }
    for r in ranks.iter_mut() {
        *r = (*r).min(kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Optuna's algorithm, quadratically: merge duplicates, then peel fronts of
    /// distinct points until `n_below` are ranked; the rest get the next rank.
    fn reference_ranks(points: &[Vec<f64>], n_below: Option<usize>) -> Vec<usize> {
        if points.is_empty() {
            return Vec::new();
        }
        if n_below == Some(0) {
            return vec![0; points.len()];
        }
        let mut distinct: Vec<Vec<f64>> = Vec::new();
        for p in points {
            if !distinct.contains(p) {
                distinct.push(p.clone());
            }
        }
        let dominated = |a: &[f64], b: &[f64]| {
            a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
        };
        let mut rank_of = vec![usize::MAX; distinct.len()];
        let one_objective = points[0].len() == 1;
        let limit = if one_objective {
            distinct.len()
        } else {
            n_below.unwrap_or(distinct.len())
        };
        let mut rank = 0;
        let mut ranked = 0;
        while ranked < limit.min(distinct.len()) {
            let front: Vec<usize> = (0..distinct.len())
                .filter(|&i| rank_of[i] == usize::MAX)
                .filter(|&i| {
                    !(0..distinct.len())
                        .any(|j| rank_of[j] == usize::MAX && dominated(&distinct[j], &distinct[i]))
                })
                .collect();
            for &i in &front {
                rank_of[i] = rank;
            }
            ranked += front.len();
            rank += 1;
        }
        for r in rank_of.iter_mut() {
            if *r == usize::MAX {
                *r = rank;
            }
        }
        points
            .iter()
            .map(|p| rank_of[distinct.iter().position(|d| d == p).unwrap()])
            .collect()
    }

    /// Points on a coarse grid (many ties and duplicates), a few infinities.
    fn random_points(rng: &mut ChaCha8Rng, n: usize, dim: usize, levels: u32) -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| {
                (0..dim)
                    .map(|_| match rng.random_range(0..40) {
                        0 => f64::INFINITY,
                        1 => f64::NEG_INFINITY,
                        2 => -0.0,
                        _ => f64::from(rng.random_range(0..levels)),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn ranks_match_the_quadratic_reference_with_ties_and_duplicates() {
        let mut rng = ChaCha8Rng::seed_from_u64(15);
        for case in 0..1500 {
            let dim = 1 + case % 5;
            let n = rng.random_range(0..60);
            let levels = [2, 3, 5, 20][case % 4];
            let points = random_points(&mut rng, n, dim, levels);
            assert_eq!(
                non_dominated_ranks(&points).unwrap(),
                reference_ranks(&points, None),
                "case {case}: {points:?}"
            );
            let n_below = rng.random_range(0..n + 2);
            assert_eq!(
                non_dominated_ranks_top(&points, n_below).unwrap(),
                reference_ranks(&points, Some(n_below)),
                "case {case}, n_below {n_below}: {points:?}"
            );
        }
    }

    #[test]
    fn larger_sets_match_the_reference() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for dim in 2..=6 {
            for levels in [4, 1000] {
                let points = random_points(&mut rng, 400, dim, levels);
                assert_eq!(
                    non_dominated_ranks(&points).unwrap(),
                    reference_ranks(&points, None),
                    "dim {dim}, levels {levels}"
                );
            }
        }
    }

    /// The two algorithms for four and more objectives agree on sets large enough for
    /// the divide and conquer's recursion (and with the reference on smaller ones).
    #[test]
    fn both_many_objective_algorithms_agree() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for (dim, n, levels) in [
            (3, 300, 5),
            (4, 300, 4),
            (4, 3000, 1000),
            (5, 2000, 6),
            (6, 1500, 1000),
        ] {
            let points = random_points(&mut rng, n, dim, levels);
            let (unique, group) = unique_lexsorted(&Matrix::new(&points, None).unwrap());
            let dc = divide_and_conquer::ranks(&unique);
            assert_eq!(dc, fronts_by_search(&unique), "dim {dim}, n {n}");
            if n <= 300 {
                let dc: Vec<usize> = group.iter().map(|&g| dc[g]).collect();
                assert_eq!(dc, reference_ranks(&points, None), "dim {dim}, n {n}");
            }
        }
    }

    #[test]
    fn hand_ranked_cases() {
        let points = [
            [1.0, 1.0, 1.0],
            [2.0, 2.0, 2.0],
            [0.0, 3.0, 3.0],
            [2.0, 2.0, 2.0],
        ];
        assert_eq!(non_dominated_ranks(&points).unwrap(), [0, 1, 0, 1]);
        assert_eq!(
            non_dominated_ranks(&[[3.0], [1.0], [3.0], [2.0]]).unwrap(),
            [2, 0, 2, 1]
        );
        let chain: Vec<[f64; 4]> = (0..5).map(|i| [f64::from(i); 4]).collect();
        assert_eq!(non_dominated_ranks(&chain).unwrap(), [0, 1, 2, 3, 4]);
        assert_eq!(non_dominated_ranks_top(&chain, 3).unwrap(), [0, 1, 2, 3, 3]);
        assert_eq!(non_dominated_ranks_top(&chain, 0).unwrap(), [0; 5]);
        let empty: [[f64; 2]; 0] = [];
        assert!(non_dominated_ranks(&empty).unwrap().is_empty());
        assert!(pareto_front(&empty).unwrap().is_empty());
        // n_below counts distinct points: the duplicated front point counts once.
        let points = [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [2.0, 2.0]];
        assert_eq!(non_dominated_ranks_top(&points, 2).unwrap(), [0, 0, 1, 2]);
    }

    #[test]
    fn errors_name_the_point() {
        let err = non_dominated_ranks(&[vec![1.0, 2.0], vec![f64::NAN, 0.0]]).unwrap_err();
        assert!(err.to_string().contains("point 1 has NaN"), "{err}");
        let err = non_dominated_ranks(&[vec![1.0, 2.0], vec![1.0]]).unwrap_err();
        assert!(err.to_string().contains("point 1 has 1 values"), "{err}");
        let err = constrained_non_dominated_ranks(&[[1.0]], &[[0.0], [1.0]], None).unwrap_err();
        assert!(
            err.to_string().contains("1 points but 2 constraint lists"),
            "{err}"
        );
        let err = constrained_non_dominated_ranks(&[[1.0]], &[[f64::NAN]], None).unwrap_err();
        assert!(err.to_string().contains("point 0: "), "{err}");
    }

    /// Optuna's `_fast_non_domination_rank` with a penalty, quadratically.
    fn reference_constrained(
        points: &[Vec<f64>],
        violations: &[f64],
        n_below: Option<usize>,
    ) -> Vec<usize> {
        let n_below = n_below.unwrap_or(points.len());
        let feasible: Vec<usize> = (0..points.len())
            .filter(|&i| violations[i] == 0.0)
            .collect();
        let infeasible: Vec<usize> = (0..points.len()).filter(|&i| violations[i] > 0.0).collect();
        let feasible_points: Vec<Vec<f64>> = feasible.iter().map(|&i| points[i].clone()).collect();
        let feasible_ranks = reference_ranks(&feasible_points, Some(n_below));
        let top = feasible_ranks.iter().max().map_or(0, |r| r + 1);
        let penalties: Vec<Vec<f64>> = infeasible.iter().map(|&i| vec![violations[i]]).collect();
        let remaining = n_below as isize - feasible.len() as isize;
        let infeasible_ranks = if remaining <= 0 {
            vec![0; infeasible.len()]
        } else {
            reference_ranks(&penalties, None)
        };
        let mut result = vec![usize::MAX; points.len()];
        for (&i, &r) in feasible.iter().zip(&feasible_ranks) {
            result[i] = r;
        }
        for (&i, &r) in infeasible.iter().zip(&infeasible_ranks) {
            result[i] = top + r;
        }
        result
    }

    #[test]
    fn constrained_ranks_match_the_reference() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for case in 0..600 {
            let dim = 1 + case % 4;
            let n = rng.random_range(0..40);
            let points = random_points(&mut rng, n, dim, 4);
            let constraints: Vec<Vec<f64>> = (0..n)
                .map(|_| {
                    (0..rng.random_range(0..3))
                        .map(|_| f64::from(rng.random_range(-3..3)) * 0.5)
                        .collect()
                })
                .collect();
            let violations: Vec<f64> = constraints
                .iter()
                .map(|c| total_violation(c).unwrap())
                .collect();
            let n_below = [None, Some(rng.random_range(0..n + 2))][case % 2];
            assert_eq!(
                constrained_non_dominated_ranks(&points, &constraints, n_below).unwrap(),
                reference_constrained(&points, &violations, n_below),
                "case {case}: {points:?} {constraints:?} {n_below:?}"
            );
        }
    }

    #[test]
    fn constrained_ranks_agree_with_constrained_domination() {
        // Rank order is consistent with Deb's rule: whoever constrained-dominates has
        // a smaller rank.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let points = random_points(&mut rng, 80, 3, 5);
        let constraints: Vec<Vec<f64>> = (0..80)
            .map(|_| vec![f64::from(rng.random_range(-2..3))])
            .collect();
        let ranks = constrained_non_dominated_ranks(&points, &constraints, None).unwrap();
        for i in 0..80 {
            for j in 0..80 {
                if super::super::constrained_dominates(
                    &points[i],
                    &constraints[i],
                    &points[j],
                    &constraints[j],
                )
                .unwrap()
                {
                    assert!(ranks[i] < ranks[j], "{i} dominates {j}");
                }
            }
        }
    }

    #[test]
    fn the_front_is_rank_zero() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for dim in 1..=4 {
            let points = random_points(&mut rng, 200, dim, 6);
            let ranks = reference_ranks(&points, None);
            let expected: Vec<usize> = (0..200).filter(|&i| ranks[i] == 0).collect();
            assert_eq!(pareto_front(&points).unwrap(), expected, "dim {dim}");
        }
    }
}
