//! Log expected improvement, stable in the far tails (Optuna's `logei`).
//!
//! With `h(z) = E[max(Z + z, 0)] = z Phi(z) + phi(z)` for a standard normal `Z`,
//! `EI = sigma h((mean - best) / sigma)` for a posterior `N(mean, sigma^2)` and
//! `log EI = ln(sigma) + ln h(z)`. For `z < -25` the direct sum cancels; there
//! `h(z) = phi(z) (1/t^2 - 3/t^4 + 15/t^6 - 105/t^8 + ...)` with `t = -z` (from the
//! asymptotic series of the Mills ratio), whose truncation error is below 1e-8 relative.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

use crate::samplers::normal::ndtr;

/// Below this `z`, the asymptotic series.
const TAIL: f64 = -25.0;

/// `ln h(z)`, `Phi(z) / h(z)` (= d ln h / dz) and `phi(z) / h(z)`.
pub(crate) fn standard_log_ei(z: f64) -> (f64, f64, f64) {
    let ln_sqrt_2pi = 0.5 * (2.0 * PI).ln();
    if z >= TAIL {
        let cdf = ndtr(z);
        let pdf = (-0.5 * z * z).exp() / (2.0 * PI).sqrt();
        let h = z * cdf + pdf;
        (h.ln(), cdf / h, pdf / h)
    } else {
        let t = -z;
        let u = 1.0 / (t * t);
        // h / phi and Phi / phi as series in u = 1/t^2.
        let h_over_phi = u * (1.0 - u * (3.0 - u * (15.0 - u * 105.0)));
        let cdf_over_phi = (1.0 - u * (1.0 - u * (3.0 - u * (15.0 - u * 105.0)))) / t;
        // ln phi(z) - ln h... with -z^2/2 computed as -(t/sqrt2)^2 so that it overflows
        // only past 1e154, where ln(u) has long been finite.
        let half_sq = (t * FRAC_1_SQRT_2) * (t * FRAC_1_SQRT_2);
        let ln_h = -half_sq - ln_sqrt_2pi + h_over_phi.ln();
        (ln_h, cdf_over_phi / h_over_phi, 1.0 / h_over_phi)
    }
}

/// `log EI` of a posterior with `mean` and `var` over `best` (maximisation), with its
/// derivatives with respect to `mean` and `var`. `var` must be positive.
pub(crate) fn log_ei(mean: f64, var: f64, best: f64) -> (f64, f64, f64) {
    let sigma = var.sqrt();
    let z = (mean - best) / sigma;
    let (ln_h, cdf_ratio, pdf_ratio) = standard_log_ei(z);
    let value = 0.5 * var.ln() + ln_h;
    // d/dmean = Phi/(h sigma); d/dvar = (1 - z Phi/h) / (2 var) = (phi/h) / (2 var).
    (value, cdf_ratio / sigma, pdf_ratio / (2.0 * var))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ln E[max(f - best, 0)]` for `f ~ N(mean, var)` by the trapezoid rule over
    /// `best .. mean + 12 sigma`.
    fn log_ei_by_quadrature(mean: f64, var: f64, best: f64) -> f64 {
        let sigma = var.sqrt();
        let hi = mean.max(best) + 12.0 * sigma;
        let n = 200_000;
        let dx = (hi - best) / f64::from(n);
        let density = |f: f64| (-(f - mean).powi(2) / (2.0 * var)).exp() / (2.0 * PI * var).sqrt();
        let mut sum = 0.0;
        for i in 0..=n {
            let f = best + dx * f64::from(i);
            let w = if i == 0 || i == n { 0.5 } else { 1.0 };
            sum += w * (f - best) * density(f);
        }
        (sum * dx).ln()
    }

    #[test]
    fn matches_the_direct_formula_in_the_middle() {
        for (mean, var, best) in [
            (0.0, 1.0, 0.0),
            (0.3, 0.5, 1.0),
            (2.0, 0.1, 0.5),
            (-1.0, 2.0, 1.5),
            (0.0, 0.04, 0.9),
        ] {
            let (value, _, _) = log_ei(mean, var, best);
            let direct = log_ei_by_quadrature(mean, var, best);
            assert!(
                (value - direct).abs() < 1e-6,
                "{mean} {var} {best}: {value} vs {direct}"
            );
        }
    }

    #[test]
    fn both_branches_agree_at_the_switch() {
        let (a, ..) = standard_log_ei(TAIL + 1e-9);
        let (b, ..) = standard_log_ei(TAIL - 1e-9);
        assert!((a - b).abs() < 1e-7, "{a} vs {b}");
    }

    #[test]
    fn finite_and_monotone_in_the_far_tails() {
        let mut last = f64::NEG_INFINITY;
        let mut z = -1e150;
        while z < 1e150 {
            let (v, dz, _) = standard_log_ei(z);
            assert!(
                v.is_finite() && dz.is_finite() && dz > 0.0,
                "z = {z}: {v} {dz}"
            );
            assert!(v > last, "not increasing at z = {z}");
            last = v;
            z = if z < -1.0 {
                z / 1.7
            } else if z < 1.0 {
                z + 0.05
            } else {
                z * 1.7
            };
        }
        // Far below the incumbent: ln EI ~ -z^2 / 2 - 2 ln|z|.
        let (v, ..) = standard_log_ei(-1e6);
        let asymptote = -0.5e12 - 0.5 * (2.0 * PI).ln() - 2.0 * 1e6f64.ln();
        assert!((v - asymptote).abs() < 1e-3, "{v} vs {asymptote}");
        // Far above: EI ~ z.
        let (v, ..) = standard_log_ei(1e6);
        assert!((v - 1e6f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn derivatives_match_finite_differences() {
        for (mean, var, best) in [(0.2, 0.3, 0.5), (0.0, 1e-4, 0.5), (1.0, 0.2, 0.1)] {
            let (_, dm, dv) = log_ei(mean, var, best);
            let h = 1e-7;
            let nm = (log_ei(mean + h, var, best).0 - log_ei(mean - h, var, best).0) / (2.0 * h);
            let hv = 1e-4 * var;
            let nv = (log_ei(mean, var + hv, best).0 - log_ei(mean, var - hv, best).0) / (2.0 * hv);
            assert!((nm - dm).abs() <= 1e-5 * dm.abs().max(1.0), "{nm} vs {dm}");
            assert!((nv - dv).abs() <= 1e-5 * dv.abs().max(1.0), "{nv} vs {dv}");
        }
    }
}
