//! Duplicate avoidance: on a fully discrete space, a proposal that repeats a
//! configuration some trial already has gives way to the best unseen candidate that is
//! nearly as promising.

use std::collections::HashSet;

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
    // The names conditions depend on, collected once (asking every param per candidate
    // made deep conditional chains quadratic).
    let parents: HashSet<&str> = space
        .params()
        .iter()
        .filter_map(|p| p.condition.as_ref().map(|c| c.parent.as_str()))
        .collect();
    for s in scored {
        let best = s.acquisition[s.order[0]];
        let group_parents: Vec<&str> = s
            .group
            .params
            .iter()
            .map(|&j| space.params()[j].name.as_str())
            .filter(|name| parents.contains(name))
            .collect();
        for &c in &s.order[1..] {
            if s.acquisition[c] < best - margin {
                break;
            }
            // Only the group's values change: check its parents before copying the rest.
            let mut changed = Params::new();
            s.write(c, space, &mut changed);
            // By bits, as conditions compare: `-0.0 == 0.0`, yet a condition may hold
            // for one and not the other (found by the space fuzz test).
            let keeps_parents = group_parents.iter().all(|&name| {
                changed
                    .value(name)
                    .zip(proposal.value(name))
                    .is_some_and(|(a, b)| a.same(b))
            });
            if !keeps_parents {
                continue;
            }
            let mut trial = proposal.clone();
            s.write(c, space, &mut trial);
            if !seen(&trial) {
                *proposal = trial;
                return;
            }
        }
    }
}
