//! Building one ask's proposal, group by group: fit `l(x)` to the good trials and `g(x)`
//! to the rest, draw candidates from `l`, rank them by `ln l(x) - ln g(x)`, take the
//! best. The history, mixtures and buffers this needs live in a [`Workspace`] that the
//! sampler keeps between asks, so a long study stops allocating.

use std::sync::{Mutex, TryLockError};

use rand::RngCore;

use super::groups::Group;
use super::history::{GroupObservations, History, Side};
use super::mixture::{LogPdfScratch, Mixture};
use super::options::Weights;
use super::param_model::ParamModel;
use super::parzen_estimator::{MassCache, Observations, ParzenEstimator, ParzenOptions};
use super::space_model::SpaceModel;
use crate::space::{Params, SearchSpace};

/// The sampler's options that building a proposal uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProposalOptions {
    /// Draws from `l(x)` scored per group.
    pub n_candidates: usize,
    /// Observation weights by age.
    pub weights: Weights,
    /// At most this many observations represent `g(x)` (`None`: every one).
    pub max_above_kernels: Option<usize>,
    pub parzen: ParzenOptions,
}

/// The sampler's [`Workspace`]. A clone starts empty; concurrent asks that find it busy
/// use a fresh one.
#[derive(Default)]
pub(crate) struct WorkspaceCell(Mutex<Workspace>);

impl WorkspaceCell {
    /// Runs `f` on the kept workspace, or on a fresh one when another ask holds it.
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut Workspace) -> R) -> R {
        match self.0.try_lock() {
            Ok(mut work) => f(&mut work),
            // An ask that panicked (caught by `sample_guarded`) may have left the
            // workspace half updated: start it over.
            Err(TryLockError::Poisoned(poisoned)) => {
                let mut work = poisoned.into_inner();
                *work = Workspace::default();
                self.0.clear_poison();
                f(&mut work)
            }
            Err(TryLockError::WouldBlock) => f(&mut Workspace::default()),
        }
    }
}

impl Clone for WorkspaceCell {
    fn clone(&self) -> Self {
        WorkspaceCell::default()
    }
}

impl std::fmt::Debug for WorkspaceCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Workspace")
    }
}

/// Everything an ask works on, kept between asks.
#[derive(Default)]
pub(crate) struct Workspace {
    pub history: History,
    below: Mixture,
    above: Mixture,
    estimator: ParzenEstimator,
    observations: GroupObservations,
    scratch: LogPdfScratch,
    log_g: Vec<f64>,
}

impl Workspace {
    /// The best candidate of every active group, with each group's ranked candidates (for
    /// the duplicate check). Groups come parent first, so whether a group is active is
    /// known by its turn.
    pub(super) fn propose<'g>(
        &mut self,
        groups: &'g [Group],
        space: &SpaceModel<'_>,
        options: &ProposalOptions,
        rng: &mut dyn RngCore,
    ) -> (Params, Vec<ScoredGroup<'g>>) {
        let mut proposal = Params::new();
        let mut scored = Vec::new();
        for group in groups {
            let first = &space.params()[group.params[0]];
            if !space.space.is_active(first, &proposal) {
                continue;
            }
            crate::samplers::working_on(group.params[0]);
            let ranked = self.score_group(group, space, options, rng);
            ranked.write(ranked.order[0], space.space, &mut proposal);
            scored.push(ranked);
        }
        (proposal, scored)
    }

    /// Fits `l` and `g` for `group`, draws candidates from `l` and ranks them.
    fn score_group<'g>(
        &mut self,
        group: &'g Group,
        space: &SpaceModel<'_>,
        options: &ProposalOptions,
        rng: &mut dyn RngCore,
    ) -> ScoredGroup<'g> {
        let models: Vec<ParamModel> = group.params.iter().map(|&j| space.models[j]).collect();
        self.fit(Side::Below, group, &models, options);
        self.fit(Side::Above, group, &models, options);
        let mut candidates = Vec::new();
        self.below
            .sample(rng, options.n_candidates, &mut candidates);
        let mut acquisition = Vec::new();
        self.below
            .log_pdf(&candidates, &mut acquisition, &mut self.scratch);
        self.above
            .log_pdf(&candidates, &mut self.log_g, &mut self.scratch);
        for (a, g) in acquisition.iter_mut().zip(&self.log_g) {
            *a -= g;
        }
        ScoredGroup::new(group, models, candidates, acquisition)
    }

    /// Fits `side`'s mixture for `group` on that side's trials where every parameter of
    /// the group has a value.
    fn fit(&mut self, side: Side, group: &Group, models: &[ParamModel], options: &ProposalOptions) {
        let gathered = &mut self.observations;
        match (side, options.max_above_kernels) {
            (Side::Above, Some(max)) => {
                self.history
                    .gather_bounded(side, &group.params, options.weights, max, gathered)
            }
            _ => self
                .history
                .gather(side, &group.params, options.weights, gathered),
        }
        let observations = Observations {
            models,
            columns: &gathered.columns,
            weights: &gathered.weights,
        };
        let cache = MassCache {
            slots: &mut self.history.masses,
            width: self.history.width,
            trials: &gathered.trials,
            params: &group.params,
        };
        let mixture = match side {
            Side::Below => &mut self.below,
            Side::Above => &mut self.above,
        };
        // Only the good set's floor follows its spread: `g` stays Optuna's.
        let parzen = ParzenOptions {
            spread_floor: options.parzen.spread_floor && side == Side::Below,
            finished: self.history.finished,
            ..options.parzen
        };
        self.estimator
            .fit(&observations, &parzen, Some(cache), mixture);
    }
}

/// One group's candidates, ranked by acquisition.
pub(crate) struct ScoredGroup<'g> {
    pub group: &'g Group,
    /// The models of the group's parameters, in group order.
    models: Vec<ParamModel>,
    /// Row-major internal values, `n_candidates x group size`.
    candidates: Vec<f64>,
    /// Candidate indices, best acquisition first.
    pub order: Vec<usize>,
    /// `ln l(x) - ln g(x)` per candidate.
    pub acquisition: Vec<f64>,
}

impl<'g> ScoredGroup<'g> {
    fn new(
        group: &'g Group,
        models: Vec<ParamModel>,
        candidates: Vec<f64>,
        acquisition: Vec<f64>,
    ) -> Self {
        // Best first; ties keep the earlier draw (numpy's argmax does the same). A NaN
        // acquisition (both densities underflowed) ranks last: comparing it as "equal"
        // broke the sort's total order, which the standard sort panics on.
        let key = |c: usize| {
            let a = acquisition[c];
            if a.is_nan() {
                f64::NEG_INFINITY
            } else {
                a
            }
        };
        let mut order: Vec<usize> = (0..acquisition.len()).collect();
        order.sort_by(|&a, &b| {
            key(b)
                .partial_cmp(&key(a))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
        ScoredGroup {
            group,
            models,
            candidates,
            order,
            acquisition,
        }
    }

    /// Writes candidate `c`'s values into `params`.
    pub(super) fn write(&self, c: usize, space: &SearchSpace, params: &mut Params) {
        let width = self.group.params.len();
        for (i, &j) in self.group.params.iter().enumerate() {
            let param = &space.params()[j];
            let value = self.models[i].value(&param.domain, self.candidates[c * width + i]);
            params.insert(param.name.clone(), value);
        }
    }
}
