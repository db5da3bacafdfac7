//! NSGA-II's crowding distance, exactly as Optuna 5 computes it
//! (`_calc_crowding_distance` in `optuna/samplers/nsgaii/`), ties and infinities
//! included.

use super::points::Matrix;
use crate::error::Result;

/// The crowding distance of each point within its set (usually one front): the sum
/// over objectives of the gap between the point's two neighbours in that objective,
/// divided by the spread of the finite values.
///
/// Exactly Optuna's rule: per objective the points are stably sorted by value (the
/// order left by the previous objective breaks ties, the input order for the first);
/// an objective where all values are equal adds nothing; the first and last points
/// have `-inf`/`+inf` outer neighbours, so they get `+inf`; a gap between equal values
/// (also two equal infinities) is 0; the spread is that of the finite values, or 1 if
/// there are fewer than two distinct ones. NSGA-II keeps the points with the largest
/// distances (Optuna sorts ascending and then reverses, so equal distances come last
/// first).
///
/// An error on a NaN or points of different lengths; an empty set gives an empty vector.
///
/// ```
/// use tunekit::pareto::crowding_distance;
///
/// let front = [[0.0, 4.0], [1.0, 2.0], [3.0, 1.0], [4.0, 0.0]];
/// let d = crowding_distance(&front)?;
/// assert_eq!(d[0], f64::INFINITY);
/// assert_eq!(d[1], (3.0 - 0.0) / 4.0 + (4.0 - 1.0) / 4.0);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn crowding_distance<P: AsRef<[f64]>>(points: &[P]) -> Result<Vec<f64>> {
    let m = Matrix::new(points, None)?;
    let mut distance = vec![0.0; m.len];
    if m.len == 0 {
        return Ok(distance);
    }
    let mut order: Vec<usize> = (0..m.len).collect();
    let mut values = Vec::with_capacity(m.len + 2);
    for j in 0..m.dim {
        let value = |i: usize| m.values[i * m.dim + j];
        // Stable, like Python's list.sort: ties keep the previous objective's order.
        order.sort_by(|&a, &b| value(a).total_cmp(&value(b)));
        if value(order[0]) == value(order[m.len - 1]) {
            continue;
        }
        values.clear();
        values.push(f64::NEG_INFINITY);
        values.extend(order.iter().map(|&i| value(i)));
        values.push(f64::INFINITY);
        let low = values.iter().copied().find(|&v| v != f64::NEG_INFINITY);
        let high = values.iter().rev().copied().find(|&v| v != f64::INFINITY);
        let width = match (low, high) {
            (Some(low), Some(high)) if high - low > 0.0 => high - low,
            _ => 1.0,
        };
        for (k, &i) in order.iter().enumerate() {
            let gap = if values[k] == values[k + 2] {
                0.0
            } else {
                values[k + 2] - values[k]
            };
            distance[i] += gap / width;
        }
    }
    Ok(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_distances() {
        let inf = f64::INFINITY;
        let front = [[0.0, 4.0], [1.0, 2.0], [3.0, 1.0], [4.0, 0.0]];
        assert_eq!(
            crowding_distance(&front).unwrap(),
            [inf, 3.0 / 4.0 + 3.0 / 4.0, 3.0 / 4.0 + 2.0 / 4.0, inf]
        );
        // An objective with one value adds nothing; a single point has distance 0.
        assert_eq!(
            crowding_distance(&[[1.0, 5.0], [2.0, 5.0]]).unwrap(),
            [inf, inf]
        );
        assert_eq!(crowding_distance(&[[1.0, 5.0]]).unwrap(), [0.0]);
        assert_eq!(crowding_distance(&[[1.0], [1.0]]).unwrap(), [0.0, 0.0]);
        let empty: [[f64; 2]; 0] = [];
        assert!(crowding_distance(&empty).unwrap().is_empty());
        assert!(crowding_distance(&[[1.0, f64::NAN]]).is_err());
    }

    #[test]
    fn ties_follow_optunas_stable_sorts() {
        // Values 0, 1, 1, 1, 3: the tied middle points get 1 - 0, 1 - 1 and 3 - 1, in
        // input order for the first objective.
        let points = [[1.0], [0.0], [1.0], [3.0], [1.0]];
        let d = crowding_distance(&points).unwrap();
        assert_eq!(d, [1.0 / 3.0, f64::INFINITY, 0.0, f64::INFINITY, 2.0 / 3.0]);
        // Second objective: ties in y keep the order the sort by x left (2, 1, 0),
        // not the input order. x: 0 (idx 2), 1 (idx 1), 2 (idx 0), 3 (idx 3), spread 3;
        // y: 5, 5, 5 (idx 2, 1, 0), 9 (idx 3), spread 4, so idx 2 is the y boundary
        // (inf), idx 1 gets 5 - 5 = 0 and idx 0 gets 9 - 5 = 4.
        let points = [[2.0, 5.0], [1.0, 5.0], [0.0, 5.0], [3.0, 9.0]];
        let d = crowding_distance(&points).unwrap();
        assert_eq!(
            d,
            [2.0 / 3.0 + 1.0, 2.0 / 3.0, f64::INFINITY, f64::INFINITY]
        );
        let points = [[0.0, 5.0], [1.0, 5.0], [2.0, 5.0], [3.0, 9.0]];
        let d = crowding_distance(&points).unwrap();
        // y order: 0, 1, 2 (all 5), 3: idx1 gap 5-5 = 0; idx2 gap 9-5 = 4, width 4.
        assert_eq!(d[1], 2.0 / 3.0);
        assert_eq!(d[2], 2.0 / 3.0 + 1.0);
    }

    #[test]
    fn infinite_values() {
        let inf = f64::INFINITY;
        // Finite spread 1 (values 0 and 1); gaps to infinities are infinite, gaps
        // between equal infinities 0.
        let d = crowding_distance(&[[0.0], [1.0], [inf], [inf]]).unwrap();
        assert_eq!(
            d,
            [inf, inf, inf, 0.0],
            "the last +inf has +inf on both sides"
        );
        let d = crowding_distance(&[[0.0], [0.5], [1.0], [inf], [inf], [inf]]).unwrap();
        assert_eq!(d[1], 1.0);
        assert_eq!(d[4], 0.0, "between two +inf");
        // Only infinities: spread 1, no NaN.
        let d = crowding_distance(&[[-inf], [inf]]).unwrap();
        assert_eq!(d, [inf, inf]);
    }
}
