//! What several pruners read from a trial's reports: its last step, whether a step opens
//! a pruning interval, its best value, and the study's best trial.

use crate::trial::{Direction, Trial, TrialState};

/// The trial's last reported step (the largest) and its value.
pub(crate) fn last_report(trial: &Trial) -> Option<(u64, f64)> {
    trial
        .intermediate
        .last_key_value()
        .map(|(&step, &value)| (step, value))
}

/// Whether `step` is the first report of its pruning interval: intervals of
/// `interval_steps` steps start at `warmup_steps`, and a trial is judged once per interval,
/// at the first step it reports in it (Optuna's `_is_first_in_interval_step`). `step` must
/// be `>= warmup_steps` and `interval_steps >= 1`.
pub(crate) fn first_in_interval(
    trial: &Trial,
    step: u64,
    warmup_steps: u64,
    interval_steps: u64,
) -> bool {
    let interval_steps = interval_steps.max(1);
    let interval_start = (step - warmup_steps) / interval_steps * interval_steps + warmup_steps;
    // The largest step reported before this one (steps are kept sorted).
    match trial.intermediate.range(..step).next_back() {
        Some((&previous, _)) => previous < interval_start,
        None => true,
    }
}

/// The best of `values` for `direction`, ignoring NaN (numpy's `nanmin`/`nanmax`); NaN
/// when every value is NaN or there are none.
pub(crate) fn nan_best(values: impl IntoIterator<Item = f64>, direction: Direction) -> f64 {
    values
        .into_iter()
        .filter(|v| !v.is_nan())
        .reduce(|a, b| if direction.better(b, a) { b } else { a })
        .unwrap_or(f64::NAN)
}

/// The best complete trial (the earlier one on ties), as `Study::best` picks it.
pub(crate) fn best_complete(trials: &[Trial], direction: Direction) -> Option<&Trial> {
    trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .filter(|t| t.value.is_some_and(|v| !v.is_nan()))
        .reduce(|best, t| match (t.value, best.value) {
            (Some(v), Some(b)) if direction.better(v, b) => t,
            _ => best,
        })
}

/// The complete trial that finished first and reported a step (ties by number): the
/// trial Optuna's automatic `min_resource`/`max_resource` read, computed from the history
/// alone so that every worker and process agrees on it.
pub(crate) fn first_finished_with_steps(trials: &[Trial]) -> Option<&Trial> {
    trials
        .iter()
        .filter(|t| t.state == TrialState::Complete && !t.intermediate.is_empty())
        .min_by_key(|t| (t.finished_at, t.number))
}

#[cfg(test)]
pub(crate) mod testing {
    //! Trials with given reports, for the pruners' unit tests.

    use chrono::{TimeZone, Utc};

    use crate::space::Params;
    use crate::trial::{Outcome, Trial, TrialEvent};

    /// A running trial that reported `(step, value)` in this order.
    pub(crate) fn running(number: u64, reports: &[(u64, f64)]) -> Trial {
        let mut t = Trial::running(number, Params::new());
        for &(step, value) in reports {
            t.apply(&TrialEvent::Intermediate {
                number,
                step,
                value,
            })
            .unwrap();
        }
        t
    }

    /// A running trial that reported `curve[i]` at step `i`.
    pub(crate) fn curve(number: u64, curve: &[f64]) -> Trial {
        let reports: Vec<(u64, f64)> = (0..).zip(curve.iter().copied()).collect();
        running(number, &reports)
    }

    /// `trial`, finished with `outcome` at second `number` of a fixed day (so finish order
    /// is trial order).
    pub(crate) fn finish(mut trial: Trial, outcome: Outcome) -> Trial {
        let number = trial.number;
        trial
            .apply(&TrialEvent::Finished {
                number,
                outcome,
                finished_at: Utc.timestamp_opt(1_800_000_000 + number as i64, 0).unwrap(),
            })
            .unwrap();
        trial
    }

    /// A trial that reported `curve` and completed with its last value.
    pub(crate) fn complete(number: u64, values: &[f64]) -> Trial {
        let last = *values.last().unwrap();
        finish(curve(number, values), Outcome::Complete(last))
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn interval_starts_follow_optuna() {
        // Warm-up 2, interval 3: intervals start at 2, 5, 8, ...
        let t = running(0, &[(0, 1.0), (3, 1.0), (4, 1.0)]);
        assert!(!first_in_interval(&t, 4, 2, 3), "3 already opened [2, 5)");
        let t = running(0, &[(0, 1.0), (3, 1.0), (5, 1.0)]);
        assert!(first_in_interval(&t, 5, 2, 3));
        let t = running(0, &[(1, 1.0), (7, 1.0)]);
        assert!(first_in_interval(&t, 7, 2, 3), "a skipped interval start");
        let t = running(0, &[(6, 1.0)]);
        assert!(first_in_interval(&t, 6, 0, 1));
    }

    #[test]
    fn best_values_ignore_nan() {
        assert_eq!(nan_best([3.0, f64::NAN, 1.0], Direction::Minimize), 1.0);
        assert_eq!(nan_best([3.0, f64::NAN, 1.0], Direction::Maximize), 3.0);
        assert!(nan_best([f64::NAN], Direction::Minimize).is_nan());
        let trials = [
            complete(0, &[2.0]),
            complete(1, &[1.0]),
            complete(2, &[1.0]),
        ];
        assert_eq!(
            best_complete(&trials, Direction::Minimize).unwrap().number,
            1
        );
        assert_eq!(
            best_complete(&trials, Direction::Maximize).unwrap().number,
            0
        );
    }
}
