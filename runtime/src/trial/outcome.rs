//! How a trial ended.

use serde::{Deserialize, Serialize};

/// How a trial ended, as told to the study. [`Study::tell`](crate::Study::tell) takes an
/// `f64` (complete) or any outcome:
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(0.0..=1.0)]
///     x: f64,
/// }
///
/// let study = Study::minimize(space!(Cfg)).seed(0).build()?;
/// let (a, b, c) = (study.ask()?, study.ask()?, study.ask()?);
/// study.tell(&a, 0.25)?; // Outcome::Complete(0.25)
/// study.tell(&b, Outcome::Pruned)?;
/// study.tell(&c, Outcome::Failed("worker lost".into()))?;
/// let states: Vec<TrialState> = study.trials()?.iter().map(|t| t.state).collect();
/// assert_eq!(states, [TrialState::Complete, TrialState::Pruned, TrialState::Failed]);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The objective value. A value that is not finite is recorded as a failure.
    Complete(f64),
    /// The trial was stopped early.
    Pruned,
    /// The objective failed; the reason is recorded.
    Failed(String),
}

impl Outcome {
    /// Turns non-finite values into failures, so they never count as best.
    pub(crate) fn normalized(self) -> Self {
        match self {
            Outcome::Complete(v) if !v.is_finite() => {
                Outcome::Failed(format!("the objective returned {v}, which is not finite"))
            }
            other => other,
        }
    }
}

impl From<f64> for Outcome {
    fn from(value: f64) -> Self {
        Outcome::Complete(value)
    }
}

impl From<f32> for Outcome {
    fn from(value: f32) -> Self {
        Outcome::Complete(f64::from(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_become_failures() {
        assert!(matches!(
            Outcome::Complete(f64::NAN).normalized(),
            Outcome::Failed(reason) if reason.contains("NaN")
        ));
        assert_eq!(Outcome::Complete(1.0).normalized(), Outcome::Complete(1.0));
    }
}
