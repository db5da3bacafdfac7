//! Rebuilding the CMA-ES state from the trial history, and remembering it between asks.
//!
//! CMA-ES draws its candidate for trial `t` from a stream keyed by the study seed and
//! `t`, so for any state the replay can tell whether a trial was drawn from it: its
//! searched values are exactly that state's draw for its number.
//!
//! **Where the search starts.** The first trial, in number order, whose values are the
//! draw of the first distribution for it. That distribution has its mean at the best
//! complete trial that had finished when the trial was asked (the warm start: enqueued
//! trials, another sampler's or an earlier run's), or at the centre of the cube.
//!
//! **Generations.** From the start, finished trials are read in the order they finished
//! (`finished_at`, then number), which is the order the live study saw them. A complete
//! trial drawn from the current distribution joins its generation; the generation is told
//! when it has `lambda` of them. Anything else is ignored: failed and pruned trials (their
//! slot is drawn again), trials drawn from an earlier distribution that finished after
//! their generation was told (as Optuna ignores them), and trials CMA-ES did not draw
//! (enqueued during the search). Running trials hold nothing back.
//!
//! A finished trial never changes, and trials finish in time order, so the state is
//! cached with the finish mark of the last trial read; an ask reads only the trials that
//! finished since. If a trial appears that finished before the mark (clocks of several
//! machines disagreeing, or a different history), the state is rebuilt from scratch.

use chrono::{DateTime, Utc};
use rand::RngCore;

use super::margin::Bins;
use super::restart::{keyed_rng, Search, SearchOptions};
use super::space_map::SpaceMap;
use crate::trial::{Direction, Trial, TrialState};

/// What a cached state was computed for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub(crate) map: SpaceMap,
    pub(crate) seed: u64,
    pub(crate) direction: Direction,
    pub(crate) options: SearchOptions,
}

/// When a trial finished, for ordering (a finished trial without a time counts as
/// finished when it started); `None` while it runs.
fn finish(trial: &Trial) -> Option<(DateTime<Utc>, u64)> {
    trial
        .state
        .is_finished()
        .then(|| (trial.finished_at.unwrap_or(trial.started_at), trial.number))
}

/// The state after reading the history up to a finish mark.
#[derive(Debug, Clone)]
pub(crate) struct Replay {
    key: Key,
    bins: Vec<Option<Bins>>,
    /// Trials before this index were checked for the start: none of them is it.
    scanned: usize,
    /// The index of the first trial of the search, its first run, and the state now.
    start: Option<usize>,
    search: Option<Search>,
    /// The last trial read (finish order) and how many trials have been read.
    mark: Option<(DateTime<Utc>, u64)>,
    read: usize,
}

impl Replay {
    pub(crate) fn new(key: Key) -> Self {
        Replay {
            bins: key.map.bins(),
            key,
            scanned: 0,
            start: None,
            search: None,
            mark: None,
            read: 0,
        }
    }

    /// The draw of `search` for trial `number` (before rounding).
    fn candidate(search: &Search, seed: u64, number: u64) -> Vec<f64> {
        let mut rng = keyed_rng(seed, number);
        search.cma().ask(&mut rng as &mut dyn RngCore)
    }

    /// The loss of a complete trial with a number as value.
    fn loss(&self, trial: &Trial) -> Option<f64> {
        let value = trial.value.filter(|v| !v.is_nan())?;
        (trial.state == TrialState::Complete).then(|| self.key.direction.to_loss(value))
    }

    /// The first search as it would be for `trial`: mean at the best complete trial
    /// among `earlier` that had finished when `trial` was asked.
    fn first_search(&self, earlier: &[Trial], asked: Option<DateTime<Utc>>) -> Search {
        let mut best: Option<(f64, Vec<f64>)> = None;
        for other in earlier {
            let finished_before = match (finish(other), asked) {
                (Some((at, _)), Some(asked)) => at <= asked,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if !finished_before {
                continue;
            }
            if let (Some(loss), Some(x)) = (self.loss(other), self.key.map.encode(&other.params)) {
                if best.as_ref().is_none_or(|(b, _)| loss < *b) {
                    best = Some((loss, x));
                }
            }
        }
        let mean = best.map_or_else(|| vec![0.5; self.bins.len()], |(_, x)| x);
        Search::new(mean, self.bins.clone(), self.key.options, self.key.seed)
    }

    /// Whether this state can be brought up to date with `trials` by reading on.
    pub(crate) fn fits(&self, key: &Key, trials: &[Trial]) -> bool {
        if &self.key != key || self.scanned > trials.len() {
            return false;
        }
        let Some(start) = self.start else {
            return true;
        };
        // Every trial finished up to the mark must be one already read.
        let up_to_mark = trials
            .get(start..)
            .unwrap_or_default()
            .iter()
            .filter(|t| finish(t).is_some_and(|f| Some(f) <= self.mark))
            .count();
        up_to_mark == self.read
    }

    /// Brings the state up to date with `trials`.
    pub(crate) fn advance(&mut self, trials: &[Trial]) {
        if self.search.is_none() {
            while self.scanned < trials.len() {
                let trial = &trials[self.scanned];
                let search = self.first_search(&trials[..self.scanned], Some(trial.started_at));
                let candidate = Self::candidate(&search, self.key.seed, trial.number);
                let candidate = search.cma().eval_point(&candidate);
                if self.key.map.encode(&trial.params).is_some()
                    && self.key.map.same_values(&trial.params, &candidate)
                {
                    self.start = Some(self.scanned);
                    self.search = Some(search);
                    break;
                }
                self.scanned += 1;
            }
        }
        let (Some(start), Some(search)) = (self.start, self.search.as_mut()) else {
            return;
        };
        let mut fresh: Vec<&Trial> = trials[start..]
            .iter()
            .filter(|t| finish(t).is_some_and(|f| Some(f) > self.mark))
            .collect();
        fresh.sort_by_key(|t| finish(t));
        for trial in fresh {
            self.mark = finish(trial);
            self.read += 1;
            let loss = trial
                .value
                .filter(|v| !v.is_nan() && trial.state == TrialState::Complete)
                .map(|v| self.key.direction.to_loss(v));
            let (Some(loss), Some(stored)) = (loss, self.key.map.encode(&trial.params)) else {
                continue;
            };
            let candidate = Self::candidate(search, self.key.seed, trial.number);
            if !self
                .key
                .map
                .same_values(&trial.params, &search.cma().eval_point(&candidate))
            {
                continue; // not drawn from this distribution
            }
            // The continuous draw behind a discrete value is the candidate's.
            let x = search.cma().tell_point(&stored, &candidate);
            search.tell(x, loss);
        }
    }

    /// The unit-cube point proposed for `trial_number` asked now, after `trials`
    /// (discrete coordinates still to be rounded to their bin).
    pub(crate) fn propose(&self, trials: &[Trial], number: u64) -> Vec<f64> {
        let first;
        let search = match &self.search {
            Some(search) => search,
            None => {
                first = self.first_search(trials, None);
                &first
            }
        };
        search
            .cma()
            .eval_point(&Self::candidate(search, self.key.seed, number))
    }
}
