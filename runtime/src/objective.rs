//! What `optimize` calls: objectives, what they return, and the running trial as the
//! objective sees it ([`TrialContext`]).
//!
//! This sits between the storage and pruners it writes to and reads from and the study
//! that runs it, so helpers such as [`cross_validate`](crate::cv::cross_validate) can
//! report through a trial without depending on the study.

use std::sync::Arc;

use indicatif::ProgressBar;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::pruners::{PruneContext, Pruner};
use crate::space::Params;
use crate::storage::Storage;
use crate::trial::{Direction, TrialEvent};

/// The error type objectives may fail with: anything that converts into a boxed error
/// (`String`, `&str`, any `std::error::Error`, `anyhow::Error`, ...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Return this (boxed, e.g. `Err(TrialPruned.into())`) from an objective to end the trial
/// as pruned instead of failed, when you decide to stop yourself (after
/// [`TrialContext::should_prune`], or a rule of your own).
/// [`TrialContext::report`] returns [`Error::Pruned`], which ends the trial the same way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, thiserror::Error)]
#[error("trial pruned")]
pub struct TrialPruned;

/// Whether an objective's error means "pruned": a [`TrialPruned`] or an
/// [`Error::Pruned`], itself or anywhere in its chain of sources (so wrapping it, e.g.
/// with `anyhow`'s `context`, still prunes).
pub(crate) fn is_pruned(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<TrialPruned>() || matches!(error.downcast_ref(), Some(Error::Pruned { .. })) {
            return true;
        }
        current = error.source();
    }
    false
}

/// What an objective may return: a plain `f64`/`f32`, or a `Result` of one.
#[diagnostic::on_unimplemented(
    message = "an objective cannot return `{Self}`",
    label = "this returns `{Self}`",
    note = "return the loss as `f64` or `f32` (an integer loss: `loss as f64`), or `Result<f64, E>` where `E` converts into `Box<dyn std::error::Error + Send + Sync>`: any `std::error::Error`, `String`, `&str`, `anyhow::Error`; an error type of your own needs `impl std::error::Error`"
)]
pub trait ObjectiveOutput {
    /// The value, or why the trial failed.
    fn into_value(self) -> std::result::Result<f64, BoxError>;
}

impl ObjectiveOutput for f64 {
    fn into_value(self) -> std::result::Result<f64, BoxError> {
        Ok(self)
    }
}

impl ObjectiveOutput for f32 {
    fn into_value(self) -> std::result::Result<f64, BoxError> {
        Ok(f64::from(self))
    }
}

impl<E: Into<BoxError>> ObjectiveOutput for std::result::Result<f64, E> {
    fn into_value(self) -> std::result::Result<f64, BoxError> {
        self.map_err(Into::into)
    }
}

/// A function a study can optimize: `Fn(&Config) -> R` or
/// `Fn(&Config, &mut TrialContext) -> R`, where `R` is an [`ObjectiveOutput`].
///
/// `Args` only tells the two shapes apart; it is inferred, never written. What the
/// function returns is its `Output`, checked against [`ObjectiveOutput`] where a study
/// takes the objective, so a wrong return type is reported as such.
#[diagnostic::on_unimplemented(
    message = "this is not an objective over `{C}`",
    label = "an objective takes `&{C}` (and optionally `&mut TrialContext`) and returns a loss",
    note = "annotate a closure's argument, which Rust cannot infer here: `|cfg: &{C}| loss(cfg)`, or `|cfg: &{C}, trial: &mut TrialContext| ...`"
)]
pub trait Objective<C, Args>: Sync {
    /// What one evaluation returns: an [`ObjectiveOutput`] for every objective a study
    /// accepts.
    type Output;

    /// Evaluates one configuration.
    fn evaluate(&self, config: &C, trial: &mut TrialContext) -> Self::Output;
}

#[doc(hidden)]
pub enum ConfigOnly {}
#[doc(hidden)]
pub enum WithContext {}

impl<C, F, R> Objective<C, ConfigOnly> for F
where
    F: Fn(&C) -> R + Sync,
{
    type Output = R;

    fn evaluate(&self, config: &C, _: &mut TrialContext) -> R {
        self(config)
    }
}

impl<C, F, R> Objective<C, WithContext> for F
where
    F: Fn(&C, &mut TrialContext) -> R + Sync,
{
    type Output = R;

    fn evaluate(&self, config: &C, trial: &mut TrialContext) -> R {
        self(config, trial)
    }
}

/// What a trial's context needs to ask the study's pruner.
pub(crate) struct Pruning {
    pub(crate) pruner: Option<Arc<dyn Pruner>>,
    pub(crate) direction: Direction,
    pub(crate) study: Arc<str>,
    pub(crate) seed: u64,
}

