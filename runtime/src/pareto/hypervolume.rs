//! The hypervolume indicator: the volume of the region the points dominate, bounded by
//! a reference point (all objectives minimised).
//!
//! Exact in every dimension: one objective is a subtraction; two are one sweep,
//! O(n log n); three are the sweep of Beume et al. (`sweep3d.rs`), O(n log n); four and
//! more slice along the last objective: the volume is the sum over the sorted points of
//! the (m-1)-dimensional volume of the points so far times the gap to the next one, and
//! that (m-1)-dimensional volume grows by each new point's exclusive contribution,
//! computed as in WFG (While, Bradstreet and Barone 2012) from the limited set (the
//! earlier points clipped to the new one), recursively down to three objectives.

use super::points::{reference_point, Matrix};
use super::sweep3d::{self, uncovered};
use crate::error::Result;

/// The hypervolume of `points` with respect to `reference` (all objectives minimised;
/// negate a maximised objective and its reference value first).
///
/// As in moocore, a point that does not strictly dominate the reference point (some
/// value `>=` the reference's) adds nothing; Optuna's `compute_hypervolume` refuses
/// points beyond the reference instead. Equal and dominated points add nothing either.
///
/// Infinities: the result is `+inf` when a point that counts has a `-inf` value or the
/// reference has a `+inf` value (its box is unbounded); a `+inf` value in a point, or a
/// `-inf` one in the reference, makes that point not count. No set gives NaN.
///
/// An error if the reference point is empty or NaN, or a point has another length or a
/// NaN. An empty set has hypervolume 0.
///
/// ```
/// use tunekit::pareto::hypervolume;
///
/// // moocore's documentation example.
/// let points = [[5.0, 5.0], [4.0, 6.0], [2.0, 7.0], [7.0, 4.0]];
/// assert_eq!(hypervolume(&points, &[10.0, 10.0])?, 38.0);
/// // The same points with both objectives maximised against the reference 0: negate.
/// let negated: Vec<[f64; 2]> = points.iter().map(|p| [-p[0], -p[1]]).collect();
/// assert_eq!(hypervolume(&negated, &[0.0, 0.0])?, 39.0);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn hypervolume<P: AsRef<[f64]>>(points: &[P], reference: &[f64]) -> Result<f64> {
    let reference = reference_point(reference)?;
    let m = Matrix::new(points, Some(reference.len()))?;
    let inside = strictly_dominating(&m, &reference);
    if inside.is_empty() {
        return Ok(0.0);
    }
    if reference.iter().any(|r| r.is_infinite()) || inside.iter().any(|p| p.is_infinite()) {
        // A box with a side from -inf, or up to +inf, and every side positive.
        return Ok(f64::INFINITY);
    }
    Ok(volume(inside, &reference))
}

/// The values of the points of `m` that strictly dominate `reference`, row after row.
pub(crate) fn strictly_dominating(m: &Matrix, reference: &[f64]) -> Vec<f64> {
    let mut inside = Vec::with_capacity(m.values.len());
    for i in 0..m.len {
        let row = m.row(i);
        if row.iter().zip(reference).all(|(v, r)| v < r) {
            inside.extend_from_slice(row);
        }
    }
    inside
}

/// The hypervolume of finite points (row after row) that all strictly dominate the
/// finite `reference`.
pub(crate) fn volume(points: Vec<f64>, reference: &[f64]) -> f64 {
    let dim = reference.len();
    match dim {
        1 => reference[0] - points.iter().copied().fold(f64::INFINITY, f64::min),
        2 => volume_2d(points, reference),
        3 => sweep3d::volume(&points, reference),
        _ => volume_by_slices(points, reference),
    }
}

/// Two objectives: sort by the first, sweep the staircase of the second.
fn volume_2d(points: Vec<f64>, reference: &[f64]) -> f64 {
    let mut pairs: Vec<(f64, f64)> = points.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut total = 0.0;
    let mut ceiling = reference[1];
    for (x, y) in pairs {
        if y < ceiling {
            total += (reference[0] - x) * (ceiling - y);
            ceiling = y;
        }
    }
    total
}

