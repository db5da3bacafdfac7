//! The integer margin of CMA-ES with Margin (Hamano, Saito, Nomura, Shirakawa, GECCO
//! 2022), as `cmaes`' `CMAwM` implements it: a discrete coordinate's distribution never
//! collapses into one value.
//!
//! A discrete parameter with `count` values owns `count` equal bins of its unit-cube
//! coordinate, value `k` the bin `[k / count, (k + 1) / count)`. A draw `x` of the search
//! distribution is evaluated at `m + A (x - m)` (per coordinate, `A` a positive scale kept
//! per discrete coordinate) and rounded to its bin; CMA-ES itself is told `x`. After each
//! update, with `sd = sigma A sqrt(C_jj)`:
//! - at the first and last value (one neighbour), if the probability of drawing the
//!   neighbour is below the margin, the mean moves so that it is exactly the margin;
//! - in between, the mean and `A` are set so that the probability of each neighbouring
//!   side is at least half the margin (`CMAwM`'s correction of the two tails).

use crate::samplers::normal::{ndtr, ndtri};

/// The bins of one discrete coordinate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bins {
    count: f64,
}

impl Bins {
    /// Bins for a parameter with `count >= 2` values.
    pub(crate) fn new(count: f64) -> Self {
        debug_assert!(count >= 2.0);
        Bins { count }
    }

    /// The index of the bin holding `u` (clamped to the range).
    pub(crate) fn index(self, u: f64) -> f64 {
        if u.is_nan() {
            return 0.0;
        }
        (u * self.count).floor().clamp(0.0, self.count - 1.0)
    }

    /// The coordinate of value `k`: its bin's centre.
    pub(crate) fn center(self, k: f64) -> f64 {
        (k + 0.5) / self.count
    }

    /// `candidate` if it lies in the bin of `stored`, else the nearest point inside that
    /// bin: the continuous point to tell for a trial whose discrete value is `stored`.
    pub(crate) fn inside_bin_of(self, stored: f64, candidate: f64) -> f64 {
        let k = self.index(stored);
        if self.index(candidate) == k {
            return candidate;
        }
        let width = 1.0 / self.count;
        let (lo, hi) = (k * width, (k + 1.0) * width);
        let inset = width * 1e-6;
        if candidate.is_nan() {
            return self.center(k);
        }
        let inside = candidate.clamp(lo + inset, hi - inset);
        if self.index(inside) == k {
            inside
        } else {
            self.center(k)
        }
    }

    /// The threshold below and above the bin of `mean`; at the first and last bin both
    /// are the one threshold it has (as `CMAwM`).
    fn limits(self, mean: f64) -> (f64, f64) {
        let k = self.index(mean);
        let last = self.count - 2.0;
        let lower = ((k - 1.0).clamp(0.0, last) + 1.0) / self.count;
        let upper = (k.clamp(0.0, last) + 1.0) / self.count;
        (lower, upper)
    }

    /// The corrected `(mean, a)` of one coordinate after an update, for the distribution's
    /// `scale = sigma sqrt(C_jj)` and the margin.
    pub(crate) fn correct(self, mean: f64, a: f64, scale: f64, margin: f64) -> (f64, f64) {
        let sd = scale * a;
        if !(sd > 0.0 && sd.is_finite() && mean.is_finite() && scale.is_finite()) {
            return (mean, a);
        }
        let (lo, hi) = self.limits(mean);
        let low_cdf = ndtr((lo - mean) / sd);
        let up_cdf = ndtr((mean - hi) / sd);
        let mid_cdf = 1.0 - (low_cdf + up_cdf);
        if low_cdf.max(up_cdf) > 0.5 {
            // An end value: `lo == hi`, one threshold.
            if low_cdf.min(up_cdf) < margin {
                let side = (mean - hi).signum();
                return (hi + side * sd * ndtri(1.0 - margin), a);
            }
            return (mean, a);
        }
        let half = margin / 2.0;
        let low = low_cdf.max(half);
        let up = up_cdf.max(half);
        let excess = 1.0 - low - up - mid_cdf;
        let denominator = low + mid_cdf + up - 3.0 * half;
        let low = (low + excess * (low - half) / denominator).clamp(1e-10, 0.5 - 1e-10);
        let up = (up + excess * (up - half) / denominator).clamp(1e-10, 0.5 - 1e-10);
        let chi_low = ndtri(1.0 - low);
        let chi_up = ndtri(1.0 - up);
        let a = (hi - lo) / ((chi_low + chi_up) * scale);
        let mean = (lo * chi_up + hi * chi_low) / (chi_low + chi_up);
        (mean, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The probability that a draw (evaluated at `m + a (x - m)`) leaves the bin of `m`
    /// downwards and upwards.
    fn tails(bins: Bins, mean: f64, sd: f64) -> (f64, f64) {
        let k = bins.index(mean);
        let lo = k / bins.count;
        let hi = (k + 1.0) / bins.count;
        let low = if k > 0.0 { ndtr((lo - mean) / sd) } else { 0.0 };
        let up = if k < bins.count - 1.0 {
            ndtr((mean - hi) / sd)
        } else {
            0.0
        };
        (low, up)
    }

    #[test]
    fn the_corrected_distribution_leaves_its_bin_with_the_margin() {
        let bins = Bins::new(5.0);
        let margin = 0.02;
        for mean in [0.05, 0.3, 0.5, 0.61, 0.95, 1.4, -0.2] {
            for scale in [1e-9, 1e-3, 0.01, 0.05] {
                let (m, a) = bins.correct(mean, 1.0, scale, margin);
                let (low, up) = tails(bins, m, a * scale);
                let k = bins.index(m);
                if k == 0.0 || k == 4.0 {
                    assert!(
                        low.max(up) >= margin * (1.0 - 1e-6),
                        "{mean} {scale}: {m} {a}"
                    );
                } else {
                    // Both sides, each with at least half the margin.
                    assert!(low.min(up) >= margin / 2.0 * (1.0 - 1e-6), "{mean} {scale}");
                }
            }
        }
        // A wide distribution at an end value is left alone.
        assert_eq!(bins.correct(0.05, 1.0, 0.3, margin), (0.05, 1.0));
    }

    #[test]
    fn tell_points_stay_in_the_stored_bin() {
        let bins = Bins::new(3.0);
        assert_eq!(bins.inside_bin_of(0.5, 0.4), 0.4);
        let moved = bins.inside_bin_of(0.5, 0.9);
        assert_eq!(bins.index(moved), 1.0);
        assert_eq!(bins.index(bins.inside_bin_of(0.9, -3.0)), 2.0);
        assert_eq!(bins.index(bins.inside_bin_of(0.1, f64::NAN)), 0.0);
    }
}
