//! Studies: the loop that asks a sampler, runs the objective and records the outcome.
//!
//! The study is the top of the runtime: it depends on every other module and nothing
//! depends on it.

mod budget;
mod builder;
mod compatibility;
mod heartbeat;
mod interrupt;
mod progress_bar;
mod report;
mod run;

pub use budget::Budget;
pub use builder::StudyBuilder;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use self::heartbeat::Heartbeats;
use crate::callbacks::Callback;
use crate::error::{Error, Result};
use crate::objective::{Pruning, TrialContext};
use crate::pruners::Pruner;
use crate::samplers::{sample_guarded, SampleContext, Sampler};
use crate::space::{Params, SearchSpace, Space};
use crate::storage::Storage;
use crate::trial::{Direction, Outcome, Trial, TrialEvent, TrialState};

/// What every handle on a study shares (workers, trial contexts).
struct Shared {
    space: SearchSpace,
    direction: Direction,
    sampler: Box<dyn Sampler>,
    storage: Arc<dyn Storage>,
    pruner: Option<Arc<dyn Pruner>>,
    seed: u64,
    name: String,
}

/// An optimization run over a space: trials proposed by a sampler, recorded in a storage.
///
/// Every method takes `&self`: a study can be shared by threads that ask and tell on
/// their own, and [`optimize`](Self::optimize) runs its workers on it.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Fit {
///     #[tune(-3..=3)]
///     x: i32,
///     #[tune(choice("square", "abs"))]
///     kind: String,
/// }
///
/// let study = Study::minimize(space!(Fit)).sampler(Grid::new()).build()?;
/// let stop = study.optimize(100, |cfg: &Fit| {
///     let x = f64::from(cfg.x);
///     if cfg.kind == "square" { x * x } else { x.abs() + 0.5 }
/// })?;
/// assert_eq!(stop, StopReason::Exhausted); // the grid ran out before the budget
/// assert_eq!(study.trials()?.len(), 14);
/// let best = study.best().unwrap();
/// assert_eq!((best.value, best.config.x), (0.0, 0));
/// # Ok::<(), tunekit::Error>(())
/// ```
///
/// A study over a [`SearchSpace`] built at run time hands the objective [`Params`]
/// instead, read by name:
///
/// ```
/// use tunekit::prelude::*;
///
/// let space = SearchSpace::builder().add("x", Domain::float(-1.0, 1.0)).build()?;
/// let study = Study::minimize(space).sampler(Random::new()).seed(3).build()?;
/// study.optimize(10, |p: &Params| -> Result<f64, tunekit::Error> {
///     Ok(p.get::<f64>("x")?.powi(2))
/// })?;
/// assert_eq!(study.trials()?.len(), 10);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub struct Study<S: Space> {
    definition: S,
    shared: Arc<Shared>,
    /// Stamped on every trial this value asks, so `tell` knows its own.
    origin: AskedBy,
    /// Keeps this value's asked, untold trials alive on storages with heartbeats.
    heartbeats: Heartbeats,
    enqueued: Mutex<VecDeque<Params>>,
    workers: usize,
    callbacks: Mutex<Vec<Box<dyn Callback>>>,
    progress_bar: bool,
    catch_interrupts: bool,
    max_consecutive_failures: usize,
}

/// A trial handed out by [`Study::ask`], to be given back to [`Study::tell`] of the same
/// study, which refuses trials another study asked.
///
/// Ask-and-tell is for loops you drive yourself (an external scheduler, an event loop):
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1e-4..=1e-1, log)]
///     lr: f64,
/// }
///
/// let study = Study::minimize(space!(Train)).seed(1).build()?;
/// for _ in 0..3 {
///     let mut trial: AskedTrial<Train> = study.ask()?;
///     let loss = (trial.config.lr.log10() + 2.0).abs(); // "train" with trial.config
///     trial.context().set_user_attr("note", "from my own loop")?;
///     study.tell(&trial, loss)?; // an f64, or an Outcome (Outcome::Pruned, ...)
/// }
/// assert_eq!(study.trials()?.len(), 3);
/// assert_eq!(study.trials()?[0].user_attrs["note"], "from my own loop");
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug)]
pub struct AskedTrial<C> {
    /// The configuration to evaluate.
    pub config: C,
    context: TrialContext,
    origin: AskedBy,
}

