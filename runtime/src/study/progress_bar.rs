//! The optional terminal progress bar of `optimize`.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Budget;
use crate::callbacks::Progress;

/// A progress bar on stderr; draws nothing when stderr is not a terminal (a log file, a
/// CI job), so it is safe to leave on.
pub(super) struct Bar(ProgressBar);

impl Bar {
    pub(super) fn new(budget: &Budget) -> Bar {
        let target = ProgressDrawTarget::stderr();
        let bar = match budget.max_trials() {
            Some(trials) => {
                let bar = ProgressBar::with_draw_target(Some(trials as u64), target);
                bar.set_style(style(
                    "[{elapsed_precise}] {wide_bar} {pos}/{len} trials, ETA {eta} {msg}",
                ));
                bar
            }
            None => {
                let bar = ProgressBar::with_draw_target(None, target);
                bar.set_style(style(
                    "{spinner} [{elapsed_precise} {prefix}] {pos} trials {msg}",
                ));
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            }
        };
        if let Some(time) = budget.max_time() {
            bar.set_prefix(format!("of {}", humanize(time)));
        }
        Bar(bar)
    }

    pub(super) fn update(&self, progress: &Progress) {
        self.0.set_position(progress.finished as u64);
        self.0.set_message(message(progress));
    }

    /// Prints `note` above the bar; `false` when the bar is hidden (not a terminal) and
    /// the note must go elsewhere.
    pub(super) fn note(&self, note: &str) -> bool {
        if self.0.is_hidden() {
            return false;
        }
        self.0.println(note);
        true
    }

    /// A handle on the bar, for a trial's `suspend_progress`.
    pub(super) fn handle(&self) -> ProgressBar {
        self.0.clone()
    }

    pub(super) fn finish(&self) {
        self.0.abandon();
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are constants of this file; a bad one is a bug caught by the tests.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// `best 0.0123 (#17), 2 failed, 1 pruned`.
fn message(progress: &Progress) -> String {
    let mut parts = Vec::new();
    if let Some((number, value)) = progress.best {
        parts.push(format!("best {value:.6} (#{number})"));
    }
    if progress.failed > 0 {
        parts.push(format!("{} failed", progress.failed));
    }
    if progress.pruned > 0 {
        parts.push(format!("{} pruned", progress.pruned));
    }
    parts.join(", ")
}

fn humanize(time: Duration) -> String {
    format!("{:.0}s", time.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trial::Direction;

    #[test]
    fn templates_parse_and_messages_read_well() {
        for template in [
            "[{elapsed_precise}] {wide_bar} {pos}/{len} trials, ETA {eta} {msg}",
            "{spinner} [{elapsed_precise} {prefix}] {pos} trials {msg}",
        ] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
        let mut progress = Progress::new(Direction::Minimize, Some((17, 0.012_3)));
        assert_eq!(message(&progress), "best 0.012300 (#17)");
        progress.failed = 2;
        progress.pruned = 1;
        assert_eq!(
            message(&progress),
            "best 0.012300 (#17), 2 failed, 1 pruned"
        );
    }
}
