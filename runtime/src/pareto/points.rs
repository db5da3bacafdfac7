//! Checked, flat copies of the vectors the algorithms work on: every public function
//! validates its input here once (no NaN, one length for all, at least one objective),
//! so the algorithms themselves never meet a value they cannot order.

use crate::error::{Error, Result};

/// `len` points of `dim` objective values each, row after row, with `-0.0` stored as
/// `0.0` so that equal values have equal bits (duplicates are found by comparison).
#[derive(Debug, Clone)]
pub(crate) struct Matrix {
    pub(crate) values: Vec<f64>,
    pub(crate) dim: usize,
    pub(crate) len: usize,
}

impl Matrix {
    /// Copies `points`, checking that each has `dim` values (the first point's length
    /// when `dim` is `None`) and none is NaN. An empty slice is a valid empty set.
    pub(crate) fn new<P: AsRef<[f64]>>(points: &[P], dim: Option<usize>) -> Result<Matrix> {
        let dim = match (dim, points.first()) {
            (Some(dim), _) => dim,
            (None, Some(first)) => first.as_ref().len(),
            (None, None) => 0,
        };
        if dim == 0 && !points.is_empty() {
            return Err(Error::InvalidPoints(
                "point 0 has no objective values: give every point one value per objective".into(),
            ));
        }
        let mut values = Vec::with_capacity(points.len() * dim);
        for (i, point) in points.iter().enumerate() {
            let point = point.as_ref();
            if point.len() != dim {
                return Err(Error::InvalidPoints(format!(
                    "point {i} has {} values where {dim} were expected: give every point one \
                     value per objective",
                    point.len()
                )));
            }
            for (j, &v) in point.iter().enumerate() {
                if v.is_nan() {
                    return Err(Error::InvalidPoints(format!(
                        "point {i} has NaN as objective {j}: NaN cannot be ordered; leave \
                         such points out (a study fails trials whose value is NaN)"
                    )));
                }
                // `-0.0 + 0.0` is `0.0`: one bit pattern per value.
                values.push(v + 0.0);
            }
        }
        Ok(Matrix {
            values,
            dim,
            len: points.len(),
        })
    }

    pub(crate) fn row(&self, i: usize) -> &[f64] {
        &self.values[i * self.dim..(i + 1) * self.dim]
    }
}

/// Checks a reference point: at least one objective, no NaN. Returns a copy with
/// `-0.0` stored as `0.0`.
pub(crate) fn reference_point(reference: &[f64]) -> Result<Vec<f64>> {
    if reference.is_empty() {
        return Err(Error::InvalidPoints(
            "the reference point is empty: give it one value per objective".into(),
        ));
    }
    if let Some(j) = reference.iter().position(|v| v.is_nan()) {
        return Err(Error::InvalidPoints(format!(
            "the reference point has NaN as objective {j}: give a number (or +inf)"
        )));
    }
    Ok(reference.iter().map(|v| v + 0.0).collect())
}

/// Checks one objective vector given alone (to [`dominates`](super::dominates)).
pub(crate) fn objective_vector(values: &[f64], what: &str) -> Result<()> {
    if values.is_empty() {
        return Err(Error::InvalidPoints(format!(
            "{what} has no objective values: give one value per objective"
        )));
    }
    if let Some(j) = values.iter().position(|v| v.is_nan()) {
        return Err(Error::InvalidPoints(format!(
            "{what} has NaN as objective {j}: NaN cannot be ordered"
        )));
    }
    Ok(())
}

/// A key whose integer order is the order of the (non-NaN, canonical) `f64`s, for
/// ordered maps.
pub(crate) fn order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// `hi - lo` for `hi >= lo`, and `0` when they are equal: also for two equal
/// infinities, where IEEE subtraction would give NaN.
pub(crate) fn extent(hi: f64, lo: f64) -> f64 {
    if hi <= lo {
        0.0
    } else {
        hi - lo
    }
}

/// `a * b` for non-negative extents, with `0 * inf = 0` (an empty box has no volume
/// however long it is).
pub(crate) fn area(a: f64, b: f64) -> f64 {
    if a == 0.0 || b == 0.0 {
        0.0
    } else {
        a * b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_checked_and_copied_flat() {
        let m = Matrix::new(&[[1.0, -0.0], [3.0, 4.0]], None).unwrap();
        assert_eq!((m.dim, m.len), (2, 2));
        assert_eq!(m.row(1), [3.0, 4.0]);
        assert_eq!(
            m.row(0)[1].to_bits(),
            0.0f64.to_bits(),
            "-0.0 is stored as 0.0"
        );
        let ragged: Vec<Vec<f64>> = vec![vec![1.0, 2.0], vec![1.0]];
        let err = Matrix::new(&ragged, None).unwrap_err().to_string();
        assert!(err.contains("point 1 has 1 values where 2"), "{err}");
        let err = Matrix::new(&[[1.0, f64::NAN]], None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("point 0 has NaN as objective 1"), "{err}");
        let err = Matrix::new(&[[0.0f64; 0]], None).unwrap_err().to_string();
        assert!(err.contains("no objective values"), "{err}");
        let err = Matrix::new(&[[1.0, 2.0]], Some(3)).unwrap_err().to_string();
        assert!(err.contains("2 values where 3"), "{err}");
        let empty: [[f64; 2]; 0] = [];
        assert_eq!(Matrix::new(&empty, None).unwrap().len, 0);
        assert!(reference_point(&[]).is_err());
        assert!(reference_point(&[1.0, f64::NAN]).is_err());
        assert!(objective_vector(&[], "a").is_err());
        assert!(objective_vector(&[f64::NAN], "a").is_err());
    }

    #[test]
    fn order_keys_follow_the_float_order() {
        let values = [
            f64::NEG_INFINITY,
            -3.5,
            -1e-300,
            0.0,
            1e-300,
            2.0,
            f64::INFINITY,
        ];
        for pair in values.windows(2) {
            assert!(order_key(pair[0]) < order_key(pair[1]), "{pair:?}");
        }
    }

    #[test]
    fn extents_and_areas_never_make_nan() {
        assert_eq!(extent(f64::INFINITY, f64::INFINITY), 0.0);
        assert_eq!(extent(2.0, 5.0), 0.0);
        assert_eq!(extent(f64::INFINITY, 1.0), f64::INFINITY);
        assert_eq!(area(0.0, f64::INFINITY), 0.0);
        assert_eq!(area(2.0, 3.0), 6.0);
    }
}
