//! The top trials as a plain-text table for the terminal.

use std::fmt::Write;

use super::format_number;
use crate::space::{SearchSpace, Value};
use crate::trial::{Direction, Trial, TrialState};

/// The `top` best complete trials, best first, as an aligned text table with one column
/// per parameter (`-` where inactive).
///
/// ```text
/// rank  trial  value     lr        optimizer
/// 1     12     0.031     0.00211   "adam"
/// ```
pub fn summary_table(
    trials: &[Trial],
    space: &SearchSpace,
    direction: Direction,
    top: usize,
) -> String {
    let mut complete: Vec<&Trial> = trials
        .iter()
        .filter(|t| t.state == TrialState::Complete && t.value.is_some())
        .collect();
    complete.sort_by(|a, b| {
        let (a, b) = (a.value.unwrap_or(f64::NAN), b.value.unwrap_or(f64::NAN));
        direction.to_loss(a).total_cmp(&direction.to_loss(b))
    });
    let mut rows = vec![["rank", "trial", "value"]
        .iter()
        .map(|s| (*s).to_owned())
        .chain(space.params().iter().map(|p| p.name.clone()))
        .collect::<Vec<String>>()];
    for (rank, trial) in complete.iter().take(top).enumerate() {
        let mut row = vec![
            (rank + 1).to_string(),
            trial.number.to_string(),
            format_number(trial.value.unwrap_or(f64::NAN)),
        ];
        row.extend(
            space
                .params()
                .iter()
                .map(|p| match trial.params.value(&p.name) {
                    None => "-".to_owned(),
                    Some(Value::Float(x)) => format_number(*x),
                    Some(value) => value.to_string(),
                }),
        );
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let line = row
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell:<w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{Domain, Params};
    use crate::trial::{Outcome, TrialEvent};

    fn finished(number: u64, x: f64, value: Option<f64>) -> Trial {
        let mut t = Trial::running(number, Params::new().with("x", x).with("k", "a"));
        let outcome = value.map_or(Outcome::Failed("bad".into()), Outcome::Complete);
        t.apply(&TrialEvent::Finished {
            number,
            outcome,
            finished_at: chrono::Utc::now(),
        })
        .unwrap();
        t
    }

    #[test]
    fn lists_best_complete_trials_first() {
        let space = SearchSpace::builder()
            .add("x", Domain::float(0.0, 10.0))
            .add("k", Domain::categorical(["a"]))
            .add_when("m", Domain::int(1, 2), "k", ["a"])
            .build()
            .unwrap();
        let trials = vec![
            finished(0, 1.5, Some(3.0)),
            finished(1, 2.0, None),
            finished(2, 0.00001, Some(0.5)),
            finished(3, 7.0, Some(9.0)),
        ];
        let table = summary_table(&trials, &space, Direction::Minimize, 2);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "rank  trial  value  x         k    m");
        assert_eq!(lines[1], "1     2      0.5    1.000e-5  \"a\"  -");
        assert_eq!(lines[2], "2     0      3      1.5       \"a\"  -");
        let table = summary_table(&trials, &space, Direction::Maximize, 1);
        assert!(table.lines().nth(1).unwrap().starts_with("1     3      9"));
    }
}