/// Which [`Study`] value asked a trial. Every study value is its own origin, even two
/// values over one stored study (those can tell each other's trials by number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskedBy {
    handle: u64,
    study: Arc<str>,
}

impl AskedBy {
    fn new(study: &str) -> AskedBy {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        AskedBy {
            handle: NEXT.fetch_add(1, Ordering::Relaxed),
            study: Arc::from(study),
        }
    }

    /// The name of the study that asked the trial.
    pub fn study(&self) -> &str {
        &self.study
    }
}

impl<C> AskedTrial<C> {
    /// The trial's number.
    pub fn number(&self) -> u64 {
        self.context.number()
    }

    /// The trial's parameter values.
    pub fn params(&self) -> &Params {
        self.context.params()
    }

    /// The context through which intermediate values and attributes are recorded.
    pub fn context(&mut self) -> &mut TrialContext {
        &mut self.context
    }

    /// The study value that asked this trial.
    pub fn asked_by(&self) -> &AskedBy {
        &self.origin
    }
}

/// What [`Study::start_trial`] started.
enum Started<C> {
    Trial(AskedTrial<C>),
    /// The sampler's params did not decode; the trial is recorded as failed.
    Undecodable {
        number: u64,
        error: Error,
    },
}

/// Anything that names a trial: its number (a trial of whichever study it is told to),
/// or the trial itself (a trial of the study that asked it).
pub trait TrialNumber {
    /// The trial's number.
    fn trial_number(&self) -> u64;

    /// The study value that asked the trial, when known; `None` (the default) for a bare
    /// number.
    fn asked_by(&self) -> Option<&AskedBy> {
        None
    }
}

impl TrialNumber for u64 {
    fn trial_number(&self) -> u64 {
        *self
    }
}

impl<C> TrialNumber for AskedTrial<C> {
    fn trial_number(&self) -> u64 {
        self.number()
    }

    fn asked_by(&self) -> Option<&AskedBy> {
        Some(&self.origin)
    }
}

impl<C> TrialNumber for &AskedTrial<C> {
    fn trial_number(&self) -> u64 {
        self.number()
    }

    fn asked_by(&self) -> Option<&AskedBy> {
        Some(&self.origin)
    }
}

/// The best finished trial, from [`Study::best`]: its number, value, typed config and
/// raw params.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// struct Net {
///     #[tune(1..=4)]
///     layers: u32,
/// }
///
/// let study = Study::maximize(space!(Net)).sampler(Grid::new()).build()?;
/// study.optimize(10, |cfg: &Net| f64::from(cfg.layers))?;
/// let best = study.best().expect("a trial completed");
/// assert_eq!(best.config, Net { layers: 4 }); // the struct itself
/// assert_eq!(best.value, 4.0);
/// assert_eq!(best.params.get::<u32>("layers")?, 4);
/// assert_eq!(study.trials()?[best.number as usize].value, Some(4.0));
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Best<C> {
    /// The trial's number.
    pub number: u64,
    /// Its objective value.
    pub value: f64,
    /// Its configuration.
    pub config: C,
    /// Its parameter values.
    pub params: Params,
}

/// Why an `optimize` call returned.
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Cfg {
///     #[tune(0..=9)]
///     x: i32,
/// }
///
/// let study = Study::minimize(space!(Cfg)).sampler(Grid::new()).build()?;
/// assert_eq!(study.optimize(4, |c: &Cfg| f64::from(c.x))?, StopReason::TrialBudget);
/// assert_eq!(study.optimize(100, |c: &Cfg| f64::from(c.x))?, StopReason::Exhausted);
/// assert_eq!(study.trials()?.len(), 10);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The trial budget was used up.
    TrialBudget,
    /// The time budget ran out.
    TimeBudget,
    /// The sampler had nothing left to propose: every config of a finite space (every
    /// param discrete) is held by a trial, whatever its state (see
    /// [`samplers`](crate::samplers#finite-spaces-no-repeats)); Grid, Random and TPE
    /// all stop this way.
    Exhausted,
    /// A [`Callback`] asked to stop.
    Callback,
    /// The user pressed Ctrl-C (SIGINT); running trials were finished first.
    Interrupted,
}

impl<S: Space> Study<S> {
    /// Starts building a study that looks for the lowest objective value.
    pub fn minimize(space: S) -> StudyBuilder<S> {
        StudyBuilder::new(space, Direction::Minimize)
    }

