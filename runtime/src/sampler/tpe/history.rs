//! The trials TPE learns from, decoded once per ask and split into "below" (good) and
//! "above" (the rest).
//!
//! Ranking follows Optuna: complete trials by objective (turned into a loss), then pruned
//! trials by progress (the further a trial got, the better; ties by the value at its last
//! step), so pruned trials fill the good set only when there are too few complete ones.
//! Failed trials are ignored. With the constant liar, running trials join the bad set, so
//! parallel workers do not all crowd the same spot.

use super::options::Gamma;
use super::param_model::ParamModel;
use crate::{Direction, Param, Trial, TrialState};

/// Decoded history: one row of internal values per usable trial (NaN where a parameter is
/// absent or no longer fits its domain), in trial order.
#[derive(Debug, Default)]
pub(crate) struct History {
    /// Parameters per row.
    pub width: usize,
    /// Row-major internal values.
    pub rows: Vec<f64>,
    /// Rows in the good set, in trial order.
    pub below: Vec<usize>,
    /// Rows in the bad set (including running trials under the liar), in trial order.
    pub above: Vec<usize>,
    /// Complete + pruned trials: what the startup threshold and gamma count.
    pub finished: usize,
}

/// How a usable trial ranks.
#[derive(Debug, Clone, Copy)]
enum Standing {
    Complete { loss: f64 },
    Pruned { progress: f64, loss: f64 },
    Running,
}

impl History {
    /// Decodes and splits `trials`. `names` is the space's parameter names with their
    /// positions, sorted by name (so each trial's sorted params merge in one pass).
    pub fn build(
        trials: &[Trial],
        params: &[Param],
        models: &[ParamModel],
        names: &[(&str, usize)],
        direction: Direction,
        gamma: Gamma,
        constant_liar: bool,
    ) -> Self {
        let width = params.len();
        let mut standings = Vec::with_capacity(trials.len());
        let mut rows = Vec::with_capacity(trials.len() * width);
        for trial in trials {
            let standing = match trial.state {
                TrialState::Complete => match trial.value {
                    Some(v) if v.is_finite() => Standing::Complete {
                        loss: direction.to_loss(v),
                    },
                    _ => continue,
                },
                TrialState::Pruned => {
                    // Optuna's key: (-last step, value there); none reported ranks last.
                    match trial.intermediate.iter().next_back() {
                        Some((&step, &value)) => Standing::Pruned {
                            progress: -(step as f64),
                            loss: if value.is_nan() {
                                f64::INFINITY
                            } else {
                                direction.to_loss(value)
                            },
                        },
                        None => Standing::Pruned {
                            progress: 1.0,
                            loss: 0.0,
                        },
                    }
                }
                TrialState::Running if constant_liar => Standing::Running,
                TrialState::Running | TrialState::Failed => continue,
            };
            standings.push(standing);
            decode_row(trial, params, models, names, &mut rows);
        }

        let finished = standings
            .iter()
            .filter(|s| !matches!(s, Standing::Running))
            .count();
        let mut is_below = vec![false; standings.len()];
        let mut room = gamma.below(finished);
        // Best complete trials first, then the most advanced pruned ones.
        let mut complete: Vec<(f64, usize)> = standings
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match *s {
                Standing::Complete { loss } => Some((loss, i)),
                _ => None,
            })
            .collect();
        room -= mark_best(&mut complete, room, &mut is_below);
        if room > 0 {
            let mut pruned: Vec<((f64, f64), usize)> = standings
                .iter()
                .enumerate()
                .filter_map(|(i, s)| match *s {
                    Standing::Pruned { progress, loss } => Some(((progress, loss), i)),
                    _ => None,
                })
                .collect();
            mark_best(&mut pruned, room, &mut is_below);
        }
        let (below, above) = (0..standings.len()).partition(|&i| is_below[i]);
        History {
            width,
            rows,
            below,
            above,
            finished,
        }
    }

    /// The value of parameter `j` in row `i`.
    pub fn value(&self, i: usize, j: usize) -> f64 {
        self.rows[i * self.width + j]
    }
}

/// Marks the `room` smallest keys (ties by row, i.e. trial order) as below, in O(n).
/// Returns how many were marked.
fn mark_best<K: Copy + PartialOrd>(
    items: &mut [(K, usize)],
    room: usize,
    is_below: &mut [bool],
) -> usize {
    let take = room.min(items.len());
    if take == 0 {
        return 0;
    }
    let order = |a: &(K, usize), b: &(K, usize)| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    };
    if take < items.len() {
        items.select_nth_unstable_by(take - 1, order);
    }
    for &(_, i) in &items[..take] {
        is_below[i] = true;
    }
    take
}

/// Appends the trial's internal values in space order, merging its (name-sorted) params
/// with the space's sorted names instead of looking each one up.
fn decode_row(
    trial: &Trial,
    params: &[Param],
    models: &[ParamModel],
    names: &[(&str, usize)],
    rows: &mut Vec<f64>,
) {
    let start = rows.len();
    rows.resize(start + params.len(), f64::NAN);
    let row = &mut rows[start..];
    let mut wanted = names.iter().peekable();
    for (name, value) in trial.params.iter() {
        while let Some(&&(space_name, _)) = wanted.peek() {
            if space_name < name {
                wanted.next();
            } else {
                break;
            }
        }
        if let Some(&&(space_name, j)) = wanted.peek() {
            if space_name == name {
                row[j] = models[j].internal(&params[j].domain, value);
                wanted.next();
            }
        }
    }
}
