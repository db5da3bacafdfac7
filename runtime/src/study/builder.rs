//! Configuring a study before it starts.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::compatibility::{self, Reopen};
use super::heartbeat::Heartbeats;
use super::{AskedBy, Shared, Study};
use crate::callbacks::Callback;
use crate::error::{Error, Result};
use crate::pruners::Pruner;
use crate::samplers::{Sampler, Tpe};
use crate::space::Space;
use crate::storage::{InMemory, Storage, StudyInfo};
use crate::trial::Direction;

/// See [`StudyBuilder::max_consecutive_failures`].
const DEFAULT_MAX_CONSECUTIVE_FAILURES: usize = 50;

/// Builds a [`Study`]; start with [`Study::minimize`] or [`Study::maximize`].
///
/// Defaults: the TPE sampler ([`Tpe::default`], as in Optuna), in-memory storage, a random seed, one worker, no pruner,
/// study name `"study"`, no callbacks, no progress bar, Ctrl-C caught during `optimize`,
/// at most 50 failed trials in a row.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1e-5..=1e-1, log)]
///     lr: f64,
///     #[tune(1..=4)]
///     layers: u32,
/// }
///
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("lr-sweep.jsonl");
/// let study = Study::minimize(space!(Train))
///     .name("lr-sweep")                     // the study's name in its storage
///     .sampler(Tpe::new().n_startup_trials(5))
///     .storage(Journal::open(&path)?)       // default: in memory
///     .pruner(MedianPruner::new())          // trial.report(..)? stops hopeless trials
///     .seed(42)                             // same seed, same configs (with one worker)
///     .workers(2)                           // trials on 2 threads
///     .callback(StopWithoutImprovement(10)) // patience
///     .max_consecutive_failures(5)          // a broken objective stops early
///     .build()?;                            // checks the space, opens the storage
/// study.optimize(12, |cfg: &Train| (cfg.lr.log10() + 3.0).powi(2) + f64::from(cfg.layers))?;
/// assert_eq!(study.name(), "lr-sweep");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a builder does nothing until .build() is called"]
pub struct StudyBuilder<S> {
    space: S,
    direction: Direction,
    sampler: Option<Box<dyn Sampler>>,
    storage: Option<Arc<dyn Storage>>,
    pruner: Option<Arc<dyn Pruner>>,
    allow_space_change: bool,
    seed: Option<u64>,
    name: String,
    workers: usize,
    callbacks: Vec<Box<dyn Callback>>,
    progress_bar: bool,
    catch_interrupts: bool,
    max_consecutive_failures: usize,
}

impl<S: Space> StudyBuilder<S> {
    pub(crate) fn new(space: S, direction: Direction) -> Self {
        StudyBuilder {
            space,
            direction,
            sampler: None,
            storage: None,
            pruner: None,
            allow_space_change: false,
            seed: None,
            name: "study".into(),
            workers: 1,
            callbacks: Vec::new(),
            progress_bar: false,
            catch_interrupts: true,
            max_consecutive_failures: DEFAULT_MAX_CONSECUTIVE_FAILURES,
        }
    }

    /// The sampler that proposes trials.
    pub fn sampler(mut self, sampler: impl Sampler + 'static) -> Self {
        self.sampler = Some(Box::new(sampler));
        self
    }

    /// Where trials are kept (in memory by default).
    pub fn storage(mut self, storage: impl Storage + 'static) -> Self {
        self.storage = Some(Arc::new(storage));
        self
    }

    /// A pruner: [`TrialContext::report`](crate::TrialContext::report) returns a pruned
    /// error when it says a trial should stop (see [`pruners`](crate::pruners)). Its
    /// settings are checked by [`build`](Self::build).
    pub fn pruner(mut self, pruner: impl Pruner + 'static) -> Self {
        self.pruner = Some(Arc::new(pruner));
        self
    }

    /// Lets the study reopen a stored study whose space differs from this one: the new
    /// space is recorded and used from then on, and the trials already stored keep their
    /// params as they were. Without this, a different space is an
    /// [`Error::InvalidSpace`] naming the first param that differs. Name and direction
    /// must match in any case.
    pub fn allow_space_change(mut self) -> Self {
        self.allow_space_change = true;
        self
    }

