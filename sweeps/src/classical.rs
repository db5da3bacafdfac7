//! Classical models from linfa on the red wine quality data set.
//!
//! Task: binary "good wine" classification (`quality >= 6`, 855 of 1599
//! samples, so the majority baseline is 53.5%). Features are standardized
//! with the training split's statistics before fitting.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use linfa_svm::Svm;
use ndarray::{Array1, Array2, Axis, Ix1};

/// A binary classification data set in linfa's representation.
pub type BinaryDataset = Dataset<f64, bool, Ix1>;

/// Model family and its hyperparameters (a conditional search space).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClassicalParams {
    /// C-SVM with an RBF kernel `k(x, x') = exp(-gamma * |x - x'|^2)`.
    Svm {
        /// Misclassification cost.
        c: f64,
        /// Kernel width.
        gamma: f64,
    },
    /// L2-regularized logistic regression. linfa penalizes the *summed* log-loss with
    /// `alpha / 2 * |w|^2`, so `alpha` acts like scikit-learn's `1 / C` and its effect
    /// scales with the training size; useful range here is about `1e-2..1e4` (log scale).
    Logistic {
        /// L2 penalty.
        alpha: f64,
    },
}

/// Red wine quality (UCI, 1599 x 11) from `linfa-datasets` (feature
/// `winequality`, a gzipped CSV compiled in with `include_bytes!`),
/// labelled `quality >= 6`.
pub fn winequality_binary() -> BinaryDataset {
    linfa_datasets::winequality().map_targets(|&q| q >= 6)
}

/// Fits `params` on `train` and returns accuracy on `valid`.
///
/// Deterministic: neither model uses randomness. A fit that fails (a training split
/// with a single class, a non-positive `c`/`gamma`, a negative `alpha`) is an error.
pub fn fit_and_score(
    params: &ClassicalParams,
    train: &BinaryDataset,
    valid: &BinaryDataset,
) -> Result<f64, tunekit::BoxError> {
    let (train, valid) = standardize(train, valid)?;
    let predicted = match *params {
        ClassicalParams::Svm { c, gamma } => Svm::<f64, bool>::params()
            .pos_neg_weights(c, c)
            .gaussian_kernel(1.0 / gamma) // linfa's Gaussian(eps) is exp(-|x - x'|^2 / eps)
            .eps(1e-3) // solver tolerance as in libsvm/scikit-learn (linfa default 1e-7)
            .fit(&train)?
            .predict(&valid),
        ClassicalParams::Logistic { alpha } => LogisticRegression::default()
            .alpha(alpha)
            .max_iterations(200)
            .fit(&train)?
            .predict(&valid),
    };
    Ok(accuracy(&predicted, valid.targets()))
}

/// Splits `data` into `(train, valid)` by row indices; an index past the end is an error.
pub fn select_rows(
    data: &BinaryDataset,
    train: &[usize],
    valid: &[usize],
) -> Result<(BinaryDataset, BinaryDataset), tunekit::BoxError> {
    let rows = data.records().nrows().min(data.targets().len());
    if let Some(&i) = train.iter().chain(valid).find(|&&i| i >= rows) {
        return Err(format!("row {i} of {rows} does not exist").into());
    }
    let pick = |idx: &[usize]| {
        Dataset::new(
            data.records().select(Axis(0), idx),
            data.targets().select(Axis(0), idx),
        )
    };
    Ok((pick(train), pick(valid)))
}

fn accuracy(predicted: &Array1<bool>, truth: &Array1<bool>) -> f64 {
    let correct = predicted.iter().zip(truth).filter(|(p, t)| p == t).count();
    correct as f64 / truth.len() as f64
}

/// Z-scores both splits with the training split's per-column mean and std.
fn standardize(
    train: &BinaryDataset,
    valid: &BinaryDataset,
) -> Result<(BinaryDataset, BinaryDataset), tunekit::BoxError> {
    let x = train.records();
    let mean = x.mean_axis(Axis(0)).ok_or("empty training split")?;
    if valid.records().ncols() != x.ncols() {
        return Err(format!(
            "{} features to validate on, {} to train on",
            valid.records().ncols(),
            x.ncols()
        )
        .into());
    }
    let std = x
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 1e-12 { s } else { 1.0 });
    let scale = |r: &Array2<f64>| (r - &mean) / &std;
    Ok((
        Dataset::new(scale(train.records()), train.targets().clone()),
        Dataset::new(scale(valid.records()), valid.targets().clone()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_models_beat_the_majority_baseline() {
        let data = winequality_binary();
        assert_eq!(data.records().dim(), (1599, 11));
        let n = data.records().nrows();
        let (train, valid): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| i % 3 != 0);
        let (train, valid) = select_rows(&data, &train, &valid).unwrap();
        for params in [
            ClassicalParams::Svm { c: 1.0, gamma: 0.1 },
            ClassicalParams::Logistic { alpha: 1.0 },
        ] {
            let acc = fit_and_score(&params, &train, &valid).unwrap();
            assert!(acc > 0.65, "{params:?}: {acc}");
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let data = winequality_binary();
        assert!(select_rows(&data, &[0, 1_000_000], &[2]).is_err());
        let (empty, valid) = select_rows(&data, &[], &[2, 3]).unwrap();
        let svm = ClassicalParams::Svm { c: 1.0, gamma: 0.1 };
        assert!(fit_and_score(&svm, &empty, &valid).is_err());
    }
}
