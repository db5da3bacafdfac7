//! The UCI optical handwritten digits (scikit-learn's `load_digits`): 1797 images of 8x8
//! pixels (intensities 0..=16), 10 classes. They ship inside smartcore's `datasets`
//! feature, so nothing is downloaded at run time.

use tunekit::cv::KFold;

/// Rows of `f32` features with `u32` class labels.
#[derive(Debug, Clone)]
pub struct Classification {
    /// One row of features per sample.
    pub x: Vec<Vec<f32>>,
    /// The class of each sample.
    pub y: Vec<u32>,
}

impl Classification {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// The rows at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Self {
        Classification {
            x: indices.iter().map(|&i| self.x[i].clone()).collect(),
            y: indices.iter().map(|&i| self.y[i]).collect(),
        }
    }
}

/// All 1797 digits.
pub fn load() -> Classification {
    let data = smartcore::dataset::digits::load_dataset();
    Classification {
        x: data
            .data
            .chunks(data.num_features)
            .map(<[f32]>::to_vec)
            .collect(),
        y: data.target.iter().map(|&t| t as u32).collect(),
    }
}

/// A stratified hold-out split: one fifth of each class for the final test, the rest
/// for tuning (cross-validation) and the final retraining.
pub fn train_test_split(
    data: &Classification,
    seed: u64,
) -> tunekit::Result<(Classification, Classification)> {
    let folds = KFold::new(5).shuffle(seed).split_stratified(&data.y)?;
    let holdout = &folds[0];
    Ok((data.select(&holdout.train), data.select(&holdout.valid)))
}