    /// Starts building a study that looks for the highest objective value.
    pub fn maximize(space: S) -> StudyBuilder<S> {
        StudyBuilder::new(space, Direction::Maximize)
    }

    /// The dynamic space searched.
    pub fn space(&self) -> &SearchSpace {
        &self.shared.space
    }

    /// Whether lower or higher is better.
    pub fn direction(&self) -> Direction {
        self.shared.direction
    }

    /// The study's name in its storage.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The seed behind every sampler draw.
    pub fn seed(&self) -> u64 {
        self.shared.seed
    }

    /// Queues `config` to be evaluated before the sampler is asked again (warm starts,
    /// known-good defaults). Checked against the space now.
    ///
    /// ```
    /// use tunekit::prelude::*;
    ///
    /// #[tunable]
    /// #[derive(Debug, Clone, PartialEq)]
    /// struct Train {
    ///     #[tune(1e-5..=1e-1, log)]
    ///     lr: f64,
    ///     #[tune(choice(32, 64))]
    ///     batch: usize,
    /// }
    ///
    /// let study = Study::minimize(space!(Train)).seed(2).build()?;
    /// study.enqueue(Train { lr: 1e-3, batch: 32 })?; // last sweep's winner goes first
    /// study.optimize(3, |cfg: &Train| (cfg.lr.log10() + 3.0).abs())?;
    /// assert_eq!(study.best().unwrap().config, Train { lr: 1e-3, batch: 32 });
    /// # Ok::<(), tunekit::Error>(())
    /// ```
    pub fn enqueue(&self, config: S::Config) -> Result<()> {
        let params = self.definition.encode(&config)?;
        self.shared.space.check(&params)?;
        self.lock_queue().push_back(params);
        Ok(())
    }

    /// Starts a trial: the next queued config, or the sampler's proposal. Fails with
    /// [`Error::Exhausted`] when the sampler has nothing left (every config of a finite
    /// space taken); queued configs are still handed out then.
    ///
    /// If the proposal cannot be decoded into a config, the trial is recorded as failed
    /// and the error returned.
    ///
    /// On a storage with heartbeats (PostgreSQL), the trial is kept alive by a thread of
    /// this study value until it is told, so other workers never fail it as stale while
    /// it runs, however long; when the study value is dropped, its untold trials stop
    /// beating and go stale like those of a dead process.
    pub fn ask(&self) -> Result<AskedTrial<S::Config>> {
        match self.start_trial()? {
            Started::Trial(asked) => Ok(asked),
            Started::Undecodable { error, .. } => Err(error),
        }
    }

    /// `ask`, keeping the number of a trial whose params did not decode.
    fn start_trial(&self) -> Result<Started<S::Config>> {
        let shared = &self.shared;
        self.heartbeats.ensure_started()?;
        // The queue stays locked until the trial exists: a storage may call `propose`
        // more than once (a retried transaction), so the queued config it hands out is
        // removed only once a trial holds it, and two workers never take the same one.
        let mut queue = self.lock_queue();
        let queued = queue.front().cloned();
        let trial = shared.storage.create_trial(&mut |trials| {
            if let Some(params) = &queued {
                return Ok(Some(params.clone()));
            }
            let number = trials.len() as u64;
            let mut rng = ChaCha8Rng::seed_from_u64(shared.seed);
            rng.set_stream(number);
            // A pruner that splits trials into brackets (Hyperband) has the sampler learn
            // from the new trial's bracket only, as Optuna's TPE does (BOHB-like).
            let bracket_only = shared.pruner.as_ref().and_then(|pruner| {
                let bracket = pruner.bracket(number, trials, &shared.name)?;
                Some(
                    trials
                        .iter()
                        .filter(|t| pruner.bracket(t.number, trials, &shared.name) == Some(bracket))
                        .cloned()
                        .collect::<Vec<Trial>>(),
                )
            });
            let ctx = SampleContext {
                space: &shared.space,
                trials: bracket_only.as_deref().unwrap_or(trials),
                direction: shared.direction,
                number,
                seed: shared.seed,
            };
            // A sampler's panic or off-domain proposal fails this ask, not the process.
            sample_guarded(&*shared.sampler, &ctx, &mut rng)
        })?;
        let trial = trial.ok_or(Error::Exhausted)?;
        self.heartbeats.track(trial.number);
        if queued.is_some() {
            queue.pop_front();
        }
        drop(queue);
        match self.definition.decode(&trial.params) {
            Ok(config) => Ok(Started::Trial(AskedTrial {
                config,
                context: TrialContext::new(
                    trial.number,
                    trial.params,
                    Arc::clone(&shared.storage),
                    Pruning {
                        pruner: shared.pruner.clone(),
                        direction: shared.direction,
                        study: Arc::from(shared.name.as_str()),
                        seed: shared.seed,
                    },
                ),
                origin: self.origin.clone(),
            })),
            Err(error) => {
                self.tell(trial.number, Outcome::Failed(error.to_string()))?;
                Ok(Started::Undecodable {
                    number: trial.number,
                    error,
                })
            }
        }
    }