/// Four or more objectives: slices along the last one (see the module docs).
fn volume_by_slices(points: Vec<f64>, reference: &[f64]) -> f64 {
    let dim = reference.len();
    let last = dim - 1;
    let mut rows: Vec<&[f64]> = points.chunks_exact(dim).collect();
    rows.sort_unstable_by(|a, b| a[last].total_cmp(&b[last]));
    let lower = &reference[..last];
    // The (m-1)-dimensional points seen so far, kept mutually non-dominated.
    let mut front: Vec<Vec<f64>> = Vec::new();
    let mut slice = 0.0;
    let mut total = 0.0;
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            total += slice * (row[last] - rows[i - 1][last]);
        }
        let p = &row[..last];
        if last == 3 {
            // Four objectives: the front stays sorted by its third value, and one
            // clipped sweep over it gives p's exclusive volume in the slice.
            let alone = uncovered(p, front.iter().map(|q| &q[..]), lower);
            if alone > 0.0 {
                slice += alone;
                front.retain(|q| !q.iter().zip(p).all(|(a, b)| b <= a));
                let at = front.partition_point(|q| q[2] <= p[2]);
                front.insert(at, p.to_vec());
            }
            continue;
        }
        if front.iter().any(|q| q.iter().zip(p).all(|(a, b)| a <= b)) {
            continue; // Weakly dominated in the slice: the slice does not change.
        }
        slice += exclusive(p, &front, lower);
        front.retain(|q| !q.iter().zip(p).all(|(a, b)| b <= a));
        front.push(p.to_vec());
    }
    total + slice * (reference[last] - rows[rows.len() - 1][last])
}

/// The volume `p` adds to the non-dominated set `others`: its own box minus the
/// volume of `others` clipped to it (WFG's limited set).
pub(crate) fn exclusive(p: &[f64], others: &[Vec<f64>], reference: &[f64]) -> f64 {
    let own: f64 = p.iter().zip(reference).map(|(v, r)| r - v).product();
    let mut limited: Vec<f64> = Vec::with_capacity(others.len() * p.len());
    for q in others {
        limited.extend(q.iter().zip(p).map(|(a, b)| a.max(*b)));
    }
    let limited = non_dominated(limited, p.len());
    if limited.is_empty() {
        return own;
    }
    own - volume(limited, reference)
}

