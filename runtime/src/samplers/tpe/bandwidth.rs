//! Optuna's bandwidth rule for numeric kernels, in linear time.
//!
//! Each observation's kernel gets sigma = the larger of the distances to its left and right
//! neighbours in sorted order (the support's ends count as neighbours), clipped to
//! `[R / min(100, n + 2), R]` ("magic clip", `R` the kernel-space width of the support).
//! Unless `consider_endpoints`, the smallest and largest observations use only their
//! inner neighbour.
//!
//! Sorting each parameter's history on every ask would cost O(n log n) per parameter. The
//! clip makes it unnecessary: cut the support into buckets exactly one minimum sigma wide.
//! Two observations in one bucket are closer than the minimum sigma, so an observation
//! that is neither the smallest nor the largest of its bucket gets exactly the minimum
//! sigma, and the others only need the extreme values of the neighbouring non-empty
//! buckets. One pass fills the buckets, one pass over them assigns every sigma.

/// Sigmas for kernels centred at `mus` (kernel space) on the support `[lo, hi]`, written to
/// `out` (cleared first). The prior kernel is not included.
pub(crate) fn neighbour_sigmas(
    mus: &[f64],
    lo: f64,
    hi: f64,
    magic_clip: bool,
    consider_endpoints: bool,
    out: &mut Vec<f64>,
) {
    out.clear();
    let n = mus.len();
    if n == 0 {
        return;
    }
    let range = hi - lo;
    if !magic_clip {
        sorted_sigmas(mus, lo, hi, 1e-12, range, consider_endpoints, out);
        return;
    }
    // n observations + the prior = n + 1 kernels; Optuna divides by min(100, 1 + kernels).
    let buckets = (n + 2).min(100);
    let min_sigma = range / buckets as f64;
    out.resize(n, min_sigma);

    // Per bucket: index and value of its smallest element (first on ties), of its
    // largest (last on ties), and how many it holds. Updated with selects, not branches:
    // on unsorted data a branch here mispredicts half the time.
    let mut first = [0usize; 100];
    let mut last = [0usize; 100];
    let mut min_value = [f64::INFINITY; 100];
    let mut max_value = [f64::NEG_INFINITY; 100];
    let mut count = [0u32; 100];
    let scale = buckets as f64 / range;
    for (i, &x) in mus.iter().enumerate() {
        let b = (((x - lo) * scale) as usize).min(buckets - 1);
        let new_min = x < min_value[b];
        first[b] = if new_min { i } else { first[b] };
        min_value[b] = if new_min { x } else { min_value[b] };
        let new_max = x >= max_value[b];
        last[b] = if new_max { i } else { last[b] };
        max_value[b] = if new_max { x } else { max_value[b] };
        count[b] += 1;
    }

    let mut occupied = [0usize; 100];
    let mut n_occupied = 0;
    for (b, &held) in count.iter().enumerate().take(buckets) {
        occupied[n_occupied] = b;
        n_occupied += usize::from(held > 0);
    }
    let occupied = &occupied[..n_occupied];
    let clip = |s: f64| s.clamp(min_sigma, range);
    for (pos, &b) in occupied.iter().enumerate() {
        let left_value = if pos == 0 {
            lo
        } else {
            mus[last[occupied[pos - 1]]]
        };
        let right_value = match occupied.get(pos + 1) {
            Some(&next) => mus[first[next]],
            None => hi,
        };
        let (lo_i, hi_i) = (first[b], last[b]);
        let is_global_first = pos == 0;
        let is_global_last = pos + 1 == occupied.len();
        if count[b] == 1 {
            let x = mus[lo_i];
            let (left_gap, right_gap) = (x - left_value, right_value - x);
            out[lo_i] = clip(endpoint_rule(
                left_gap,
                right_gap,
                is_global_first,
                is_global_last,
                consider_endpoints,
                n,
            ));
        } else {
            // Gaps inside the bucket are below min_sigma: any value under it clips the same.
            let x_lo = mus[lo_i];
            let x_hi = mus[hi_i];
            out[lo_i] = clip(endpoint_rule(
                x_lo - left_value,
                0.0,
                is_global_first,
                false,
                consider_endpoints,
                n,
            ));
            out[hi_i] = clip(endpoint_rule(
                0.0,
                right_value - x_hi,
                false,
                is_global_last,
                consider_endpoints,
                n,
            ));
        }
    }
}

/// Below this many observations the spread is too noisy to set a floor (one near-copy of
/// the best trial would shrink it to nothing): the magic clip applies unchanged.
pub(crate) const SPREAD_FLOOR_MIN_OBSERVATIONS: usize = 10;