    /// Seeds the sampler: with one worker, the same seed gives the same configs.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The study's name in its storage.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// How many trials `optimize` runs at once, each on its own thread (default 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Adds a [`Callback`] run after each trial of `optimize`; it can stop the study
    /// ([`StopAtValue`](crate::callbacks::StopAtValue),
    /// [`StopWithoutImprovement`](crate::callbacks::StopWithoutImprovement),
    /// or any `FnMut(&Trial, &Progress) -> ControlFlow<()>`).
    pub fn callback(mut self, callback: impl Callback + 'static) -> Self {
        self.callbacks.push(Box::new(callback));
        self
    }

    /// Shows a progress bar on stderr during `optimize`: trials done (of the budget),
    /// best value, failures, elapsed time and ETA. It draws nothing when stderr is not a
    /// terminal. Off by default.
    pub fn progress_bar(mut self, show: bool) -> Self {
        self.progress_bar = show;
        self
    }

    /// Whether `optimize` catches Ctrl-C (SIGINT, Unix only) to stop gracefully: no new
    /// trials, running ones finish, `optimize` returns
    /// [`StopReason::Interrupted`](crate::study::StopReason::Interrupted); a second Ctrl-C ends the
    /// process. On by default. The handler, once installed, stays for the life of the
    /// process and does the default action (terminate) outside `optimize`; turn this off
    /// in programs that handle SIGINT themselves.
    pub fn catch_interrupts(mut self, catch: bool) -> Self {
        self.catch_interrupts = catch;
        self
    }

    /// How many trials in a row may fail before `optimize` gives up and returns
    /// [`Error::TooManyFailures`] with the last failure's reason (default 50; at least 1).
    ///
    /// An objective that fails for every config (a wrong path, a missing GPU) would
    /// otherwise spin until the budget ends, or forever with
    /// [`Budget::unlimited`](crate::Budget::unlimited). A complete or pruned trial resets
    /// the count, which is kept per `optimize` call. Why 50: failures of a working
    /// objective are rarely that dense (with half of all configs failing at random, 50
    /// in a row have a chance of 1e-15), while a broken one is caught in 50 trials
    /// rather than thousands. Raise it for objectives that fail most of the time by
    /// design; `usize::MAX` never stops.
    pub fn max_consecutive_failures(mut self, failures: usize) -> Self {
        self.max_consecutive_failures = failures;
        self
    }

    /// Validates everything and opens the storage.
    pub fn build(self) -> Result<Study<S>> {
        if self.workers == 0 {
            return Err(Error::Config("workers must be at least 1".into()));
        }
        if self.max_consecutive_failures == 0 {
            return Err(Error::Config(
                "max_consecutive_failures must be at least 1 (usize::MAX never stops)".into(),
            ));
        }
        if self.name.is_empty() {
            return Err(Error::Config("the study name cannot be empty".into()));
        }
        if let Some(pruner) = &self.pruner {
            pruner.validate()?;
        }
        let space = self.space.search_space()?;
        let sampler = self.sampler.unwrap_or_else(|| Box::new(Tpe::default()));
        sampler.check_space(&space)?;
        let storage = self.storage.unwrap_or_else(|| Arc::new(InMemory::new()));
        let info = StudyInfo {
            name: self.name.clone(),
            direction: self.direction,
            space: space.clone(),
        };
        if let Some(stored) = storage.open(&info)? {
            let location = storage.describe();
            match compatibility::check(&stored, &info, &location, self.allow_space_change)? {
                Reopen::AsStored => {}
                Reopen::ChangeSpace => storage.set_space(&info.space)?,
            }
        }
        Ok(Study {
            origin: AskedBy::new(&self.name),
            heartbeats: Heartbeats::new(&storage),
            definition: self.space,
            shared: Arc::new(Shared {
                space,
                direction: self.direction,
                sampler,
                storage,
                pruner: self.pruner,
                seed: self.seed.unwrap_or_else(rand::random),
                name: self.name,
            }),
            enqueued: Mutex::new(VecDeque::new()),
            workers: self.workers,
            callbacks: Mutex::new(self.callbacks),
            progress_bar: self.progress_bar,
            catch_interrupts: self.catch_interrupts,
            max_consecutive_failures: self.max_consecutive_failures,
        })
    }
}
