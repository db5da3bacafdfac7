//! The standard normal CDF in log space, the log-probability mass of an interval, and the
//! inverse CDF of a truncated normal: what TPE's kernels need, accurate in both tails.
//!
//! Kernels live on bounded domains, so every density and draw is of a normal truncated to
//! `[a, b]` (in standard units). Naive `ln(Phi(b) - Phi(a))` loses every digit when both
//! ends sit in the same far tail, so masses are computed on the left tail only (mirroring
//! right-tail intervals), as SciPy's and Optuna's `_truncnorm` do.

use std::f64::consts::FRAC_1_SQRT_2;

/// `ln(sqrt(2 pi))`.
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// `Phi(x)`, the standard normal CDF; accurate in the left tail down to `x ~ -38`.
pub(crate) fn ndtr(x: f64) -> f64 {
    // erfc keeps full relative precision for large arguments, i.e. in the left tail.
    if x < 0.0 {
        0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
    } else {
        1.0 - 0.5 * libm::erfc(x * FRAC_1_SQRT_2)
    }
}

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

/// `x` such that `ln(Phi(x)) = log_p` (`log_p <= 0`): Wichura's AS 241 rational
/// approximation (relative error about 1e-16), fed `ln p` directly in the tails.
fn ndtri_from_log(log_p: f64) -> f64 {
    if log_p >= 0.0 {
        return f64::INFINITY;
    }
    let p = log_p.exp();
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        q * poly(&AS241_A, r) / poly(&AS241_B, r)
    } else {
        // r = sqrt(-ln(tail mass)), with the tail mass taken from log_p without underflow.
        let log_tail = if q < 0.0 {
            log_p
        } else {
            (-log_p.exp_m1()).ln()
        };
        let r = (-log_tail).sqrt();
        let v = if r <= 5.0 {
            let r = r - 1.6;
            poly(&AS241_C, r) / poly(&AS241_D, r)
        } else {
            let r = r - 5.0;
            poly(&AS241_E, r) / poly(&AS241_F, r)
        };
        if q < 0.0 {
            -v
        } else {
            v
        }
    }
}

/// Horner evaluation of `c[0] + c[1] r + ... + c[7] r^7`.
fn poly(c: &[f64; 8], r: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ci| acc * r + ci)
}

// Wichura's published coefficients, kept digit for digit so they can be checked against
// the paper (f64 rounds the extra digits away).
#[allow(clippy::excessive_precision)]
const AS241_A: [f64; 8] = [
    3.387_132_872_796_366_608,
    133.141_667_891_784_377_45,
    1_971.590_950_306_551_442_7,
    13_731.693_765_509_461_125,
    45_921.953_931_549_871_457,
    67_265.770_927_008_700_853,
    33_430.575_583_588_128_105,
    2_509.080_928_730_122_672_7,
];
#[allow(clippy::excessive_precision)]
const AS241_B: [f64; 8] = [
    1.0,
    42.313_330_701_600_911_252,
    687.187_007_492_057_908_3,
    5_394.196_021_424_751_107_7,
    21_213.794_301_586_595_867,
    39_307.895_800_092_710_61,
    28_729.085_735_721_942_674,
    5_226.495_278_852_545_925,
];
#[allow(clippy::excessive_precision)]
const AS241_C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    0.241_780_725_177_450_611_77,
    0.022_723_844_989_269_184_583_3,
    7.745_450_142_783_414_076_4e-4,
];
#[allow(clippy::excessive_precision)]
const AS241_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    0.689_767_334_985_100_004_55,
    0.148_103_976_427_480_074_59,
    0.015_198_666_563_616_457_196_6,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
#[allow(clippy::excessive_precision)]
const AS241_E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    0.296_560_571_828_504_891_23,
    0.026_532_189_526_576_123_093,
    0.001_242_660_947_388_078_438_6,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
#[allow(clippy::excessive_precision)]
const AS241_F: [f64; 8] = [
    1.0,
    0.599_832_206_555_887_937_69,
    0.136_929_880_922_735_805_31,
    0.014_875_361_290_850_614_852_5,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

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
    fn ndtr_matches_known_values() {
        // Reference values of Phi (Abramowitz & Stegun, and Phi(-10) = 7.6198530241605e-24).
        assert!(close(ndtr(0.0), 0.5, 1e-15));
        assert!(close(ndtr(1.0), 0.841_344_746_068_542_9, 1e-14));
        assert!(close(ndtr(-1.96), 0.024_997_895_148_220_435, 1e-12));
        assert!(close(ndtr(-10.0), 7.619_853_024_160_526e-24, 1e-12));
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