/// Sigmas for the good set's kernels whose floor follows the set's own spread, after the
/// bandwidth factor: each is `factor * gap` (the neighbour rule) kept within
/// `[min(factor * R / min(100, n + 2), max(std, resolution)), R]`, `std` being the
/// observations' standard deviation, once there are [`SPREAD_FLOOR_MIN_OBSERVATIONS`].
/// The caller's `resolution` is `R / (finished + 2)` for `finished` trials in the study,
/// and at least one grid cell for a discrete parameter (a kernel narrower than its cell
/// would only ever propose the good trials' own values). Below that, or when the spread is wider
/// than the clip, this is the magic clip times the factor.
///
/// Why: the clip's floor `R / (n + 2)` is set by the size of the set it is computed on,
/// and the good set stops growing at gamma's cap (25), so `l(x)`'s kernels never get
/// narrower than 4% of the range, whatever the run has learnt; once the good trials sit
/// closer together than that, most draws from `l(x)` land farther from them than they
/// are from each other, and the best stops improving (a 10-d sphere stalls near 0.15).
/// Flooring at the spread instead lets the kernels contract with the good set, like an
/// evolution strategy's step size, and never below what the good trials themselves span.
/// That alone is not enough: `l(x)` is densest where the good trials crowd, so the best of
/// its draws tends to land among them and the spread shrinks faster than the good set
/// improves (a 10-d sphere froze at 1.6e-3 with all proposals identical). The second
/// bound, `R / (finished + 2)`, is Optuna's clip without its cap of 100, counted over
/// the whole study: the resolution keeps growing with the trials, so a collapsed good set
/// still searches ever finer around itself (the same sphere reached 9e-7 at 10 000).
pub(crate) fn spread_floored_sigmas(
    mus: &[f64],
    lo: f64,
    hi: f64,
    factor: f64,
    resolution: f64,
    consider_endpoints: bool,
    out: &mut Vec<f64>,
) {
    out.clear();
    let n = mus.len();
    if n == 0 {
        return;
    }
    let range = hi - lo;
    let magic = range / (n + 2).min(100) as f64;
    let mut floor = factor * magic;
    if n >= SPREAD_FLOOR_MIN_OBSERVATIONS {
        let mean = mus.iter().sum::<f64>() / n as f64;
        let var = mus.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / n as f64;
        floor = floor.min(var.sqrt().max(resolution));
    }
    // The neighbour gaps, unclipped: the floor is applied after the factor.
    sorted_sigmas(mus, lo, hi, 0.0, f64::INFINITY, consider_endpoints, out);
    for s in out.iter_mut() {
        *s = (*s * factor).clamp(floor, range);
    }
}

/// max(left, right), except that without `consider_endpoints` the overall smallest and
/// largest observations ignore the gap to the support's end (when there are at least two).
fn endpoint_rule(
    left: f64,
    right: f64,
    global_first: bool,
    global_last: bool,
    consider_endpoints: bool,
    n: usize,
) -> f64 {
    if !consider_endpoints && n >= 2 {
        if global_first {
            return right;
        }
        if global_last {
            return left;
        }
    }
    left.max(right)
}

