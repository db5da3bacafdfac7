//! Whether a study minimizes or maximizes.

use serde::{Deserialize, Serialize};

/// Whether lower or higher objective values are better: set by
/// [`Study::minimize`](crate::Study::minimize) or [`Study::maximize`](crate::Study::maximize).
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(1..=9)]
///     depth: u32,
/// }
///
/// let study = Study::maximize(space!(Cfg)).build()?; // e.g. an accuracy
/// assert_eq!(study.direction(), Direction::Maximize);
/// assert!(Direction::Maximize.better(0.9, 0.8));
/// assert!(Direction::Minimize.better(0.1, 0.2));
/// assert_eq!(Direction::Maximize.to_loss(0.9), -0.9); // what samplers minimize
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Lower is better.
    Minimize,
    /// Higher is better.
    Maximize,
}

impl Direction {
    /// Whether `a` is strictly better than `b`.
    pub fn better(self, a: f64, b: f64) -> bool {
        match self {
            Direction::Minimize => a < b,
            Direction::Maximize => a > b,
        }
    }

    /// `value` turned into a loss (lower is better), so samplers can always minimize.
    pub fn to_loss(self, value: f64) -> f64 {
        match self {
            Direction::Minimize => value,
            Direction::Maximize => -value,
        }
    }
}