    /// Finishes a trial with a value (`f64`) or an [`Outcome`]. A value that is not
    /// finite is recorded as a failure. Telling a trial twice, a trial this study never
    /// started, or an [`AskedTrial`] another study value asked
    /// ([`Error::ForeignTrial`]) is an error that changes nothing. A bare number names a
    /// trial of this study.
    pub fn tell(&self, trial: impl TrialNumber, outcome: impl Into<Outcome>) -> Result<()> {
        let number = trial.trial_number();
        if let Some(origin) = trial.asked_by().filter(|&origin| *origin != self.origin) {
            return Err(Error::ForeignTrial {
                number,
                asked_from: origin.study.to_string(),
            });
        }
        let told = self.shared.storage.record(TrialEvent::Finished {
            number,
            outcome: outcome.into().normalized(),
            finished_at: Utc::now(),
        });
        // Whatever the outcome, a trial that is not running needs no more heartbeats;
        // after other errors (a lost connection) it may still run, and keeps beating.
        if let Ok(()) | Err(Error::TrialAlreadyFinished { .. } | Error::UnknownTrial(_)) = told {
            self.heartbeats.untrack(number);
        }
        told
    }

    /// Every trial so far, by number.
    pub fn trials(&self) -> Result<Vec<Trial>> {
        let mut all = Vec::new();
        self.shared
            .storage
            .read(&mut |trials| all = trials.to_vec())?;
        Ok(all)
    }

    /// The best complete trial whose params decode into a config of this study's
    /// space, if any. Failed and pruned trials never count; ties go to the earlier trial.
    ///
    /// A stored trial can fall outside the current space (after
    /// [`allow_space_change`](StudyBuilder::allow_space_change) narrowed a domain or
    /// removed a param, or from a file written by hand): such a trial is skipped, with a
    /// warning naming it and why, and the best trial that decodes is returned. `None`
    /// means no complete trial decodes, or the storage could not be read (also warned).
    pub fn best(&self) -> Option<Best<S::Config>> {
        let direction = self.shared.direction;
        let mut best = None;
        let read = self.shared.storage.read(&mut |trials| {
            let mut complete: Vec<(&Trial, f64)> = trials
                .iter()
                .filter(|t| t.state == TrialState::Complete)
                .filter_map(|t| Some((t, t.value?)))
                .collect();
            // Best first; the sort is stable, so equal values keep their trial order.
            complete.sort_by(|a, b| {
                if direction.better(a.1, b.1) {
                    std::cmp::Ordering::Less
                } else if direction.better(b.1, a.1) {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            });
            best = complete.into_iter().find_map(|(trial, value)| {
                match self.definition.decode(&trial.params) {
                    Ok(config) => Some(Best {
                        number: trial.number,
                        value,
                        config,
                        params: trial.params.clone(),
                    }),
                    Err(error) => {
                        tracing::warn!(
                            study = %self.shared.name,
                            trial = trial.number,
                            value,
                            "best(): skipping trial {} (value {value}): its params do not \
                             fit the study's current space: {error}",
                            trial.number
                        );
                        None
                    }
                }
            });
        });
        if let Err(error) = read {
            tracing::warn!(study = %self.shared.name, "best(): cannot read the trials: {error}");
        }
        best
    }

    fn lock_queue(&self) -> MutexGuard<'_, VecDeque<Params>> {
        // Every change to the queue is one push or pop: a panicking holder leaves it whole.
        self.enqueued.lock().unwrap_or_else(|e| e.into_inner())
    }
}