/// The same rule by sorting (used when the clip is off, so buckets cannot bound the work).
fn sorted_sigmas(
    mus: &[f64],
    lo: f64,
    hi: f64,
    min_sigma: f64,
    max_sigma: f64,
    consider_endpoints: bool,
    out: &mut Vec<f64>,
) {
    let n = mus.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| mus[a].total_cmp(&mus[b]).then(a.cmp(&b)));
    out.resize(n, 0.0);
    for (r, &i) in order.iter().enumerate() {
        let left = if r == 0 { lo } else { mus[order[r - 1]] };
        let right = if r + 1 == n { hi } else { mus[order[r + 1]] };
        let s = endpoint_rule(
            mus[i] - left,
            right - mus[i],
            r == 0,
            r + 1 == n,
            consider_endpoints,
            n,
        );
        out[i] = s.clamp(min_sigma, max_sigma);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Optuna's rule written the obvious way: sort, take neighbour gaps, clip.
    fn reference(mus: &[f64], lo: f64, hi: f64, consider_endpoints: bool) -> Vec<f64> {
        let mut out = Vec::new();
        let min_sigma = (hi - lo) / (mus.len() as f64 + 2.0).min(100.0);
        sorted_sigmas(
            mus,
            lo,
            hi,
            min_sigma,
            hi - lo,
            consider_endpoints,
            &mut out,
        );
        out
    }

    #[test]
    fn hand_computed_sigmas() {
        // Support [0, 10], observations 2, 3, 7: 5 kernels with the prior, min sigma
        // 10 / min(100, 5) = 2. Sorted with ends: 0 | 2 3 7 | 10.
        // 2: first, endpoints ignored -> right gap 1 -> clipped to 2.
        // 3: max(1, 4) = 4.  7: last -> left gap 4.
        let mut out = Vec::new();
        neighbour_sigmas(&[7.0, 2.0, 3.0], 0.0, 10.0, true, false, &mut out);
        assert_eq!(out, vec![4.0, 2.0, 4.0]);
        // With endpoints: 2 -> max(2, 1) = 2, 7 -> max(4, 3) = 4.
        neighbour_sigmas(&[7.0, 2.0, 3.0], 0.0, 10.0, true, true, &mut out);
        assert_eq!(out, vec![4.0, 2.0, 4.0]);
        // One observation: both ends count: max(2.5, 7.5) = 7.5.
        neighbour_sigmas(&[2.5], 0.0, 10.0, true, false, &mut out);
        assert_eq!(out, vec![7.5]);
    }

    #[test]
    fn buckets_agree_with_sorting() {
        // Pseudo-random clustered data, including ties and values on the bounds.
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for &n in &[2usize, 3, 5, 17, 98, 99, 250, 2000] {
            for &endpoints in &[false, true] {
                let mus: Vec<f64> = (0..n)
                    .map(|i| match i % 4 {
                        0 => next() * 10.0 - 5.0,
                        1 => 1.0 + next() * 0.01,
                        2 => (next() * 8.0).round() - 4.0,
                        _ => 5.0,
                    })
                    .collect();
                let mut fast = Vec::new();
                neighbour_sigmas(&mus, -5.0, 5.0, true, endpoints, &mut fast);
                let slow = reference(&mus, -5.0, 5.0, endpoints);
                for (i, (a, b)) in fast.iter().zip(&slow).enumerate() {
                    assert!((a - b).abs() < 1e-12, "n={n} i={i}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn spread_floor_is_the_clip_times_the_factor_below_ten_observations() {
        let mus = [7.0, 2.0, 3.0, 2.1, 9.0];
        let mut clipped = Vec::new();
        neighbour_sigmas(&mus, 0.0, 10.0, true, false, &mut clipped);
        let mut floored = Vec::new();
        spread_floored_sigmas(&mus, 0.0, 10.0, 0.6, 0.01, false, &mut floored);
        let scaled: Vec<f64> = clipped.iter().map(|s| (s * 0.6).min(10.0)).collect();
        assert_eq!(floored, scaled);
    }

    #[test]
    fn spread_floor_follows_the_good_trials_and_stops_at_the_resolution() {
        // Ten observations 0.01 apart around 5: std = 0.0287, far under the clip's
        // 10 / 12 = 0.83. Their gaps (0.01) are below the std, so every sigma is the std.
        // With 100 finished trials the resolution 10 / 102 = 0.098 would be the floor.
        let mus: Vec<f64> = (0..10).map(|i| 5.0 + 0.01 * i as f64).collect();
        let mean = mus.iter().sum::<f64>() / 10.0;
        let std = (mus.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / 10.0).sqrt();
        assert!((std - 0.0287).abs() < 1e-4);
        let mut out = Vec::new();
        // 10 000 finished trials: the resolution 10 / 10 002 is under the std.
        spread_floored_sigmas(&mus, 0.0, 10.0, 1.0, 10.0 / 10_002.0, false, &mut out);
        for s in &out {
            assert!((s - std).abs() < 1e-12, "{s} vs {std}");
        }
        spread_floored_sigmas(&mus, 0.0, 10.0, 1.0, 10.0 / 102.0, false, &mut out);
        assert!(
            out.iter().all(|&s| (s - 10.0 / 102.0).abs() < 1e-15),
            "{out:?}"
        );
        // The same ten trials identical: the floor is the resolution R / (finished + 2).
        spread_floored_sigmas(&[5.0; 10], 0.0, 10.0, 1.0, 0.01, false, &mut out);
        assert!(out.iter().all(|&s| (s - 0.01).abs() < 1e-15), "{out:?}");
        // A wide set: the clip, as without the floor.
        let wide: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let mut clipped = Vec::new();
        neighbour_sigmas(&wide, 0.0, 10.0, true, false, &mut clipped);
        spread_floored_sigmas(&wide, 0.0, 10.0, 1.0, 10.0 / 102.0, false, &mut out);
        assert_eq!(out, clipped);
    }
}
