//! The trials TPE learns from, decoded once per ask and split into "below" (good) and
//! "above" (the rest).
//!
//! Ranking follows Optuna: complete trials by objective (turned into a loss), then pruned
//! trials by progress (the further a trial got, the better; ties by the value at its last
//! step), so pruned trials fill the good set only when there are too few complete ones.
//! Failed trials are ignored. With the constant liar, running trials join the bad set, so
//! parallel workers do not all crowd the same spot.

use super::options::{Gamma, Weights};
use super::space_model::SpaceModel;
use crate::space::Param;
use crate::trial::{Direction, Trial, TrialState};

/// Decoded history: one row of internal values per trial (NaN where a parameter is absent
/// or no longer fits its domain), indexed like the trials.
///
/// Rows are kept between asks: a trial's params never change after it is created, so a
/// row is decoded again only for a trial not seen before (or whose identity changed: a
/// different study, a different space).
#[derive(Debug, Default)]
pub(crate) struct History {
    /// Parameters per row.
    pub width: usize,
    /// Row-major internal values, row `i` for `trials[i]`.
    pub rows: Vec<f64>,
    /// Trials in the good set, in trial order.
    pub below: Vec<usize>,
    /// Trials in the bad set (including running trials under the liar), in trial order.
    pub above: Vec<usize>,
    /// Complete + pruned trials: what the startup threshold and gamma count.
    pub finished: usize,
    /// Support masses of observation kernels, per trial and parameter (see
    /// `parzen_estimator::MassCache`); reset with the row.
    pub masses: Vec<(f64, f64)>,
    /// Which trial each row was decoded from, and under which space.
    row_keys: Vec<Option<RowKey>>,
    row_space: Vec<Param>,
    standings: Vec<(Standing, usize)>,
    is_below: Vec<bool>,
    complete: Vec<(f64, usize)>,
    pruned: Vec<((f64, f64), usize)>,
    /// The worst loss in the last good set of complete trials (NaN: none yet).
    threshold_hint: f64,
    /// Per row: every parameter has a value (so whole-space groups skip the check).
    full_rows: Vec<bool>,
}

/// What identifies a trial record well enough to reuse its decoded row.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RowKey {
    number: u64,
    started_at: chrono::DateTime<chrono::Utc>,
    params: usize,
    /// The objective value's bits: a different study's trial with the same number and
    /// start time would also have to score the same to be mistaken for this one.
    value: Option<u64>,
}

impl RowKey {
    fn of(trial: &Trial) -> Self {
        RowKey {
            number: trial.number,
            started_at: trial.started_at,
            params: trial.params.len(),
            value: trial.value.map(f64::to_bits),
        }
    }
}

/// One side of the split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The good set, which `l(x)` is fitted to.
    Below,
    /// The rest, which `g(x)` is fitted to.
    Above,
}

/// One group's observations on one side, gathered from the rows (buffers reused from
/// gather to gather).
#[derive(Debug, Default)]
pub(crate) struct GroupObservations {
    /// The trials where every parameter of the group has a value, in trial order.
    pub trials: Vec<usize>,
    /// Their values, column-major: the group's parameter `j` has
    /// `columns[j * m..(j + 1) * m]` for `m` trials.
    pub columns: Vec<f64>,
    /// Their weights by age.
    pub weights: Vec<f64>,
    /// Scratch for [`History::gather_bounded`]: every usable trial and its weight.
    all_trials: Vec<usize>,
    all_weights: Vec<f64>,
}

/// How trials are split into good and bad.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SplitRule {
    pub direction: Direction,
    /// The size of the good set.
    pub gamma: Gamma,
    /// Whether running trials join the bad set.
    pub constant_liar: bool,
}

/// How a usable trial ranks.
#[derive(Debug, Clone, Copy)]
enum Standing {
    Complete { loss: f64 },
    Pruned { progress: f64, loss: f64 },
    Running,
}

