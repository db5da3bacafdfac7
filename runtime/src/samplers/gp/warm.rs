//! Warm starts for the kernel fit that a resumed study reproduces exactly.
//!
//! Refitting the kernel from Optuna's defaults at every ask costs many marginal-likelihood
//! evaluations; Optuna warm-starts each fit from the previous ask's, which makes its
//! proposals depend on what the sampler object has seen (a resumed study proposes
//! differently). Here the warm start is a function of the history alone: the fit on `n`
//! observations starts from the fit *from defaults* on the first `anchor(n)` of them,
//! where the anchors are 1..=16 and then `2^k` and `3 * 2^(k-1)` (16, 24, 32, 48, 64, ..).
//! Between two anchors every ask starts from the same anchor fit, which the sampler keeps
//! in a cache keyed by the prefix itself: a hit or a miss gives bit-identical proposals,
//! only the cost differs (a miss refits the prefix, at most once per anchor).

use std::sync::{Arc, Mutex};

use super::fit::fit;
use super::kernel::KernelParams;
use super::sampler::standardize;

/// The largest anchor at most `n` (`n` itself up to 16).
pub(crate) fn anchor(n: usize) -> usize {
    if n <= 16 {
        return n;
    }
    let power = 1usize << (usize::BITS - 1 - n.leading_zeros());
    let three_halves = power + power / 2;
    if n >= three_halves {
        three_halves
    } else {
        power
    }
}

/// The inputs of a fit from defaults, compared bit for bit (NaN marks inactive params).
#[derive(Debug)]
struct Entry {
    x: Vec<Vec<f64>>,
    scores: Vec<f64>,
    categorical: Vec<bool>,
    deterministic: bool,
    params: KernelParams,
}

impl Entry {
    fn matches(&self, x: &[Vec<f64>], scores: &[f64], categorical: &[bool], det: bool) -> bool {
        let bits = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(u, v)| u.to_bits() == v.to_bits())
        };
        self.deterministic == det
            && self.categorical == categorical
            && bits(&self.scores, scores)
            && self.x.len() == x.len()
            && self.x.iter().zip(x).all(|(a, b)| bits(a, b))
    }
}

/// The last anchor fit, shared by clones of a sampler (a pure accelerator).
#[derive(Debug, Clone, Default)]
pub(crate) struct AnchorCache(Arc<Mutex<Option<Entry>>>);

impl AnchorCache {
    /// The MAP kernel params for the observations `x` with raw (maximised) `scores`,
    /// standardised to `y`: fitted from Optuna's defaults when `x.len()` is an anchor,
    /// else warm-started from the fit from defaults on the first `anchor(x.len())`.
    pub(crate) fn fit(
        &self,
        x: &[Vec<f64>],
        scores: &[f64],
        y: &[f64],
        categorical: &[bool],
        deterministic: bool,
    ) -> KernelParams {
        let defaults = KernelParams::initial(categorical.len());
        let m = anchor(x.len());
        if m == x.len() {
            let (params, _) = fit(x, y, categorical, &defaults, deterministic);
            self.store(x, scores, categorical, deterministic, &params);
            return params;
        }
        let (x_m, scores_m) = (&x[..m], &scores[..m]);
        let start = self
            .lookup(x_m, scores_m, categorical, deterministic)
            .or_else(|| {
                let y_m = standardize(scores_m)?;
                let (params, _) = fit(x_m, &y_m, categorical, &defaults, deterministic);
                self.store(x_m, scores_m, categorical, deterministic, &params);
                Some(params)
            });
        if let Some(start) = start {
            let (params, loss) = fit(x, y, categorical, &start, deterministic);
            if loss.is_finite() {
                return params;
            }
        }
        // As Optuna, a warm start that fails falls back to the defaults.
        fit(x, y, categorical, &defaults, deterministic).0
    }

    fn lookup(
        &self,
        x: &[Vec<f64>],
        scores: &[f64],
        categorical: &[bool],
        deterministic: bool,
    ) -> Option<KernelParams> {
        // A poisoned lock only means a miss: the cache never changes a result.
        let entry = self.0.lock().ok()?;
        entry
            .as_ref()
            .filter(|e| e.matches(x, scores, categorical, deterministic))
            .map(|e| e.params.clone())
    }

    fn store(
        &self,
        x: &[Vec<f64>],
        scores: &[f64],
        categorical: &[bool],
        deterministic: bool,
        params: &KernelParams,
    ) {
        if let Ok(mut entry) = self.0.lock() {
            *entry = Some(Entry {
                x: x.to_vec(),
                scores: scores.to_vec(),
                categorical: categorical.to_vec(),
                deterministic,
                params: params.clone(),
            });
        }
    }

    /// Whether the cache holds the fit of exactly these inputs (for tests).
    #[cfg(test)]
    pub(crate) fn holds(&self, x: &[Vec<f64>], scores: &[f64], categorical: &[bool]) -> bool {
        self.lookup(x, scores, categorical, false).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_every_count_to_16_then_powers_of_two_and_their_three_halves() {
        let expected = [
            (1, 1),
            (16, 16),
            (17, 16),
            (23, 16),
            (24, 24),
            (31, 24),
            (32, 32),
        ];
        for (n, a) in expected {
            assert_eq!(anchor(n), a, "anchor({n})");
        }
        assert_eq!(anchor(100), 96);
        assert_eq!(anchor(128), 128);
        assert_eq!(anchor(500), 384);
        assert_eq!(anchor(512), 512);
        for n in 1..2000 {
            let a = anchor(n);
            assert!(a <= n && 3 * a > 2 * n, "anchor({n}) = {a}");
            assert_eq!(anchor(a), a);
        }
    }
}
