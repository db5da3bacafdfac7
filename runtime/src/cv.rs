//! K-fold cross-validation: splits, and a helper that scores a config on every fold and
//! records the per-fold scores on the trial.
//!
//! ```
//! use tunekit::prelude::*; // KFold and cross_validate included
//!
//! #[tunable]
//! #[derive(Debug, Clone)]
//! struct Ridge {
//!     #[tune(1e-4..=1e2, log)]
//!     alpha: f64,
//! }
//!
//! // A toy data set: y = 2x, and a "model" that predicts (2 - alpha / 100) x.
//! let xs: Vec<f64> = (0..30).map(f64::from).collect();
//! let folds = KFold::new(3).shuffle(7).split(xs.len())?;
//!
//! let study = Study::minimize(space!(Ridge)).seed(1).build()?;
//! study.optimize(10, |cfg: &Ridge, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
//!     let score = cross_validate(&folds, trial, |fold| {
//!         let slope = 2.0 - cfg.alpha / 100.0; // "fit" on fold.train
//!         let mse: f64 = fold.valid.iter().map(|&i| (slope * xs[i] - 2.0 * xs[i]).powi(2)).sum();
//!         Ok::<f64, tunekit::BoxError>(mse / fold.valid.len() as f64)
//!     })?;
//!     Ok(score.mean) // per-fold scores, mean and std are recorded on the trial
//! })?;
//! let trial = &study.trials()?[0];
//! assert_eq!(trial.intermediate.len(), 3); // each fold's score, at step = fold index
//! assert!(trial.user_attrs.contains_key("cv_fold_scores"));
//! # Ok::<(), tunekit::Error>(())
//! ```

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::objective::{BoxError, TrialContext};

/// One train/validation split: indices into the data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// Indices to train on.
    pub train: Vec<usize>,
    /// Indices to validate on.
    pub valid: Vec<usize>,
}

/// K-fold splitter: every sample lands in exactly one validation fold; fold sizes differ
/// by at most one.
///
/// ```
/// use tunekit::cv::KFold;
///
/// let folds = KFold::new(3).shuffle(7).split(10)?;
/// assert_eq!(folds.len(), 3);
/// let mut seen: Vec<usize> = folds.iter().flat_map(|f| f.valid.clone()).collect();
/// seen.sort();
/// assert_eq!(seen, (0..10).collect::<Vec<_>>()); // each sample validated exactly once
///
/// // Stratified: each class keeps its share in every fold.
/// let labels = ["cat", "cat", "cat", "dog", "dog", "dog"];
/// for fold in KFold::new(3).split_stratified(&labels)? {
///     assert_eq!(fold.valid.iter().filter(|&&i| labels[i] == "cat").count(), 1);
/// }
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct KFold {
    k: usize,
    seed: Option<u64>,
}

impl KFold {
    /// `k` folds, in data order (no shuffle).
    pub fn new(k: usize) -> Self {
        KFold { k, seed: None }
    }