/// The distinct non-dominated rows of `rows` (row after row, `dim` values each):
/// sorted lexicographically, a row is kept unless a kept row weakly dominates it.
/// Dimensions up to three skip this (their sweeps ignore dominated points).
fn non_dominated(rows: Vec<f64>, dim: usize) -> Vec<f64> {
    if dim <= 3 {
        return rows;
    }
    let mut order: Vec<&[f64]> = rows.chunks_exact(dim).collect();
    order.sort_unstable_by(|a, b| super::sorting::lex_cmp(a, b));
    let mut kept: Vec<&[f64]> = Vec::new();
    for row in order {
        if !kept.iter().any(|k| k.iter().zip(row).all(|(a, b)| a <= b)) {
            kept.push(row);
        }
    }
    kept.concat()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The exact hypervolume by counting cells: the distinct coordinates of each
    /// objective cut space into a grid; a cell counts when some point is below its
    /// lower corner. Exact for integer coordinates.
    pub(crate) fn grid_volume(points: &[Vec<f64>], reference: &[f64]) -> f64 {
        let dim = reference.len();
        let inside: Vec<&Vec<f64>> = points
            .iter()
            .filter(|p| p.iter().zip(reference).all(|(v, r)| v < r))
            .collect();
        let cuts: Vec<Vec<f64>> = (0..dim)
            .map(|j| {
                let mut c: Vec<f64> = inside.iter().map(|p| p[j]).collect();
                c.push(reference[j]);
                c.sort_by(f64::total_cmp);
                c.dedup();
                c
            })
            .collect();
        let mut total = 0.0;
        let mut cell = vec![0usize; dim];
        loop {
            if cell.iter().enumerate().all(|(j, &c)| c + 1 < cuts[j].len()) {
                let corner: Vec<f64> = (0..dim).map(|j| cuts[j][cell[j]]).collect();
                if inside
                    .iter()
                    .any(|p| p.iter().zip(&corner).all(|(v, c)| v <= c))
                {
                    total += (0..dim)
                        .map(|j| cuts[j][cell[j] + 1] - cuts[j][cell[j]])
                        .product::<f64>();
                }
            }
            let mut j = 0;
            loop {
                if j == dim {
                    return total;
                }
                cell[j] += 1;
                if cell[j] < cuts[j].len() {
                    break;
                }
                cell[j] = 0;
                j += 1;
            }
        }
    }

    pub(crate) fn integer_points(
        rng: &mut ChaCha8Rng,
        n: usize,
        dim: usize,
        levels: i32,
    ) -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| {
                (0..dim)
                    .map(|_| f64::from(rng.random_range(0..levels)))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn hand_computed_volumes() {
        // Boxes from (1,3) and (2,1) to (4,4): 3 x 1 and 2 x 3, overlapping in
        // [2,4] x [3,4] (2 x 1): 3 + 6 - 2.
        assert_eq!(
            hypervolume(&[[1.0, 3.0], [2.0, 1.0]], &[4.0, 4.0]).unwrap(),
            7.0
        );
        // One box in 3-d; a point inside it adds nothing.
        let pts = [[1.0, 2.0, 3.0], [2.0, 3.0, 3.5]];
        assert_eq!(
            hypervolume(&pts, &[4.0, 4.0, 4.0]).unwrap(),
            3.0 * 2.0 * 1.0
        );
        // Three boxes of 2 x 2 x 1 against (2,2,2), each pair overlapping in 2 x 1 x 1,
        // all three in 1 x 1 x 1: by inclusion-exclusion 3 * 4 - 3 * 2 + 1.
        let pts = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]];
        assert_eq!(hypervolume(&pts, &[2.0, 2.0, 2.0]).unwrap(), 7.0);
        // The same in 4-d with a fourth coordinate 0 and reference 1 there: 7 again.
        let pts = [
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0, 0.0],
        ];
        assert_eq!(hypervolume(&pts, &[2.0, 2.0, 2.0, 1.0]).unwrap(), 7.0);
        assert_eq!(hypervolume(&[[3.0], [1.0], [2.0]], &[5.0]).unwrap(), 4.0);
    }

    /// moocore's documented example (`hypervolume()` in its R and Python docs, checked
    /// by its test `tests/testthat/test-doctest-hypervolume.R`): 38 when minimising
    /// against (10, 10), 39 when maximising against (0, 0).
    #[test]
    fn moocores_documented_example() {
        let dat = [[5.0, 5.0], [4.0, 6.0], [2.0, 7.0], [7.0, 4.0]];
        assert_eq!(hypervolume(&dat, &[10.0, 10.0]).unwrap(), 38.0);
        let maximised: Vec<[f64; 2]> = dat.iter().map(|p| [-p[0], -p[1]]).collect();
        assert_eq!(hypervolume(&maximised, &[0.0, 0.0]).unwrap(), 39.0);
        // Lifted to 3-d with a third objective at 0 against 1: the same volume.
        let lifted: Vec<[f64; 3]> = dat.iter().map(|p| [p[0], p[1], 0.0]).collect();
        assert_eq!(hypervolume(&lifted, &[10.0, 10.0, 1.0]).unwrap(), 38.0);
    }

    #[test]
    fn reference_point_semantics() {
        // Points on or beyond the reference add nothing (moocore's rule).
        let pts = [[1.0, 1.0], [3.0, 0.0], [0.0, 3.0], [5.0, 5.0]];
        assert_eq!(hypervolume(&pts, &[3.0, 3.0]).unwrap(), 4.0);
        let empty: [[f64; 2]; 0] = [];
        assert_eq!(hypervolume(&empty, &[1.0, 1.0]).unwrap(), 0.0);
        assert_eq!(hypervolume(&[[2.0, 2.0]], &[1.0, 1.0]).unwrap(), 0.0);
        // Duplicates count once.
        assert_eq!(
            hypervolume(&[[1.0, 1.0], [1.0, 1.0]], &[2.0, 3.0]).unwrap(),
            2.0
        );
    }

    #[test]
    fn infinities() {
        let inf = f64::INFINITY;
        assert_eq!(hypervolume(&[[1.0, 1.0]], &[inf, 2.0]).unwrap(), inf);
        assert_eq!(
            hypervolume(&[[-inf, 1.0, 0.0]], &[0.0, 2.0, 1.0]).unwrap(),
            inf
        );
        // A +inf value never strictly dominates; a -inf reference is never dominated.
        assert_eq!(hypervolume(&[[inf, 1.0]], &[inf, 2.0]).unwrap(), 0.0);
        assert_eq!(hypervolume(&[[1.0, 1.0]], &[-inf, 2.0]).unwrap(), 0.0);
        assert_eq!(
            hypervolume(&[[0.0, 1.0], [1.0, inf]], &[2.0, 2.0]).unwrap(),
            2.0
        );
    }

    #[test]
    fn errors() {
        let err = hypervolume(&[[1.0, 2.0]], &[1.0, 2.0, 3.0])
            .unwrap_err()
            .to_string();
        assert!(err.contains("point 0 has 2 values where 3"), "{err}");
        assert!(hypervolume(&[[1.0, f64::NAN]], &[2.0, 2.0]).is_err());
        assert!(hypervolume(&[[1.0, 1.0]], &[2.0, f64::NAN]).is_err());
        assert!(hypervolume(&[[1.0]], &[]).is_err());
    }

    #[test]
    fn random_sets_match_the_grid_count() {
        let mut rng = ChaCha8Rng::seed_from_u64(15);
        for case in 0..600 {
            let dim = 1 + case % 5;
            let n = rng.random_range(0..[40, 40, 30, 14, 9][dim - 1]);
            let levels = [3, 10, 1000][case % 3];
            let points = integer_points(&mut rng, n, dim, levels);
            let reference: Vec<f64> = (0..dim)
                .map(|_| f64::from(rng.random_range(levels / 2..levels + 2)))
                .collect();
            assert_eq!(
                hypervolume(&points, &reference).unwrap(),
                grid_volume(&points, &reference),
                "case {case}: {points:?} {reference:?}"
            );
        }
    }

    #[test]
    fn real_valued_sets_match_the_grid_count_closely() {
        let mut rng = ChaCha8Rng::seed_from_u64(16);
        for dim in 2..=5 {
            let n = [0, 0, 60, 40, 14, 9][dim];
            let points: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..dim).map(|_| rng.random::<f64>()).collect())
                .collect();
            let reference = vec![1.0; dim];
            let got = hypervolume(&points, &reference).unwrap();
            let want = grid_volume(&points, &reference);
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "dim {dim}: {got} vs {want}"
            );
        }
    }

    /// Points spread evenly over the positive part of the unit sphere (the front of
    /// DTLZ2): the dominated part of the unit cube tends to the cube minus the ball's
    /// orthant, 1 - pi/4 in 2-d and 1 - pi/6 in 3-d, from below.
    #[test]
    fn dtlz2_fronts_approach_the_known_volumes() {
        let n = 2000;
        let circle: Vec<[f64; 2]> = (0..n)
            .map(|i| {
                let t = std::f64::consts::FRAC_PI_2 * f64::from(i) / f64::from(n - 1);
                [t.cos(), t.sin()]
            })
            .collect();
        let hv = hypervolume(&circle, &[1.0, 1.0]).unwrap();
        let exact = 1.0 - std::f64::consts::PI / 4.0;
        // The gap is the area between the arc and the staircase: below 2 / n here.
        assert!(
            hv < exact && exact - hv < 2.0 / f64::from(n),
            "{hv} vs {exact}"
        );
        let k = 150;
        let mut sphere = Vec::new();
        for i in 0..k {
            for j in 0..k {
                let t = std::f64::consts::FRAC_PI_2 * f64::from(i) / f64::from(k - 1);
                let u = std::f64::consts::FRAC_PI_2 * f64::from(j) / f64::from(k - 1);
                sphere.push([t.cos() * u.cos(), t.cos() * u.sin(), t.sin()]);
            }
        }
        let hv = hypervolume(&sphere, &[1.0, 1.0, 1.0]).unwrap();
        let exact = 1.0 - std::f64::consts::PI / 6.0;
        assert!(
            hv < exact && exact - hv < 3.0 / f64::from(k),
            "{hv} vs {exact}"
        );
        // The 4-d slicing agrees with the 3-d sweep on a flat fourth objective.
        let lifted: Vec<[f64; 4]> = sphere[..2000]
            .iter()
            .map(|p| [p[0], p[1], p[2], 0.0])
            .collect();
        let flat = hypervolume(&sphere[..2000], &[1.0, 1.0, 1.0]).unwrap();
        let hv4 = hypervolume(&lifted, &[1.0, 1.0, 1.0, 2.0]).unwrap();
        assert!((hv4 - 2.0 * flat).abs() < 1e-12, "{hv4} vs {}", 2.0 * flat);
    }
}
