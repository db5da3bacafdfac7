//! Duplicate avoidance: on a fully discrete space, a proposal that repeats a
//! configuration some trial already has gives way to the best unseen candidate that is
//! nearly as promising.

use super::proposal::ScoredGroup;
use crate::samplers::SampleContext;
use crate::space::Params;

/// On a fully discrete proposal that repeats an existing trial, swaps in the best unseen
/// candidate of one group whose acquisition is within `margin` of that group's best.
/// Candidates that would change a parent's value (and so which groups are active) are
/// not considered.
pub(crate) fn avoid_duplicate(
    ctx: &SampleContext<'_>,
    scored: &[ScoredGroup<'_>],
    margin: f64,
    proposal: &mut Params,
) {
    let space = ctx.space;
    let all_discrete = proposal.iter().all(|(name, _)| {
        space
            .get(name)
            .is_some_and(|p| p.domain.cardinality().is_some())
    });
    let seen = |p: &Params| ctx.trials.iter().any(|t| t.params.same(p));
    if !all_discrete || !seen(proposal) {
        return;
    }
    let is_parent = |name: &str| {
        space
            .params()
            .iter()
            .any(|p| p.condition.as_ref().is_some_and(|c| c.parent == name))
    };
    for s in scored {
        let best = s.acquisition[s.order[0]];
        for &c in &s.order[1..] {
            if s.acquisition[c] < best - margin {
                break;
            }
            let mut trial = proposal.clone();
            s.write(c, space, &mut trial);
            let keeps_parents = s.group.params.iter().all(|&j| {
                let name = &space.params()[j].name;
                !is_parent(name)
                    || trial
                        .value(name)
                        .zip(proposal.value(name))
                        .is_some_and(|(a, b)| a == b)
            });
            if keeps_parents && !seen(&trial) {
                *proposal = trial;
                return;
            }
        }
    }
}
