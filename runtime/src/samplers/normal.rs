//! The standard normal CDF and its inverse, shared by the samplers: TPE's truncated
//! kernels, GP's expected improvement and CMA-ES's integer margin.
//!
//! `libm` has `erfc` but no inverse; the quantile is Wichura's AS 241 (relative error
//! about 1e-16), also in log space for TPE's far-tail draws.

use std::f64::consts::FRAC_1_SQRT_2;

/// `Phi(x)`, the standard normal CDF; accurate in the left tail down to `x ~ -38`.
pub(crate) fn ndtr(x: f64) -> f64 {
    // erfc keeps full relative precision for large arguments, i.e. in the left tail.
    if x < 0.0 {
        0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
    } else {
        1.0 - 0.5 * libm::erfc(x * FRAC_1_SQRT_2)
    }
}

/// The `p`-quantile of the standard normal (`-inf` at 0, `inf` at 1, NaN outside).
pub(crate) fn ndtri(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    as241(q, || if q < 0.0 { p.ln() } else { (-p).ln_1p() })
}

/// `x` such that `ln(Phi(x)) = log_p` (`log_p <= 0`), fed `ln p` directly in the tails.
pub(crate) fn ndtri_from_log(log_p: f64) -> f64 {
    if log_p >= 0.0 {
        return f64::INFINITY;
    }
    let p = log_p.exp();
    let q = p - 0.5;
    // The tail mass taken from log_p without underflow.
    as241(q, || {
        if q < 0.0 {
            log_p
        } else {
            (-log_p.exp_m1()).ln()
        }
    })
}

/// Wichura's AS 241 at `q = p - 0.5`; `log_tail` gives `ln(min(p, 1 - p))`, needed only
/// outside the central region.
fn as241(q: f64, log_tail: impl FnOnce() -> f64) -> f64 {
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        q * poly(&AS241_A, r) / poly(&AS241_B, r)
    } else {
        let r = (-log_tail()).sqrt();
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
    fn quantile_inverts_cdf() {
        for p in [1e-300, 1e-20, 1e-6, 0.01, 0.3, 0.5, 0.9, 0.999_999] {
            assert!((ndtr(ndtri(p)) - p).abs() < 1e-12 * p.max(1e-3), "{p}");
            assert!(close(ndtri_from_log(p.ln()), ndtri(p), 1e-12), "{p}");
        }
        assert!((ndtri(0.975) - 1.959_963_984_540_054).abs() < 1e-9);
        assert_eq!(ndtri(0.0), f64::NEG_INFINITY);
        assert_eq!(ndtri(1.0), f64::INFINITY);
        assert!(ndtri(f64::NAN).is_nan() && ndtri(1.5).is_nan());
    }
}