impl History {
    /// Decodes and splits `trials`, reusing this history's buffers.
    pub(super) fn rebuild(&mut self, trials: &[Trial], space: &SpaceModel<'_>, split: SplitRule) {
        let SplitRule {
            direction,
            gamma,
            constant_liar,
        } = split;
        let params = space.params();
        self.width = params.len();
        if self.row_space != params {
            self.row_space = params.to_vec();
            self.row_keys.clear();
        }
        self.row_keys.truncate(trials.len());
        self.rows.resize(trials.len() * self.width, f64::NAN);
        self.masses
            .resize(trials.len() * self.width, (f64::NAN, 0.0));
        self.full_rows.resize(trials.len(), false);
        let standings = &mut self.standings;
        standings.clear();
        for (i, trial) in trials.iter().enumerate() {
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
            standings.push((standing, i));
            let key = RowKey::of(trial);
            if self.row_keys.get(i) != Some(&Some(key)) {
                let span = i * self.width..(i + 1) * self.width;
                decode_row(trial, space, &mut self.rows[span.clone()]);
                self.full_rows[i] = self.rows[span.clone()].iter().all(|v| !v.is_nan());
                self.masses[span].fill((f64::NAN, 0.0));
                if i >= self.row_keys.len() {
                    self.row_keys.resize(i + 1, None);
                }
                self.row_keys[i] = Some(key);
            }
        }

        self.finished = standings
            .iter()
            .filter(|(s, _)| !matches!(s, Standing::Running))
            .count();
        let is_below = &mut self.is_below;
        is_below.clear();
        is_below.resize(trials.len(), false);
        let mut room = gamma.below(self.finished);
        // Best complete trials first, then the most advanced pruned ones.
        self.complete.clear();
        self.complete
            .extend(standings.iter().filter_map(|&(s, i)| match s {
                Standing::Complete { loss } => Some((loss, i)),
                _ => None,
            }));
        // The previous ask's worst good loss is a hint: when at least `room` trials are
        // as good, the best `room` are among them (ties included), so the selection
        // runs on those few. Any hint gives the same set; a good one saves the O(n log)
        // constant of selecting over every trial.
        let take = room.min(self.complete.len());
        if take > 0 && take < self.complete.len() && self.threshold_hint.is_finite() {
            let hint = self.threshold_hint;
            let within = self.complete.iter().filter(|&&(l, _)| l <= hint).count();
            if within >= take {
                self.complete.retain(|&(l, _)| l <= hint);
            }
        }
        let marked = mark_best(&mut self.complete, room, is_below);
        self.threshold_hint = self.complete[..marked]
            .iter()
            .fold(f64::NEG_INFINITY, |a, &(l, _)| a.max(l));
        if marked == 0 {
            self.threshold_hint = f64::NAN;
        }
        room -= marked;
        if room > 0 {
            self.pruned.clear();
            self.pruned
                .extend(standings.iter().filter_map(|&(s, i)| match s {
                    Standing::Pruned { progress, loss } => Some(((progress, loss), i)),
                    _ => None,
                }));
            mark_best(&mut self.pruned, room, is_below);
        }
        self.below.clear();
        self.above.clear();
        for &(_, i) in standings.iter() {
            if is_below[i] {
                self.below.push(i);
            } else {
                self.above.push(i);
            }
        }
    }

    /// The value of parameter `j` in row `i`.
    pub(super) fn value(&self, i: usize, j: usize) -> f64 {
        self.rows[i * self.width + j]
    }

    /// Gathers into `out` the values of the parameters at `params` (space positions) for
    /// the trials of `side` that have all of them, with their weights.
    pub(super) fn gather(
        &self,
        side: Side,
        params: &[usize],
        weights: Weights,
        out: &mut GroupObservations,
    ) {
        let trials = match side {
            Side::Below => &self.below,
            Side::Above => &self.above,
        };
        out.trials.clear();
        out.trials.extend(
            trials
                .iter()
                .copied()
                .filter(|&i| params.iter().all(|&j| !self.value(i, j).is_nan())),
        );
        out.columns.clear();
        for &j in params {
            out.columns
                .extend(out.trials.iter().map(|&i| self.value(i, j)));
        }
        out.weights.clear();
        weights.fill(out.trials.len(), &mut out.weights);
    }
}

