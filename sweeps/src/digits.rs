//! The UCI optical handwritten digits (scikit-learn's `load_digits`): 1797 images of 8x8
//! pixels (intensities 0..=16), 10 classes. They ship in this crate (`data/digits.csv`,
//! compiled in), so nothing is downloaded at run time.

use tunekit::BoxError;
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

    /// The rows at `indices`, in that order; an index past the end is an error.
    pub fn select(&self, indices: &[usize]) -> Result<Self, BoxError> {
        let mut picked = Classification {
            x: Vec::with_capacity(indices.len()),
            y: Vec::with_capacity(indices.len()),
        };
        for &i in indices {
            match (self.x.get(i), self.y.get(i)) {
                (Some(x), Some(&y)) => {
                    picked.x.push(x.clone());
                    picked.y.push(y);
                }
                _ => return Err(format!("row {i} of {} does not exist", self.len()).into()),
            }
        }
        Ok(picked)
    }
}

/// The shipped data: one image per line, 64 pixel intensities then the class.
const DIGITS_CSV: &str = include_str!("../data/digits.csv");

/// Pixels per image.
pub const PIXELS: usize = 64;

/// All 1797 digits, in the order of scikit-learn's `load_digits`.
pub fn load() -> Result<Classification, BoxError> {
    parse_csv(DIGITS_CSV)
}

/// Parses lines of `PIXELS` intensities followed by the class label.
fn parse_csv(text: &str) -> Result<Classification, BoxError> {
    let mut data = Classification {
        x: Vec::new(),
        y: Vec::new(),
    };
    for (number, line) in text.lines().enumerate() {
        let bad = |what: &str| format!("digits line {}: {what}", number + 1);
        let values = line
            .split(',')
            .map(|v| v.trim().parse::<u8>())
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|e| bad(&e.to_string()))?;
        let Some((&label, pixels)) = values.split_last() else {
            return Err(bad("empty").into());
        };
        if pixels.len() != PIXELS || label > 9 {
            return Err(bad("expected 64 pixels and a class 0..=9").into());
        }
        data.x.push(pixels.iter().map(|&p| f32::from(p)).collect());
        data.y.push(u32::from(label));
    }
    Ok(data)
}

/// A stratified hold-out split: one fifth of each class for the final test, the rest
/// for tuning (cross-validation) and the final retraining.
pub fn train_test_split(
    data: &Classification,
    seed: u64,
) -> Result<(Classification, Classification), BoxError> {
    let folds = KFold::new(5).shuffle(seed).split_stratified(&data.y)?;
    let holdout = folds.first().ok_or("no folds")?;
    Ok((data.select(&holdout.train)?, data.select(&holdout.valid)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_digits_are_scikit_learns() {
        let data = load().unwrap();
        assert_eq!((data.len(), data.x[0].len()), (1797, PIXELS));
        let mut per_class = [0; 10];
        for &y in &data.y {
            per_class[y as usize] += 1;
        }
        assert_eq!(
            per_class,
            [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
        );
        assert_eq!(&data.x[0][..8], &[0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
        assert!(data.x.iter().flatten().all(|&p| (0.0..=16.0).contains(&p)));
    }

    #[test]
    fn bad_lines_and_indices_are_errors() {
        assert!(parse_csv("1,2,3\n").is_err());
        assert!(parse_csv(&format!("{}10\n", "0,".repeat(PIXELS))).is_err());
        assert!(parse_csv(&format!("{}x\n", "0,".repeat(PIXELS))).is_err());
        let one = parse_csv(&format!("{}3\n", "0,".repeat(PIXELS))).unwrap();
        assert_eq!(one.y, [3]);
        assert!(one.select(&[0, 1]).is_err());
    }
}
