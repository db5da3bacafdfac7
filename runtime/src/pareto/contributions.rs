//! Exclusive hypervolume contributions: what each point alone adds, i.e. the
//! hypervolume of the set minus that of the set without the point (multi-objective
//! TPE and SMS-EMOA rank a front by it).
//!
//! Two objectives: O(n log n). On the staircase of the front, a front point's
//! exclusive region lies in the box between its neighbours; the only other points in
//! that box are those it alone dominates, and each point is in one box at most, so
//! every box is one short sweep. Three: HVC3D's sweep (`contributions3d.rs`), O(n log n).
//! Four or more: per front point, its own box minus the hypervolume of the others
//! clipped to it (WFG's limited set).

use super::contributions3d;
use super::hypervolume::{exclusive, strictly_dominating};
use super::points::{area, extent, reference_point, Matrix};
use super::sorting::{lex_cmp, ranks};
use crate::error::{Error, Result};

/// The exclusive hypervolume contribution of each point: `hypervolume(all) -
/// hypervolume(all but this one)` with respect to `reference` (all objectives
/// minimised), computed directly rather than by subtraction.
///
/// Dominated points, points equal to another and points that do not strictly dominate
/// the reference get 0 (a point dominated only by a copy of itself also gets 0: the
/// copy covers it). Infinities follow [`hypervolume`](super::hypervolume) with two
/// objectives (a contribution may be `+inf`); with three or more, an infinite value
/// among the points that count, or in the reference, is an error, as the difference
/// of two infinite volumes is not defined by subtraction.
///
/// Errors as [`hypervolume`](super::hypervolume); an empty set gives an empty vector.
///
/// ```
/// use tunekit::pareto::hypervolume_contributions;
///
/// let points = [[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [2.5, 2.5]];
/// assert_eq!(
///     hypervolume_contributions(&points, &[4.0, 4.0])?,
///     // (2,2) alone covers [2, 3) x [2, 3) minus what (2.5, 2.5) covers there.
///     [1.0, 1.0 - 0.25, 1.0, 0.0]
/// );
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn hypervolume_contributions<P: AsRef<[f64]>>(
    points: &[P],
    reference: &[f64],
) -> Result<Vec<f64>> {
    let reference = reference_point(reference)?;
    let m = Matrix::new(points, Some(reference.len()))?;
    let counted: Vec<usize> = (0..m.len)
        .filter(|&i| m.row(i).iter().zip(&reference).all(|(v, r)| v < r))
        .collect();
    let mut result = vec![0.0; m.len];
    match reference.len() {
        1 => one_objective(&m, &counted, reference[0], &mut result),
        2 => two_objectives(&m, &counted, &reference, &mut result),
        _ => many_objectives(&m, &counted, &reference, &mut result)?,
    }
    Ok(result)
}

fn one_objective(m: &Matrix, counted: &[usize], reference: f64, result: &mut [f64]) {
    let Some(&best) = counted
        .iter()
        .min_by(|&&a, &&b| m.values[a].total_cmp(&m.values[b]))
    else {
        return;
    };
    let low = m.values[best];
    let mut next = reference;
    for &i in counted {
        let v = m.values[i];
        if i != best && v < next {
            next = v;
        }
    }
    result[best] = extent(next, low);
}

