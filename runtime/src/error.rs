//! The one error type of the runtime crate.

use std::fmt;

/// Every fallible operation of tunekit returns this error.
///
/// Messages name the parameter or trial concerned and say what to change. The enum is
/// `#[non_exhaustive]`: match the variants you handle and keep a `_` arm.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::Error;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune]
///     warm_start: bool,
/// }
///
/// let study = Study::minimize(space!(Cfg))
///     .sampler(Grid::new())
///     .max_consecutive_failures(2)
///     .build()?;
/// // An objective that fails for every config stops `optimize`, naming the last reason.
/// let err = study
///     .optimize(10, |_: &Cfg| -> Result<f64, tunekit::BoxError> { Err("no GPU found".into()) })
///     .unwrap_err();
/// assert!(matches!(err, Error::TooManyFailures { count: 2, .. }));
/// assert!(err.to_string().contains("no GPU found"));
/// // Both grid points (false, true) are used up.
/// match study.ask() {
///     Err(Error::Exhausted) => {}
///     other => panic!("expected an exhausted grid, got {other:?}"),
/// }
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A search space is invalid (bad bounds, duplicate names, broken condition, ...).
    #[error("invalid search space: param `{param}`: {message}")]
    InvalidSpace {
        /// Name of the offending parameter.
        param: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A set of parameter values does not fit the search space.
    #[error("invalid params: {0}")]
    InvalidParams(String),
    /// Objective vectors, constraint values or a reference point given to
    /// [`pareto`](crate::pareto) cannot be used (NaN, mismatched lengths, no objectives).
    #[error("invalid points: {0}")]
    InvalidPoints(String),
    /// A typed config could not be decoded from (or encoded to) parameter values.
    #[error("cannot decode param `{param}`: {message}")]
    Decode {
        /// Name of the offending parameter.
        param: String,
        /// What is wrong.
        message: String,
    },
    /// A sampler cannot work on this space (e.g. grid search over a continuous float).
    #[error("sampler `{sampler}` cannot search param `{param}`: {message}")]
    UnsupportedSpace {
        /// The sampler's name.
        sampler: &'static str,
        /// Name of the offending parameter.
        param: String,
        /// What to do instead.
        message: String,
    },
    /// The sampler has no new configurations left (an exhausted grid).
    #[error("the search space is exhausted: every configuration has been proposed")]
    Exhausted,
    /// `tell` named a trial the study does not know.
    #[error("unknown trial {0}: it was never asked from this study")]
    UnknownTrial(u64),
    /// `tell` named a trial that is already finished.
    #[error("trial {number} is already finished ({state}); a trial is told exactly once")]
    TrialAlreadyFinished {
        /// The trial's number.
        number: u64,
        /// The state it finished in.
        state: crate::trial::TrialState,
    },
    /// `tell` was given an [`AskedTrial`](crate::AskedTrial) that another study handed
    /// out (its number may exist here too, as another trial).
    #[error(
        "trial {number} was asked from another study (`{asked_from}`, through another \
         Study value), not from this one: tell it through the study that asked it; to \
         finish trial {number} of this study, pass the number: tell({number}, ..)"
    )]
    ForeignTrial {
        /// The trial's number in the study that asked it.
        number: u64,
        /// The name of the study that asked it.
        asked_from: String,
    },
    /// `optimize` stopped because this many trials in a row failed: the objective is
    /// likely broken for every config.
    #[error(
        "{count} trials in a row failed, so optimize stopped; the last one, trial {trial}, \
         failed with: {reason}. Fix the objective, or allow more failures in a row with \
         StudyBuilder::max_consecutive_failures"
    )]
    TooManyFailures {
        /// How many trials failed in a row.
        count: usize,
        /// The last failed trial's number.
        trial: u64,
        /// Why it failed.
        reason: String,
    },
    /// The study's pruner stopped the trial at this step. [`TrialContext::report`]
    /// returns it, so `trial.report(step, value)?` ends the objective, and the trial is
    /// recorded as pruned, not failed (as with [`TrialPruned`]).
    ///
    /// [`TrialContext::report`]: crate::objective::TrialContext::report
    /// [`TrialPruned`]: crate::objective::TrialPruned
    #[error(
        "trial {number} was pruned at step {step}; return this error from the objective \
         (`trial.report(step, value)?`) to end the trial as pruned"
    )]
    Pruned {
        /// The trial's number.
        number: u64,
        /// The step whose report made the pruner stop it.
        step: u64,
    },
    /// A study option is invalid.
    #[error("invalid study configuration: {0}")]
    Config(String),
    /// A storage backend failed or found inconsistent data.
    #[error("storage: {0}")]
    Storage(String),
    /// An I/O operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// JSON (de)serialization failed.
    #[error("{context}: {source}")]
    Json {
        /// What was being (de)serialized.
        context: String,
        /// The underlying serde_json error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    pub(crate) fn space(param: impl Into<String>, message: impl fmt::Display) -> Self {
        Error::InvalidSpace {
            param: param.into(),
            message: message.to_string(),
        }
    }

    pub(crate) fn decode(param: impl Into<String>, message: impl fmt::Display) -> Self {
        Error::Decode {
            param: param.into(),
            message: message.to_string(),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn json(context: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Json {
            context: context.into(),
            source,
        }
    }
}

/// Shorthand for `Result<T, tunekit::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
