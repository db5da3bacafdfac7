//! The search space as TPE sees it for one ask: every parameter's [`ParamModel`], and a
//! name index for decoding trials.

use super::param_model::ParamModel;
use crate::space::{Param, SearchSpace};

pub(crate) struct SpaceModel<'a> {
    pub space: &'a SearchSpace,
    /// One model per parameter, in space order.
    pub models: Vec<ParamModel>,
    /// The parameters' names with their positions, sorted by name (so a trial's
    /// name-sorted params merge with them in one pass).
    pub by_name: Vec<(&'a str, usize)>,
}

impl<'a> SpaceModel<'a> {
    pub(super) fn new(space: &'a SearchSpace) -> Self {
        let params = space.params();
        let models = params.iter().map(|p| ParamModel::new(&p.domain)).collect();
        let mut by_name: Vec<(&str, usize)> = params
            .iter()
            .enumerate()
            .map(|(j, p)| (p.name.as_str(), j))
            .collect();
        by_name.sort_unstable();
        SpaceModel {
            space,
            models,
            by_name,
        }
    }

    /// The space's parameters, in order.
    pub(super) fn params(&self) -> &'a [Param] {
        self.space.params()
    }
}