    /// Shuffles samples (within each class, when stratified) with `seed` before splitting.
    #[must_use]
    pub fn shuffle(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Splits `n` samples into `k` folds.
    pub fn split(&self, n: usize) -> Result<Vec<Fold>> {
        self.check(n)?;
        let mut order: Vec<usize> = (0..n).collect();
        self.shuffle_in_place(&mut order, 0);
        // Contiguous blocks of the (shuffled) order, the first `n % k` one larger.
        let mut fold_of = vec![0; n];
        let (base, extra) = (n / self.k, n % self.k);
        let mut start = 0;
        for fold in 0..self.k {
            let size = base + usize::from(fold < extra);
            for &sample in &order[start..start + size] {
                fold_of[sample] = fold;
            }
            start += size;
        }
        Ok(self.folds_from(&fold_of))
    }

    /// Splits samples into `k` folds keeping each class's share of every fold within one
    /// sample of its share of the data (`labels[i]` is sample `i`'s class).
    pub fn split_stratified<L: Ord>(&self, labels: &[L]) -> Result<Vec<Fold>> {
        self.check(labels.len())?;
        let mut classes: BTreeMap<&L, Vec<usize>> = BTreeMap::new();
        for (i, label) in labels.iter().enumerate() {
            classes.entry(label).or_default().push(i);
        }
        let mut fold_of = vec![0; labels.len()];
        // Deal each class round-robin, continuing where the previous class stopped, so
        // classes balance within a fold and fold sizes stay within one of each other.
        let mut next = 0;
        for (class_index, members) in classes.values_mut().enumerate() {
            self.shuffle_in_place(members, class_index as u64 + 1);
            for &sample in members.iter() {
                fold_of[sample] = next;
                next = (next + 1) % self.k;
            }
        }
        Ok(self.folds_from(&fold_of))
    }

    fn check(&self, n: usize) -> Result<()> {
        if n == 0 {
            return Err(Error::Config(
                "cross-validation needs data, but the data set is empty".into(),
            ));
        }
        if self.k < 2 {
            return Err(Error::Config(format!(
                "k-fold cross-validation needs k >= 2 folds, got k = {}",
                self.k
            )));
        }
        if self.k > n {
            return Err(Error::Config(format!(
                "k = {} folds is more than the {n} samples; use k <= {n}",
                self.k
            )));
        }
        Ok(())
    }

    fn shuffle_in_place(&self, items: &mut [usize], stream: u64) {
        if let Some(seed) = self.seed {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(stream);
            items.shuffle(&mut rng);
        }
    }

    fn folds_from(&self, fold_of: &[usize]) -> Vec<Fold> {
        (0..self.k)
            .map(|fold| {
                let (valid, train): (Vec<usize>, Vec<usize>) =
                    (0..fold_of.len()).partition(|&i| fold_of[i] == fold);
                Fold { train, valid }
            })
            .collect()
    }
}

/// Mean and spread of the per-fold scores of one config.
#[derive(Debug, Clone, PartialEq)]
pub struct CvScore {
    /// Score of each fold, in fold order.
    pub folds: Vec<f64>,
    /// Their mean: what the study optimizes.
    pub mean: f64,
    /// Their (population) standard deviation.
    pub std: f64,
}

impl CvScore {
    /// Summarizes per-fold scores.
    pub fn from_folds(folds: Vec<f64>) -> Self {
        let n = folds.len().max(1) as f64;
        let mean = folds.iter().sum::<f64>() / n;
        let std = (folds.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n).sqrt();
        CvScore { folds, mean, std }
    }
}

/// Scores a config on every fold with `score_fold` and returns the mean score.
///
/// On the trial it records user attributes `cv_fold_scores` (list), `cv_mean` and `cv_std`,
/// and reports each fold's score as an intermediate value at step = fold index: folds
/// are steps. With a pruner on the study, a report the pruner judges hopeless ends the
/// evaluation early with [`Error::Pruned`] (returned as the
/// `BoxError`), which `?` in the objective turns into a pruned trial: every trial is
/// scored on the same folds, so fold `k` of one config compares with fold `k` of another
/// ([`MedianPruner`](crate::pruners::MedianPruner), or
/// [`Wilcoxon`](crate::pruners::Wilcoxon), which pairs the folds with the best trial's). A
/// fold that fails fails the whole evaluation.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Knn {
///     #[tune(1..=15)]
///     k: u32,
/// }
///
/// let folds = KFold::new(5).shuffle(0).split(100)?;
/// let study = Study::maximize(space!(Knn))
///     .pruner(MedianPruner::new().startup_trials(2)) // can stop a config after a fold
///     .sampler(Grid::new()) // k = 1, 2, 3, ...
///     .seed(3)
///     .build()?;
/// study.optimize(8, |cfg: &Knn, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     // A stand-in for "train on fold.train, return the accuracy on fold.valid".
///     let cv = cross_validate(&folds, trial, |fold| {
///         let noise = fold.valid[0] as f64 * 1e-4;
///         Ok::<f64, String>(0.9 - f64::from(cfg.k) * 0.01 + noise) // best at k = 1
///     })?;
///     Ok(cv.mean) // what the study maximizes; cv.std is recorded too
/// })?;
/// let trials = study.trials()?;
/// let folds_run: usize = trials.iter().map(|t| t.intermediate.len()).sum();
/// assert!(trials.iter().any(|t| t.state == TrialState::Pruned));
/// assert!(folds_run < 8 * 5, "pruned configs stopped after their first folds");
/// # Ok::<(), tunekit::Error>(())
/// ```
pub fn cross_validate<E>(
    folds: &[Fold],
    trial: &mut TrialContext,
    mut score_fold: impl FnMut(&Fold) -> std::result::Result<f64, E>,
) -> std::result::Result<CvScore, BoxError>
where
    E: Into<BoxError>,
{
    let mut scores = Vec::with_capacity(folds.len());
    for (index, fold) in folds.iter().enumerate() {
        let score = score_fold(fold).map_err(Into::into)?;
        scores.push(score);
        trial.report(index as u64, score)?;
    }
    let summary = CvScore::from_folds(scores);
    trial.set_user_attr("cv_fold_scores", &summary.folds)?;
    trial.set_user_attr("cv_mean", summary.mean)?;
    trial.set_user_attr("cv_std", summary.std)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_partition(folds: &[Fold], n: usize) {
        let mut valid: Vec<usize> = folds.iter().flat_map(|f| f.valid.clone()).collect();
        valid.sort_unstable();
        assert_eq!(valid, (0..n).collect::<Vec<_>>());
        for fold in folds {
            let mut all: Vec<usize> = fold.train.iter().chain(&fold.valid).copied().collect();
            all.sort_unstable();
            assert_eq!(
                all,
                (0..n).collect::<Vec<_>>(),
                "train and valid disjoint, cover all"
            );
        }
        let sizes: Vec<usize> = folds.iter().map(|f| f.valid.len()).collect();
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
    }

    #[test]
    fn every_sample_is_validated_exactly_once() {
        for (n, k) in [(10, 3), (9, 3), (2, 2), (101, 10)] {
            assert_partition(&KFold::new(k).split(n).unwrap(), n);
            assert_partition(&KFold::new(k).shuffle(1).split(n).unwrap(), n);
        }
    }

    #[test]
    fn shuffling_is_seeded() {
        let a = KFold::new(3).shuffle(1).split(30).unwrap();
        assert_eq!(a, KFold::new(3).shuffle(1).split(30).unwrap());
        assert_ne!(a, KFold::new(3).shuffle(2).split(30).unwrap());
        assert_ne!(a, KFold::new(3).split(30).unwrap());
    }

    #[test]
    fn stratified_folds_keep_class_ratios_within_one_sample() {
        // 50 of class 0, 30 of class 1, 7 of class 2, interleaved unevenly.
        let labels: Vec<u8> = (0..87)
            .map(|i| match i {
                i if i < 50 => 0,
                i if i < 80 => 1,
                _ => 2,
            })
            .collect();
        for seed in [None, Some(3)] {
            let kfold = seed.map_or(KFold::new(4), |s| KFold::new(4).shuffle(s));
            let folds = kfold.split_stratified(&labels).unwrap();
            assert_partition(&folds, labels.len());
            for class in 0..3u8 {
                let total = labels.iter().filter(|&&l| l == class).count() as f64;
                for fold in &folds {
                    let in_fold = fold.valid.iter().filter(|&&i| labels[i] == class).count();
                    let expected = total / 4.0;
                    assert!(
                        (in_fold as f64 - expected).abs() < 1.0,
                        "class {class}: {in_fold} in a fold, expected {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let msg = |r: Result<Vec<Fold>>| r.unwrap_err().to_string();
        assert!(msg(KFold::new(1).split(10)).contains("needs k >= 2"));
        assert!(msg(KFold::new(5).split(3)).contains("more than the 3 samples"));
        assert!(msg(KFold::new(3).split(0)).contains("data set is empty"));
        assert!(msg(KFold::new(3).split_stratified::<u8>(&[])).contains("empty"));
    }

    #[test]
    fn score_summary() {
        let s = CvScore::from_folds(vec![0.8, 0.9, 1.0]);
        assert!((s.mean - 0.9).abs() < 1e-12);
        assert!((s.std - (0.02f64 / 3.0).sqrt()).abs() < 1e-12);
    }
}
