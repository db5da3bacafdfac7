//! Pareto domination and Deb's constrained domination (Deb et al. 2002, the rule
//! NSGA-II and Optuna use), for objectives that are all minimised.

use super::points::objective_vector;
use crate::error::{Error, Result};

/// Whether `a` Pareto-dominates `b`: `a` is no worse in every objective and the two
/// differ (all objectives minimised; negate a maximised one first). Equal vectors do
/// not dominate each other, as in Optuna.
///
/// An error if the lengths differ, a vector is empty, or a value is NaN; infinities
/// compare as numbers.
///
/// ```
/// use tunekit::pareto::dominates;
///
/// assert!(dominates(&[1.0, 2.0], &[1.0, 3.0])?);
/// assert!(!dominates(&[1.0, 2.0], &[1.0, 2.0])?); // equal
/// assert!(!dominates(&[1.0, 4.0], &[2.0, 3.0])?); // a trade-off
/// // Maximising the second objective: negate it.
/// assert!(dominates(&[1.0, -4.0], &[1.0, -3.0])?);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn dominates(a: &[f64], b: &[f64]) -> Result<bool> {
    objective_vector(a, "the first point")?;
    objective_vector(b, "the second point")?;
    if a.len() != b.len() {
        return Err(Error::InvalidPoints(format!(
            "the points have {} and {} objective values: compare points of one study",
            a.len(),
            b.len()
        )));
    }
    Ok(dominates_unchecked(a, b))
}

/// [`dominates`] on checked vectors of one length.
pub(crate) fn dominates_unchecked(a: &[f64], b: &[f64]) -> bool {
    let mut strictly = false;
    for (x, y) in a.iter().zip(b) {
        if x > y {
            return false;
        }
        strictly |= x < y;
    }
    strictly
}

/// The total constraint violation of one point: the sum of its constraint values above
/// zero. A point is feasible when every constraint is `<= 0`, i.e. when this is `0`
/// (no constraints at all is feasible). `+inf` is allowed (an infinite violation).
///
/// An error if a value is NaN (Optuna's NSGA-II refuses it too).
///
/// ```
/// use tunekit::pareto::total_violation;
///
/// assert_eq!(total_violation(&[-1.0, 0.0])?, 0.0); // feasible
/// assert_eq!(total_violation(&[0.5, -2.0, 1.5])?, 2.0);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn total_violation(constraints: &[f64]) -> Result<f64> {
    if let Some(j) = constraints.iter().position(|v| v.is_nan()) {
        return Err(Error::InvalidPoints(format!(
            "constraint {j} is NaN: a constraint value must be a number (<= 0 when satisfied)"
        )));
    }
    Ok(constraints.iter().filter(|&&v| v > 0.0).sum())
}