fn two_objectives(m: &Matrix, counted: &[usize], reference: &[f64], result: &mut [f64]) {
    let mut order: Vec<usize> = counted.to_vec();
    order.sort_unstable_by(|&a, &b| lex_cmp(m.row(a), m.row(b)));
    let x = |i: usize| m.values[2 * i];
    let y = |i: usize| m.values[2 * i + 1];
    // The staircase: first values strictly increasing, second strictly decreasing.
    let mut front: Vec<usize> = Vec::new();
    let mut rest: Vec<usize> = Vec::new();
    let mut ceiling = reference[1];
    for &i in &order {
        if y(i) < ceiling {
            ceiling = y(i);
            front.push(i);
        } else {
            rest.push(i);
        }
    }
    // The points in each front point's box, in lexicographic order.
    let mut in_box: Vec<Vec<usize>> = vec![Vec::new(); front.len()];
    for &q in &rest {
        // The front point with the largest first value <= q's (one exists: the first
        // front point has the smallest first value of all).
        let k = front.partition_point(|&f| x(f) <= x(q)) - 1;
        let top = if k == 0 {
            reference[1]
        } else {
            y(front[k - 1])
        };
        if y(q) < top {
            in_box[k].push(q);
        }
    }
    for (k, &p) in front.iter().enumerate() {
        let right = front.get(k + 1).map_or(reference[0], |&f| x(f));
        let top = if k == 0 {
            reference[1]
        } else {
            y(front[k - 1])
        };
        // Sweep the box's own staircase: the strip from `from` to the next step has
        // the height from p up to the lowest second value so far.
        let mut from = x(p);
        let mut height = top;
        let mut alone = 0.0;
        for &q in &in_box[k] {
            if y(q) < height {
                alone += area(extent(x(q), from), extent(height, y(p)));
                from = x(q);
                height = y(q);
            }
        }
        alone += area(extent(right, from), extent(height, y(p)));
        result[p] = alone;
    }
}