/// The running trial, as the objective sees it: report intermediate values, record user
/// attributes, ask whether to stop early.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1e-4..=1.0, log)]
///     lr: f64,
/// }
///
/// let study = Study::minimize(space!(Train))
///     .pruner(MedianPruner::new().startup_trials(3))
///     .seed(0)
///     .build()?;
/// study.optimize(12, |cfg: &Train, trial: &mut TrialContext| -> Result<f64, tunekit::BoxError> {
///     let mut loss = 1.0;
///     for epoch in 0..10 {
///         loss *= 1.0 - cfg.lr.min(0.5); // one "epoch" of training
///         // Recorded (seen by pruners, exported with the trial); when the pruner says
///         // stop, an error that `?` returns, and the trial ends as pruned, not failed.
///         trial.report(epoch, loss)?;
///     }
///     trial.set_user_attr("final_lr", cfg.lr)?;
///     trial.suspend_progress(|| println!("trial {} done", trial.number()));
///     Ok(loss)
/// })?;
/// let trials = study.trials()?;
/// assert!(trials.iter().all(|t| matches!(t.state, TrialState::Complete | TrialState::Pruned)));
/// assert_eq!(trials[0].intermediate.len(), 10); // the first trials are never pruned
/// # Ok::<(), tunekit::Error>(())
/// ```
pub struct TrialContext {
    number: u64,
    params: Params,
    storage: Arc<dyn Storage>,
    pruner: Option<Arc<dyn Pruner>>,
    direction: Direction,
    /// The study's name and seed, for the pruner.
    study: Arc<str>,
    seed: u64,
    /// The progress bar `optimize` shows, if any.
    progress: Option<ProgressBar>,
}

impl std::fmt::Debug for TrialContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrialContext")
            .field("number", &self.number)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl TrialContext {
    pub(crate) fn new(
        number: u64,
        params: Params,
        storage: Arc<dyn Storage>,
        pruning: Pruning,
    ) -> Self {
        TrialContext {
            number,
            params,
            storage,
            pruner: pruning.pruner,
            direction: pruning.direction,
            study: pruning.study,
            seed: pruning.seed,
            progress: None,
        }
    }

    /// The bar [`suspend_progress`](Self::suspend_progress) hides while it prints.
    pub(crate) fn show_progress_on(&mut self, bar: ProgressBar) {
        self.progress = Some(bar);
    }

    /// The trial's number in the study.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The trial's parameter values.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Records the value at `step` (an epoch, a fold, a data fraction: the resource spent
    /// so far), then asks the study's pruner whether the trial should stop, and if so
    /// returns [`Error::Pruned`]: `trial.report(epoch, val_loss)?` in the objective ends
    /// the trial as pruned. Without a pruner it only records. Reporting a step twice keeps
    /// the later value.
    ///
    /// In an ask-and-tell loop, tell the trial [`Outcome::Pruned`](crate::Outcome::Pruned)
    /// on this error. A storage error is returned as such (the trial is not pruned then).
    pub fn report(&mut self, step: u64, value: f64) -> Result<()> {
        self.storage.record(TrialEvent::Intermediate {
            number: self.number,
            step,
            value,
        })?;
        if self.should_prune() {
            return Err(Error::Pruned {
                number: self.number,
                step,
            });
        }
        Ok(())
    }

    /// Records a user attribute (any serializable value) on the trial; it is stored and
    /// exported with the trial.
    pub fn set_user_attr(&mut self, key: impl Into<String>, value: impl Serialize) -> Result<()> {
        let key = key.into();
        let value = serde_json::to_value(value)
            .map_err(|e| Error::json(format!("user attribute `{key}`"), e))?;
        self.storage.record(TrialEvent::UserAttr {
            number: self.number,
            key,
            value,
        })
    }

    /// Runs `print` with the progress bar of `optimize` (if one is shown) cleared from the
    /// terminal, then draws the bar again, so `trial.suspend_progress(|| println!("..."))`
    /// prints a line without breaking the bar. Without a bar (none asked for, stderr not
    /// a terminal, or a trial from [`Study::ask`](crate::Study::ask)) it just runs
    /// `print`. Keep `print` short: other workers wait to redraw until it returns.
    pub fn suspend_progress<R>(&self, print: impl FnOnce() -> R) -> R {
        match &self.progress {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// Whether the study's pruner says this trial should stop now, from what it reported
    /// so far and what every trial of the study reported. Without a pruner, always
    /// `false`. [`report`](Self::report) asks this for you; to stop after asking
    /// yourself, return `Err(TrialPruned.into())` from the objective.
    pub fn should_prune(&self) -> bool {
        let Some(pruner) = &self.pruner else {
            return false;
        };
        let mut prune = false;
        let number = self.number as usize;
        // A storage that cannot be read leaves the trial running: pruning is advice.
        let _ = self.storage.read(&mut |trials| {
            if let Some(trial) = trials.get(number) {
                prune = pruner.should_prune(&PruneContext {
                    trial,
                    trials,
                    direction: self.direction,
                    study: &self.study,
                    seed: self.seed,
                });
            }
        });
        prune
    }
}
