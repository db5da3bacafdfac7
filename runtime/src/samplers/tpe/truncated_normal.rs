//! The standard normal CDF in log space, the log-probability mass of an interval, and the
//! inverse CDF of a truncated normal: what TPE's kernels need, accurate in both tails.
//!
//! Kernels live on bounded domains, so every density and draw is of a normal truncated to
//! `[a, b]` (in standard units). Naive `ln(Phi(b) - Phi(a))` loses every digit when both
//! ends sit in the same far tail, so masses are computed on the left tail only (mirroring
//! right-tail intervals), as SciPy's and Optuna's `_truncnorm` do.

use std::f64::consts::FRAC_1_SQRT_2;

use crate::samplers::normal::{ndtr, ndtri_from_log};

/// `ln(sqrt(2 pi))`.
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// `ln(Phi(x))`, finite for every finite `x`.
pub(crate) fn log_ndtr(x: f64) -> f64 {
    if x > 6.0 {
        // Phi(x) = 1 - eps with eps < 1e-9: ln(1 - eps) = -eps to double precision.
        return -0.5 * libm::erfc(x * FRAC_1_SQRT_2);
    }
    if x > -20.0 {
        return (0.5 * libm::erfc(-x * FRAC_1_SQRT_2)).ln();
    }
    // Far left tail: Phi(x) = phi(x)/(-x) * (1 - 1/x^2 + 3/x^4 - 15/x^6 + ...), an
    // asymptotic series that converges to machine precision in a few terms for x <= -20.
    let inv_x2 = 1.0 / (x * x);
    let mut sum = 1.0;
    let mut term = 1.0;
    for k in 1..20 {
        term *= -((2 * k - 1) as f64) * inv_x2;
        let next = sum + term;
        if next == sum {
            break;
        }
        sum = next;
    }
    -0.5 * x * x - (-x).ln() - LN_SQRT_2PI + sum.ln()
}

/// `ln(exp(p) - exp(q))` for `p >= q`.
fn log_diff(p: f64, q: f64) -> f64 {
    p + (-(q - p).exp_m1()).ln()
}

/// `ln(Phi(b) - Phi(a))`: the log mass of `[a, b]` under the standard normal (`a <= b`).
pub(crate) fn log_gauss_mass(a: f64, b: f64) -> f64 {
    if b <= 0.0 {
        left_tail_log_mass(a, b)
    } else if a > 0.0 {
        // Mirror into the left tail, where Phi is accurate.
        left_tail_log_mass(-b, -a)
    } else {
        // The interval holds 0: 1 - (left tail) - (right tail), without cancellation.
        // A tail beyond 9 sigma is below 1.2e-19, which cannot change ln(1 - ...) at
        // double precision: skip its erfc.
        let left = if a < -9.0 { 0.0 } else { ndtr(a) };
        let right = if b > 9.0 { 0.0 } else { ndtr(-b) };
        (-left - right).ln_1p()
    }
}

/// `ln(Phi(b) - Phi(a))` for `a <= b <= 0`.
fn left_tail_log_mass(a: f64, b: f64) -> f64 {
    let log_b = log_ndtr(b);
    // On x <= 0 the slope of ln Phi is phi(x)/Phi(x) > -x (a Mills-ratio bound), so
    // ln Phi(a) - ln Phi(b) <= (b^2 - a^2) / 2. Below -40, Phi(a) is under 1e-17 of
    // Phi(b) and cannot change the difference: skip it. (Far-tail cells of discrete
    // kernels, the common case, then cost one log_ndtr.)
    if 0.5 * (b * b - a * a) < -40.0 {
        return log_b;
    }
    log_diff(log_b, log_ndtr(a))
}

