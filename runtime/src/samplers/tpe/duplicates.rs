//! Duplicate avoidance: a proposal that repeats a configuration some trial already has
//! gives way to an unseen candidate. On a space with a continuous param, only when every
//! active param of the proposal is discrete and a candidate is nearly as promising; on a
//! finite space always, while an unseen configuration remains (see
//! [`samplers`](crate::samplers#finite-spaces-no-repeats)).

use std::collections::HashSet;

use super::proposal::ScoredGroup;
use crate::samplers::SampleContext;
use crate::space::{Params, SearchSpace};

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
    swap_within_margin(space, scored, margin, proposal, &seen);
}

/// The first unseen swap, groups in order and each group's candidates best first, whose
/// acquisition is within `margin` of its group's best; `true` when `proposal` changed.
pub(crate) fn swap_within_margin(
    space: &SearchSpace,
    scored: &[ScoredGroup<'_>],
    margin: f64,
    proposal: &mut Params,
    seen: &dyn Fn(&Params) -> bool,
) -> bool {
    let parents = condition_parents(space);
    for s in scored {
        let best = s.acquisition[s.order[0]];
        for &c in &s.order[1..] {
            if s.acquisition[c] < best - margin {
                break;
            }
            if let Some(trial) = swapped(space, &parents, s, c, proposal) {
                if !seen(&trial) {
                    *proposal = trial;
                    return true;
                }
            }
        }
    }
    false
}

/// The unseen swap that gives up the least acquisition, over every group's candidates
/// (ties: the earlier group, then the better candidate); `true` when `proposal` changed.
pub(crate) fn best_unseen_swap(
    space: &SearchSpace,
    scored: &[ScoredGroup<'_>],
    proposal: &mut Params,
    seen: &dyn Fn(&Params) -> bool,
) -> bool {
    let parents = condition_parents(space);
    // (acquisition given up, group, candidate); a NaN acquisition gives up everything.
    let mut swaps: Vec<(f64, usize, usize)> = Vec::new();
    for (g, s) in scored.iter().enumerate() {
        let best = s.acquisition[s.order[0]];
        for &c in &s.order[1..] {
            let loss = best - s.acquisition[c];
            swaps.push((if loss.is_nan() { f64::INFINITY } else { loss }, g, c));
        }
    }
    swaps.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, g, c) in swaps {
        if let Some(trial) = swapped(space, &parents, &scored[g], c, proposal) {
            if !seen(&trial) {
                *proposal = trial;
                return true;
            }
        }
    }
    false
}

/// The names conditions depend on, collected once (asking every param per candidate
/// made deep conditional chains quadratic).
fn condition_parents(space: &SearchSpace) -> HashSet<&str> {
    space
        .params()
        .iter()
        .filter_map(|p| p.condition.as_ref().map(|c| c.parent.as_str()))
        .collect()
}

/// `proposal` with group `s` set to its candidate `c`, or `None` when that would change
/// the value of a param some condition depends on.
fn swapped(
    space: &SearchSpace,
    parents: &HashSet<&str>,
    s: &ScoredGroup<'_>,
    c: usize,
    proposal: &Params,
) -> Option<Params> {
    // Only the group's values change: check its parents before copying the rest.
    let mut changed = Params::new();
    s.write(c, space, &mut changed);
    // By bits, as conditions compare: `-0.0 == 0.0`, yet a condition may hold for one
    // and not the other (found by the space fuzz test).
    let keeps_parents = s
        .group
        .params
        .iter()
        .map(|&j| space.params()[j].name.as_str())
        .filter(|name| parents.contains(name))
        .all(|name| {
            changed
                .value(name)
                .zip(proposal.value(name))
                .is_some_and(|(a, b)| a.same(b))
        });
    if !keeps_parents {
        return None;
    }
    let mut trial = proposal.clone();
    s.write(c, space, &mut trial);
    Some(trial)
}
