//! The one-sample Wilcoxon signed-rank test, as `scipy.stats.wilcoxon(d, alternative=..,
//! zero_method="zsplit")` computes it (SciPy 1.17, `method="auto"`, no continuity
//! correction): what [`Wilcoxon`](super::Wilcoxon) decides with.

/// The alternative hypothesis about the differences' location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alternative {
    /// The differences tend to be positive.
    Greater,
    /// The differences tend to be negative.
    Less,
}

/// SciPy's switch from exact to normal-approximation p-values.
const EXACT_UP_TO: usize = 50;
/// With ties or zeros SciPy enumerates every sign flip up to this size (2^13 < 9999
/// resamples), and uses the normal approximation above it.
const PERMUTATION_UP_TO: usize = 13;

/// The p-value of the signed-rank test of finite differences `d` (zeros kept, their ranks
/// split between the signs). `NaN` for no differences.
pub(crate) fn p_value(d: &[f64], alternative: Alternative) -> f64 {
    let n = d.len();
    if n == 0 {
        return f64::NAN;
    }
    let (ranks, tie_sizes) = average_ranks(d);
    let zeros = d.iter().filter(|&&x| x == 0.0).count();
    let has_ties = tie_sizes.iter().any(|&t| t > 1);
    let r_plus = statistic(d, &ranks, |i| d[i] > 0.0);
    if n > EXACT_UP_TO {
        normal_p(n, r_plus, &tie_sizes, alternative)
    } else if !has_ties && zeros == 0 {
        exact_p(n, r_plus, alternative)
    } else if n <= PERMUTATION_UP_TO {
        permutation_p(d, &ranks, r_plus, alternative)
    } else {
        normal_p(n, r_plus, &tie_sizes, alternative)
    }
}

/// Ranks of `|d|` (1-based, ties averaged) and the size of every group of ties.
fn average_ranks(d: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<usize> = (0..d.len()).collect();
    order.sort_by(|&a, &b| d[a].abs().total_cmp(&d[b].abs()));
    let mut ranks = vec![0.0; d.len()];
    let mut sizes = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && d[order[end]].abs() == d[order[start]].abs() {
            end += 1;
        }
        // Positions start..end hold ranks start+1..=end; each gets their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        sizes.push(end - start);
        start = end;
    }
    (ranks, sizes)
}

/// R+: the ranks of the positive differences plus half the ranks of the zeros.
fn statistic(d: &[f64], ranks: &[f64], positive: impl Fn(usize) -> bool) -> f64 {
    (0..d.len())
        .map(|i| {
            if d[i] == 0.0 {
                ranks[i] / 2.0
            } else if positive(i) {
                ranks[i]
            } else {
                0.0
            }
        })
        .sum()
}

/// Exact null distribution of R+ without ties or zeros: R+ is the sum of a uniformly
/// random subset of 1..=n.
fn exact_p(n: usize, r_plus: f64, alternative: Alternative) -> f64 {
    let max = n * (n + 1) / 2;
    // counts[k]: subsets of 1..=n summing to k, as probabilities (divided by 2 per item).
    let mut pmf = vec![0.0f64; max + 1];
    pmf[0] = 1.0;
    for item in 1..=n {
        for k in (0..=max).rev() {
            let with = if k >= item { pmf[k - item] } else { 0.0 };
            pmf[k] = (pmf[k] + with) / 2.0;
        }
    }
    // R+ is an integer here; SciPy rounds down for the upper tail, up for the lower.
    match alternative {
        Alternative::Greater => {
            let k = r_plus.floor().max(0.0) as usize;
            pmf.get(k..).map_or(0.0, |tail| tail.iter().sum())
        }
        Alternative::Less => {
            let k = (r_plus.ceil().max(0.0) as usize).min(max);
            pmf[..=k].iter().sum()
        }
    }
}

/// SciPy's `permutation_test` over every sign flip: the share of the 2^n flips whose R+
/// is at least (`Greater`) or at most (`Less`) the observed one, within its tolerance.
fn permutation_p(d: &[f64], ranks: &[f64], observed: f64, alternative: Alternative) -> f64 {
    let n = d.len();
    let tolerance = (observed * f64::EPSILON * 100.0).abs();
    let flips = 1u32 << n;
    let hits = (0..flips)
        .filter(|&flip| {
            // Bit i set: difference i has its sign flipped.
            let r = statistic(d, ranks, |i| (d[i] > 0.0) != (flip >> i & 1 == 1));
            match alternative {
                Alternative::Greater => r >= observed - tolerance,
                Alternative::Less => r <= observed + tolerance,
            }
        })
        .count();
    hits as f64 / f64::from(flips)
}

/// The normal approximation with the tie correction (zeros form a group of ties too).
fn normal_p(n: usize, r_plus: f64, tie_sizes: &[usize], alternative: Alternative) -> f64 {
    let n = n as f64;
    let mean = n * (n + 1.0) / 4.0;
    let ties: f64 = tie_sizes
        .iter()
        .map(|&t| {
            let t = t as f64;
            t * t * t - t
        })
        .sum();
    let sd = ((n * (n + 1.0) * (2.0 * n + 1.0) - ties / 2.0) / 24.0).sqrt();
    let z = (r_plus - mean) / sd;
    match alternative {
        Alternative::Greater => 0.5 * libm::erfc(z / std::f64::consts::SQRT_2),
        Alternative::Less => 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `scipy.stats.wilcoxon(d, alternative=a, zero_method="zsplit").pvalue`, SciPy 1.17.1
    /// in the bench venv, for a = "greater" and "less".
    fn check(d: &[f64], greater: f64, less: f64) {
        let g = p_value(d, Alternative::Greater);
        let l = p_value(d, Alternative::Less);
        assert!(
            (g - greater).abs() < 1e-12,
            "greater: {g} vs {greater} for {d:?}"
        );
        assert!((l - less).abs() < 1e-12, "less: {l} vs {less} for {d:?}");
    }

    #[test]
    fn exact_without_ties() {
        check(&[0.8, 1.3, -0.4, 2.1, 0.5, 1.7], 0.03125, 0.984375);
        check(&[0.3, 0.1], 0.25, 1.0);
    }

    #[test]
    fn every_sign_flip_with_zeros_or_ties_up_to_13() {
        check(&[0.0, 1.0, -1.0, 2.0, 2.0, 0.0, 3.0, -0.5], 0.125, 0.90625);
        check(&[0.0; 4], 1.0, 1.0);
    }

    #[test]
    fn normal_approximation_with_tie_and_zero_corrections() {
        let ties: Vec<f64> = (0..20)
            .map(|i| ((i * 7) % 5) as f64 - 1.5 + if i % 3 == 0 { 0.5 } else { 0.0 })
            .collect();
        check(&ties, 0.03173350201937528, 0.9682664979806247);
        let zeros: Vec<f64> = (0..14).map(|i| ((i * 3) % 7) as f64 - 2.0).collect();
        check(&zeros, 0.05723927422251537, 0.9427607257774846);
        let large: Vec<f64> = (0..60).map(|i| (f64::from(i) * 1.7).sin() + 0.15).collect();
        check(&large, 0.042479076042265314, 0.9575209239577347);
    }

    #[test]
    fn ranks_average_ties() {
        let (ranks, sizes) = average_ranks(&[-2.0, 1.0, 2.0, 0.0, 3.0]);
        assert_eq!(ranks, [3.5, 2.0, 3.5, 1.0, 5.0]);
        assert_eq!(sizes, [1, 1, 2, 1]);
        assert!(p_value(&[], Alternative::Greater).is_nan());
    }
}