/// `ln(exp(p) + exp(q))`.
fn log_add(p: f64, q: f64) -> f64 {
    let (hi, lo) = if p > q { (p, q) } else { (q, p) };
    if lo == f64::NEG_INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// The `q`-quantile (`0 <= q <= 1`) of the standard normal truncated to `[a, b]`.
///
/// Solved in log space on the left tail (mirroring when `a >= 0`), so draws stay exact even
/// when the whole interval is many sigmas out.
pub(crate) fn truncated_ppf(q: f64, a: f64, b: f64) -> f64 {
    if a >= b || a.is_nan() || b.is_nan() {
        // A kernel narrower than the floats can tell apart (`a == b`), or bounds made NaN
        // by a zero-width kernel: the law is the point itself, or unknown. `clamp` below
        // would panic on such bounds.
        return if a == b { a } else { f64::NAN };
    }
    let log_mass = log_gauss_mass(a, b);
    let x = if a < 0.0 {
        let log_phi = log_add(log_ndtr(a), q.ln() + log_mass);
        ndtri_from_log(log_phi)
    } else {
        let log_phi = log_add(log_ndtr(-b), (-q).ln_1p() + log_mass);
        -ndtri_from_log(log_phi)
    };
    // Rounding can step a hair outside; the quantile of a truncated law never does.
    x.clamp(a, b)
}

/// Log density at `x` of a normal `(mu, sigma)` truncated to `[low, high]`.
#[cfg(test)]
pub(crate) fn truncated_log_pdf(x: f64, mu: f64, sigma: f64, low: f64, high: f64) -> f64 {
    if x < low || x > high {
        return f64::NEG_INFINITY;
    }
    let z = (x - mu) / sigma;
    -0.5 * z * z
        - LN_SQRT_2PI
        - sigma.ln()
        - log_gauss_mass((low - mu) / sigma, (high - mu) / sigma)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn log_ndtr_is_continuous_across_its_branches() {
        for &x in &[-20.0, 6.0] {
            let below = log_ndtr(x - 1e-9);
            let above = log_ndtr(x + 1e-9);
            assert!(close(below, above, 1e-7), "jump at {x}: {below} vs {above}");
        }
        // ln Phi(-40) = -804.608442013754 (asymptotic value, checked against mpmath).
        assert!(close(log_ndtr(-40.0), -804.608_442_013_754, 1e-12));
    }

    #[test]
    fn interval_mass_is_exact_in_both_tails() {
        // Phi(1) - Phi(-1) = 0.682689492137086.
        assert!(close(
            log_gauss_mass(-1.0, 1.0).exp(),
            0.682_689_492_137_086,
            1e-13
        ));
        // Far right tail mirrors the far left tail exactly.
        let left = log_gauss_mass(-31.0, -30.0);
        let right = log_gauss_mass(30.0, 31.0);
        assert!(close(left, right, 1e-13));
        assert!(left.is_finite() && left < -450.0);
        // The shortcut for far-apart ends agrees with the full difference.
        for &(a, b) in &[(-30.0, -28.5), (-12.0, -5.0), (-60.0, -25.0), (-10.0, -9.0)] {
            let full = log_diff(log_ndtr(b), log_ndtr(a));
            assert!(close(log_gauss_mass(a, b), full, 1e-15), "[{a}, {b}]");
        }
    }

    #[test]
    fn ppf_inverts_the_truncated_cdf() {
        for &(a, b) in &[
            (-1.0, 2.0),
            (-50.0, 0.5),
            (3.0, 40.0),
            (-0.2, 0.1),
            (-8.0, -7.0),
        ] {
            for &q in &[1e-12, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0 - 1e-12] {
                let x = truncated_ppf(q, a, b);
                assert!(x >= a && x <= b, "{x} outside [{a}, {b}]");
                let back = (log_gauss_mass(a, x) - log_gauss_mass(a, b)).exp();
                assert!(
                    (back - q).abs() < 1e-9,
                    "q = {q} on [{a}, {b}]: cdf(x) = {back}"
                );
            }
        }
    }

    #[test]
    fn truncated_density_integrates_to_one() {
        let (mu, sigma, low, high) = (0.8, 0.3, 0.0, 1.0);
        let n = 20_000;
        let h = (high - low) / n as f64;
        // Midpoint rule.
        let total: f64 = (0..n)
            .map(|i| truncated_log_pdf(low + (i as f64 + 0.5) * h, mu, sigma, low, high).exp() * h)
            .sum();
        assert!((total - 1.0).abs() < 1e-8, "integral = {total}");
    }
}