/// Deb's constrained domination: `a` (with constraint values `a_constraints`)
/// constrained-dominates `b` when
///
/// 1. both are feasible (every constraint `<= 0`) and `a` [`dominates`] `b`, or
/// 2. `a` is feasible and `b` is not, or
/// 3. both are infeasible and `a`'s [`total_violation`] is smaller.
///
/// This is Optuna's `_constrained_dominates` for complete trials. Errors as
/// [`dominates`] and [`total_violation`].
///
/// ```
/// use tunekit::pareto::constrained_dominates;
///
/// // Feasible beats infeasible, whatever the objectives.
/// assert!(constrained_dominates(&[9.0, 9.0], &[-1.0], &[0.0, 0.0], &[0.1])?);
/// // Among infeasible points the smaller total violation wins.
/// assert!(constrained_dominates(&[9.0, 9.0], &[0.5, 0.5], &[0.0, 0.0], &[2.0])?);
/// // Among feasible points, Pareto domination.
/// assert!(!constrained_dominates(&[1.0, 2.0], &[0.0], &[2.0, 1.0], &[-3.0])?);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn constrained_dominates(
    a: &[f64],
    a_constraints: &[f64],
    b: &[f64],
    b_constraints: &[f64],
) -> Result<bool> {
    let a_is_better = dominates(a, b)?;
    let violation_a = total_violation(a_constraints)?;
    let violation_b = total_violation(b_constraints)?;
    Ok(match (violation_a == 0.0, violation_b == 0.0) {
        (true, true) => a_is_better,
        (true, false) => true,
        (false, true) => false,
        (false, false) => violation_a < violation_b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pareto_domination_on_constructed_cases() {
        assert!(dominates(&[0.0, 0.0, 0.0], &[0.0, 0.0, 1.0]).unwrap());
        assert!(!dominates(&[0.0, 0.0, 1.0], &[0.0, 0.0, 0.0]).unwrap());
        assert!(!dominates(&[0.0, 1.0], &[1.0, 0.0]).unwrap());
        assert!(!dominates(&[2.0], &[2.0]).unwrap());
        assert!(dominates(&[1.0], &[2.0]).unwrap());
        assert!(
            !dominates(&[-0.0, 1.0], &[0.0, 1.0]).unwrap(),
            "-0 equals 0"
        );
        assert!(dominates(&[f64::NEG_INFINITY, 5.0], &[0.0, 5.0]).unwrap());
        assert!(dominates(&[0.0, 5.0], &[0.0, f64::INFINITY]).unwrap());
        assert!(!dominates(&[f64::INFINITY], &[f64::INFINITY]).unwrap());
    }

    #[test]
    fn bad_vectors_are_errors() {
        let err = dominates(&[1.0, 2.0], &[1.0]).unwrap_err().to_string();
        assert!(err.contains("2 and 1 objective values"), "{err}");
        assert!(dominates(&[], &[]).is_err());
        assert!(dominates(&[f64::NAN], &[1.0]).is_err());
        assert!(dominates(&[1.0], &[f64::NAN]).is_err());
        let err = total_violation(&[0.0, f64::NAN]).unwrap_err().to_string();
        assert!(err.contains("constraint 1 is NaN"), "{err}");
        assert!(constrained_dominates(&[1.0], &[f64::NAN], &[2.0], &[]).is_err());
    }

    #[test]
    fn violation_sums_the_positive_parts() {
        assert_eq!(total_violation(&[]).unwrap(), 0.0);
        assert_eq!(total_violation(&[-5.0, 0.0, -0.0]).unwrap(), 0.0);
        assert_eq!(total_violation(&[1.0, -5.0, 2.5]).unwrap(), 3.5);
        assert_eq!(total_violation(&[f64::INFINITY]).unwrap(), f64::INFINITY);
    }

    #[test]
    fn debs_rules_on_constructed_cases() {
        let (good, bad) = ([0.0, 0.0], [1.0, 1.0]);
        let feasible: &[f64] = &[0.0, -1.0];
        let slightly: &[f64] = &[0.25, -1.0];
        let badly: &[f64] = &[0.25, 3.0];
        // Both feasible: plain domination, both ways.
        assert!(constrained_dominates(&good, feasible, &bad, &[]).unwrap());
        assert!(!constrained_dominates(&bad, feasible, &good, &[]).unwrap());
        assert!(!constrained_dominates(&good, feasible, &good, feasible).unwrap());
        // Feasible beats infeasible even with worse objectives, and never the reverse.
        assert!(constrained_dominates(&bad, feasible, &good, slightly).unwrap());
        assert!(!constrained_dominates(&good, slightly, &bad, feasible).unwrap());
        // Both infeasible: the smaller total violation wins, objectives aside.
        assert!(constrained_dominates(&bad, slightly, &good, badly).unwrap());
        assert!(!constrained_dominates(&good, badly, &bad, slightly).unwrap());
        // Equal violations: neither, even when one dominates in the objectives.
        assert!(!constrained_dominates(&good, slightly, &bad, slightly).unwrap());
        // Infinite violations tie.
        let inf: &[f64] = &[f64::INFINITY];
        assert!(!constrained_dominates(&good, inf, &bad, inf).unwrap());
        assert!(constrained_dominates(&bad, badly, &good, inf).unwrap());
    }
}