fn many_objectives(
    m: &Matrix,
    counted: &[usize],
    reference: &[f64],
    result: &mut [f64],
) -> Result<()> {
    let dim = reference.len();
    let infinite = reference.iter().any(|r| r.is_infinite())
        || counted
            .iter()
            .any(|&i| m.row(i).iter().any(|v| v.is_infinite()));
    if infinite {
        return Err(Error::InvalidPoints(format!(
            "hypervolume contributions in {dim} objectives need finite values and a finite \
             reference point (among the points that dominate it): clip infinities to a \
             finite bound first"
        )));
    }
    if dim == 3 {
        let inside = strictly_dominating(m, reference);
        for (&i, alone) in counted
            .iter()
            .zip(contributions3d::contributions(&inside, reference))
        {
            result[i] = alone;
        }
        return Ok(());
    }
    let rows: Vec<Vec<f64>> = counted.iter().map(|&i| m.row(i).to_vec()).collect();
    let inside = Matrix {
        values: strictly_dominating(m, reference),
        dim,
        len: counted.len(),
    };
    // Only points of the front that no copy shares contribute.
    let rank = ranks(&inside, Some(1));
    let mut sorted: Vec<usize> = (0..rows.len()).collect();
    sorted.sort_unstable_by(|&a, &b| lex_cmp(&rows[a], &rows[b]));
    let mut shared = vec![false; rows.len()];
    for pair in sorted.windows(2) {
        if rows[pair[0]] == rows[pair[1]] {
            shared[pair[0]] = true;
            shared[pair[1]] = true;
        }
    }
    for (k, &i) in counted.iter().enumerate() {
        if rank[k] == 0 && !shared[k] {
            let others: Vec<Vec<f64>> = (0..rows.len())
                .filter(|&j| j != k)
                .map(|j| rows[j].clone())
                .collect();
            result[i] = exclusive(&rows[k], &others, reference);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::hypervolume::tests::{grid_volume, integer_points};
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// HV(all) - HV(all without i), both by grid count.
    fn brute(points: &[Vec<f64>], reference: &[f64]) -> Vec<f64> {
        let all = grid_volume(points, reference);
        (0..points.len())
            .map(|i| {
                let mut rest = points.to_vec();
                rest.remove(i);
                all - grid_volume(&rest, reference)
            })
            .collect()
    }

    #[test]
    fn random_sets_match_the_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(15);
        for case in 0..400 {
            let dim = 1 + case % 4;
            let n = rng.random_range(0..[12, 30, 14, 8][dim - 1]);
            let levels = [3, 6, 1000][case % 3];
            let points = integer_points(&mut rng, n, dim, levels);
            let reference: Vec<f64> = (0..dim)
                .map(|_| f64::from(rng.random_range(levels / 2..levels + 2)))
                .collect();
            assert_eq!(
                hypervolume_contributions(&points, &reference).unwrap(),
                brute(&points, &reference),
                "case {case}: {points:?} {reference:?}"
            );
        }
    }

    /// Real-valued fronts (every fifth point pushed outwards, so dominated) against
    /// differences of hypervolumes.
    #[test]
    fn larger_sets_match_differences_of_hypervolumes() {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        for (dim, n) in [(2, 300), (3, 300), (4, 60)] {
            let points: Vec<Vec<f64>> = (0..n)
                .map(|i| {
                    let u: Vec<f64> = (0..dim).map(|_| rng.random::<f64>() + 1e-3).collect();
                    let norm = u.iter().map(|v| v * v).sum::<f64>().sqrt();
                    let scale = if i % 5 == 0 { 1.02 } else { 1.0 };
                    u.iter().map(|v| v / norm * scale).collect()
                })
                .collect();
            let reference = vec![1.1; dim];
            let all = super::super::hypervolume(&points, &reference).unwrap();
            let got = hypervolume_contributions(&points, &reference).unwrap();
            for (i, &alone) in got.iter().enumerate() {
                let mut rest = points.clone();
                rest.remove(i);
                let want = all - super::super::hypervolume(&rest, &reference).unwrap();
                assert!(
                    (alone - want).abs() <= 1e-9,
                    "{dim}-d point {i}: {alone} vs {want}"
                );
            }
            assert!(
                got.iter().filter(|&&c| c > 0.0).count() > n / 2,
                "{dim}-d: too few count"
            );
        }
    }

    #[test]
    fn hand_computed_contributions() {
        // A point dominated only by a copy of a front point: both copies give 0, the
        // dominated one too.
        let pts = [[1.0, 1.0], [1.0, 1.0], [2.0, 2.0]];
        assert_eq!(
            hypervolume_contributions(&pts, &[3.0, 3.0]).unwrap(),
            [0.0; 3]
        );
        let pts = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]];
        // Each box 4, pairwise overlaps 2, triple 1: alone = 4 - 2 - 2 + 1 = 1.
        assert_eq!(
            hypervolume_contributions(&pts, &[2.0, 2.0, 2.0]).unwrap(),
            [1.0; 3]
        );
        assert_eq!(
            hypervolume_contributions(&[[3.0], [1.0], [2.0], [7.0]], &[5.0]).unwrap(),
            [0.0, 1.0, 0.0, 0.0]
        );
        let empty: [[f64; 3]; 0] = [];
        assert!(hypervolume_contributions(&empty, &[1.0; 3])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn infinities() {
        let inf = f64::INFINITY;
        // (0, 0.5) alone covers [0, 1) x [0.5, 1): 0.5; (1, 0) alone an infinite strip.
        let c = hypervolume_contributions(&[[0.0, 0.5], [1.0, 0.0]], &[inf, 1.0]).unwrap();
        assert_eq!(c, [0.5, inf]);
        let c = hypervolume_contributions(&[[-inf, 0.5], [-inf, 0.7]], &[1.0, 1.0]).unwrap();
        assert_eq!(c, [inf, 0.0]);
        let c = hypervolume_contributions(&[[-inf], [2.0]], &[3.0]).unwrap();
        assert_eq!(c, [inf, 0.0]);
        let err = hypervolume_contributions(&[[0.0, 0.0, 0.0]], &[1.0, 1.0, inf]).unwrap_err();
        assert!(err.to_string().contains("need finite values"), "{err}");
        // Infinite values of points that do not count are fine.
        let c = hypervolume_contributions(&[[0.0, 0.0, inf], [0.0, 0.0, 0.0]], &[1.0; 3]);
        assert_eq!(c.unwrap(), [0.0, 1.0]);
    }
}
