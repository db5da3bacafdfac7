//! How much an `optimize` call may do.

use std::time::Duration;

/// Limits for one `optimize` call: a trial count, a wall-clock time, or both (whichever
/// is reached first). Converts from `usize` (trials) and `Duration` (time).
///
/// When the time runs out, no new trial starts; trials already running finish and are
/// recorded, so an `optimize` call can outlast its time limit by one trial's duration.
///
/// ```
/// use std::time::Duration;
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(-1.0..=1.0)]
///     x: f64,
/// }
///
/// let study = Study::minimize(space!(Cfg)).seed(1).build()?;
/// // 20 trials or one minute, whichever comes first.
/// let budget = Budget::trials(20).with_time(Duration::from_secs(60));
/// let stop = study.optimize(budget, |c: &Cfg| c.x * c.x)?;
/// assert_eq!(stop, StopReason::TrialBudget);
/// study.optimize(5, |c: &Cfg| c.x * c.x)?; // a plain count is a Budget too
/// assert_eq!(study.trials()?.len(), 25);
///
/// let by_count: Budget = 100.into();
/// let by_time: Budget = Duration::from_secs(60).into();
/// let both = Budget::trials(100).with_time(Duration::from_secs(60));
/// assert_eq!(both.max_trials(), Some(100));
/// assert_eq!(by_time.max_time(), Some(Duration::from_secs(60)));
/// assert_eq!(by_count.max_time(), None);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Budget {
    trials: Option<usize>,
    time: Option<Duration>,
}

impl Budget {
    /// At most `n` trials.
    pub fn trials(n: usize) -> Self {
        Budget {
            trials: Some(n),
            time: None,
        }
    }

    /// Trials until `time` has passed.
    pub fn time(time: Duration) -> Self {
        Budget {
            trials: None,
            time: Some(time),
        }
    }

    /// No limit: runs until the sampler is exhausted or a callback stops the study.
    pub fn unlimited() -> Self {
        Budget::default()
    }

    /// Adds a trial-count limit.
    #[must_use]
    pub fn with_trials(mut self, n: usize) -> Self {
        self.trials = Some(n);
        self
    }

    /// Adds a wall-clock limit.
    #[must_use]
    pub fn with_time(mut self, time: Duration) -> Self {
        self.time = Some(time);
        self
    }

    /// The trial-count limit, if any.
    pub fn max_trials(&self) -> Option<usize> {
        self.trials
    }

    /// The wall-clock limit, if any.
    pub fn max_time(&self) -> Option<Duration> {
        self.time
    }
}

impl From<usize> for Budget {
    fn from(n: usize) -> Self {
        Budget::trials(n)
    }
}

impl From<Duration> for Budget {
    fn from(time: Duration) -> Self {
        Budget::time(time)
    }
}