impl History {
    /// [`gather`](Self::gather), represented by at most `max` observations (`max >= 2`):
    /// exactly `gather` while the side has at most `max` usable trials. Beyond that, the
    /// newest `max / 2` trials are kept as they are, with their weights, and the older
    /// ones are represented by `max - max / 2` of them chosen by systematic sampling
    /// over their cumulative weight (stratum `s` takes the trial where the cumulative
    /// weight crosses `(s + 1/2) W / strata`), each carrying its stratum's weight `W /
    /// strata` (a trial hit by several strata is one observation with their sum). The
    /// estimate of the density is unbiased and the choice deterministic, with no random
    /// draw: the same history gives the same representatives. Fitting and evaluating
    /// `g(x)` then cost O(`max`) instead of O(trials); only this pass over the trials'
    /// indices and weights stays linear.
    pub(super) fn gather_bounded(
        &self,
        side: Side,
        params: &[usize],
        weights: Weights,
        max: usize,
        out: &mut GroupObservations,
    ) {
        let trials = match side {
            Side::Below => &self.below,
            Side::Above => &self.above,
        };
        out.all_trials.clear();
        if params.len() == self.width {
            out.all_trials
                .extend(trials.iter().copied().filter(|&i| self.full_rows[i]));
        } else {
            out.all_trials.extend(
                trials
                    .iter()
                    .copied()
                    .filter(|&i| params.iter().all(|&j| !self.value(i, j).is_nan())),
            );
        }
        let m = out.all_trials.len();
        out.all_weights.clear();
        weights.fill(m, &mut out.all_weights);
        out.trials.clear();
        out.weights.clear();
        if m <= max {
            out.trials.extend_from_slice(&out.all_trials);
            out.weights.extend_from_slice(&out.all_weights);
        } else {
            let recent = max / 2;
            let split = m - recent;
            let strata = max - recent;
            let old_weight: f64 = out.all_weights[..split].iter().sum();
            let step = old_weight / strata as f64;
            let mut acc = 0.0;
            let mut s = 0;
            for (&i, &w) in out.all_trials[..split].iter().zip(&out.all_weights) {
                acc += w;
                while s < strata && (s as f64 + 0.5) * step < acc {
                    match (out.trials.last(), out.weights.last_mut()) {
                        (Some(&last), Some(weight)) if last == i => *weight += step,
                        _ => {
                            out.trials.push(i);
                            out.weights.push(step);
                        }
                    }
                    s += 1;
                }
            }
            out.trials.extend_from_slice(&out.all_trials[split..]);
            out.weights.extend_from_slice(&out.all_weights[split..]);
        }
        out.columns.clear();
        for &j in params {
            out.columns
                .extend(out.trials.iter().map(|&i| self.value(i, j)));
        }
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

/// Writes the trial's internal values in space order, merging its (name-sorted) params
/// with the space's sorted names instead of looking each one up.
fn decode_row(trial: &Trial, space: &SpaceModel<'_>, row: &mut [f64]) {
    row.fill(f64::NAN);
    let params = space.params();
    let mut wanted = space.by_name.iter().peekable();
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
                row[j] = space.models[j].internal(&params[j].domain, value);
                wanted.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{Domain, Params, SearchSpace};
    use crate::trial::{Outcome, TrialEvent};
    use chrono::Utc;

    fn trial(number: u64, x: f64, outcome: Option<Outcome>, steps: &[(u64, f64)]) -> Trial {
        let mut t = Trial::running(number, Params::new().with("x", x));
        for &(step, value) in steps {
            t.apply(&TrialEvent::Intermediate {
                number,
                step,
                value,
            })
            .unwrap();
        }
        if let Some(outcome) = outcome {
            t.apply(&TrialEvent::Finished {
                number,
                outcome,
                finished_at: Utc::now(),
            })
            .unwrap();
        }
        t
    }

    fn split(
        trials: &[Trial],
        gamma: Gamma,
        liar: bool,
        direction: Direction,
    ) -> (Vec<f64>, Vec<f64>, usize) {
        let space = SearchSpace::builder()
            .add("x", Domain::float(0.0, 100.0))
            .build()
            .unwrap();
        let mut h = History::default();
        let split = SplitRule {
            direction,
            gamma,
            constant_liar: liar,
        };
        h.rebuild(trials, &SpaceModel::new(&space), split);
        let xs = |rows: &[usize]| rows.iter().map(|&i| h.value(i, 0)).collect();
        (xs(&h.below), xs(&h.above), h.finished)
    }

    #[test]
    fn complete_trials_rank_first_then_pruned_by_progress() {
        use Outcome::*;
        let trials = vec![
            trial(0, 0.0, Some(Complete(5.0)), &[]),
            trial(1, 1.0, Some(Pruned), &[(3, 0.5), (9, 9.0)]), // reached step 9
            trial(2, 2.0, Some(Failed("boom".into())), &[]),
            trial(3, 3.0, Some(Complete(1.0)), &[]),
            trial(4, 4.0, None, &[]),                 // running
            trial(5, 5.0, Some(Pruned), &[(2, 0.1)]), // step 2 only
            trial(6, 6.0, Some(Pruned), &[(9, 4.0)]), // step 9, better value than #1
            trial(7, 7.0, Some(Pruned), &[]),         // nothing reported: last
        ];
        // Four slots: both complete trials, then the two that reached step 9.
        let four = Gamma::Linear {
            fraction: 1.0,
            max: 4,
        };
        let (below, above, finished) = split(&trials, four, true, Direction::Minimize);
        assert_eq!(finished, 6, "failed and running trials are not finished");
        assert_eq!(below, vec![0.0, 1.0, 3.0, 6.0]);
        assert_eq!(above, vec![4.0, 5.0, 7.0]);
        // Three slots: of the step-9 pair, #6 has the better value there.
        let three = Gamma::Linear {
            fraction: 1.0,
            max: 3,
        };
        let (below, above, _) = split(&trials, three, false, Direction::Minimize);
        assert_eq!(below, vec![0.0, 3.0, 6.0]);
        assert_eq!(above, vec![1.0, 5.0, 7.0]);
        // Six slots: the pruned trial with no report comes after the one at step 2.
        let (below, above, _) = split(
            &trials,
            Gamma::Linear {
                fraction: 1.0,
                max: 5,
            },
            false,
            Direction::Minimize,
        );
        assert_eq!(below, vec![0.0, 1.0, 3.0, 5.0, 6.0]);
        assert_eq!(above, vec![7.0]);
    }

    #[test]
    fn gamma_picks_the_best_and_liar_adds_running_to_above() {
        use Outcome::*;
        let trials = vec![
            trial(0, 10.0, Some(Complete(3.0)), &[]),
            trial(1, 11.0, Some(Complete(1.0)), &[]),
            trial(2, 12.0, None, &[]),
            trial(3, 13.0, Some(Complete(2.0)), &[]),
            trial(4, 14.0, Some(Failed("x".into())), &[]),
        ];
        let two = Gamma::Linear {
            fraction: 1.0,
            max: 2,
        };
        let (below, above, _) = split(&trials, two, true, Direction::Minimize);
        assert_eq!((below, above), (vec![11.0, 13.0], vec![10.0, 12.0]));
        let (below, above, _) = split(&trials, two, false, Direction::Minimize);
        assert_eq!((below, above), (vec![11.0, 13.0], vec![10.0]));
        // Maximizing flips the ranking.
        let (below, _, _) = split(&trials, two, false, Direction::Maximize);
        assert_eq!(below, vec![10.0, 13.0]);
    }

    fn history_of(n: u64) -> History {
        let space = SearchSpace::builder()
            .add("x", Domain::float(0.0, 100.0))
            .build()
            .unwrap();
        let trials: Vec<Trial> = (0..n)
            .map(|i| {
                let x = (i * 37 % 101) as f64;
                trial(i, x, Some(Outcome::Complete(x)), &[])
            })
            .collect();
        let mut h = History::default();
        let split = SplitRule {
            direction: Direction::Minimize,
            gamma: Gamma::OPTUNA,
            constant_liar: false,
        };
        h.rebuild(&trials, &SpaceModel::new(&space), split);
        h
    }

    #[test]
    fn bounded_gather_is_the_plain_one_while_it_fits() {
        let h = history_of(120);
        let (mut plain, mut bounded) = (GroupObservations::default(), GroupObservations::default());
        h.gather(Side::Above, &[0], Weights::OPTUNA, &mut plain);
        assert_eq!(plain.trials.len(), 108);
        for max in [108, 500] {
            h.gather_bounded(Side::Above, &[0], Weights::OPTUNA, max, &mut bounded);
            assert_eq!(bounded.trials, plain.trials);
            assert_eq!(bounded.columns, plain.columns);
            assert_eq!(bounded.weights, plain.weights);
        }
    }

    #[test]
    fn bounded_gather_keeps_the_newest_and_the_total_weight() {
        let h = history_of(3000);
        let (mut plain, mut bounded) = (GroupObservations::default(), GroupObservations::default());
        h.gather(Side::Above, &[0], Weights::OPTUNA, &mut plain);
        let m = plain.trials.len();
        assert_eq!(m, 2975);
        h.gather_bounded(Side::Above, &[0], Weights::OPTUNA, 64, &mut bounded);
        let k = bounded.trials.len();
        assert!(k <= 64 && k > 40, "{k}");
        // The newest 32 as they are.
        assert_eq!(bounded.trials[k - 32..], plain.trials[m - 32..]);
        assert_eq!(bounded.weights[k - 32..], plain.weights[m - 32..]);
        // The older ones: trial order, every one a real trial with its own value, and
        // together as heavy as all the older trials.
        let old = &bounded.trials[..k - 32];
        assert!(old.windows(2).all(|w| w[0] < w[1]));
        for (c, &i) in old.iter().enumerate() {
            assert_eq!(bounded.columns[c], h.value(i, 0));
        }
        let want: f64 = plain.weights[..m - 32].iter().sum();
        let got: f64 = bounded.weights[..k - 32].iter().sum();
        assert!((want - got).abs() < 1e-9 * want, "{want} vs {got}");
        // Each older representative stands for 1/32 of their weight (or a multiple).
        let share = want / 32.0;
        for w in &bounded.weights[..k - 32] {
            let strata = w / share;
            assert!(
                (strata - strata.round()).abs() < 1e-9 && strata >= 1.0,
                "{w}"
            );
        }
        // The ramp weighs old trials less: fewer representatives among the oldest half.
        let first_half = old
            .iter()
            .filter(|&&i| i < plain.trials[(m - 32) / 2])
            .count();
        assert!(first_half < old.len() / 2, "{first_half} of {}", old.len());
    }

    #[test]
    fn any_threshold_hint_picks_the_same_good_set() {
        let space = SearchSpace::builder()
            .add("x", Domain::float(0.0, 100.0))
            .build()
            .unwrap();
        let trials: Vec<Trial> = (0..400)
            .map(|i| {
                let x = (i * 37 % 101) as f64;
                // Ties: every value appears about four times.
                trial(i, x, Some(Outcome::Complete((x / 4.0).floor())), &[])
            })
            .collect();
        let split = SplitRule {
            direction: Direction::Minimize,
            gamma: Gamma::OPTUNA,
            constant_liar: false,
        };
        let model = SpaceModel::new(&space);
        let mut fresh = History::default();
        fresh.rebuild(&trials, &model, split);
        for hint in [f64::NAN, -1.0, 0.0, 3.0, 6.0, 1e9] {
            let mut h = History {
                threshold_hint: hint,
                ..History::default()
            };
            h.rebuild(&trials, &model, split);
            assert_eq!(h.below, fresh.below, "hint {hint}");
            assert_eq!(h.above, fresh.above, "hint {hint}");
        }
        assert_eq!(fresh.below.len(), 25);
    }
}
