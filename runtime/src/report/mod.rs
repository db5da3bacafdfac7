//! After a sweep: the top trials as a text table, and SVG plots of the search.
//!
//! [`Study::write_report`](crate::Study::write_report) writes everything at once into a
//! folder: `trials.csv`, `trials.jsonl`, `history.svg` (value per trial and best so far)
//! and `params.svg` (value against each parameter, one panel per parameter).

#[cfg(feature = "plots")]
mod plots;
mod summary;

#[cfg(feature = "plots")]
pub use plots::{write_history_svg, write_params_svg};
pub use summary::summary_table;

use std::path::{Path, PathBuf};

use crate::{Error, Result, Space, Study};

/// Short, readable numbers: 4 significant digits, scientific when very small or large.
pub(crate) fn format_number(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e5) {
        format!("{x:.3e}")
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// The files [`Study::write_report`] wrote.
#[derive(Debug, Clone)]
pub struct ReportFiles {
    /// Every trial as CSV.
    pub csv: PathBuf,
    /// Every trial as JSON lines.
    pub jsonl: PathBuf,
    /// Optimization history plot (with the `plots` feature).
    pub history_svg: Option<PathBuf>,
    /// Value-per-parameter plots (with the `plots` feature).
    pub params_svg: Option<PathBuf>,
}

impl<S: Space> Study<S> {
    /// The `top` best complete trials as a plain-text table (rank, trial, value, params).
    pub fn summary(&self, top: usize) -> Result<String> {
        Ok(summary_table(
            &self.trials()?,
            self.space(),
            self.direction(),
            top,
        ))
    }

    /// Writes the trials (CSV, JSON lines) and, with the `plots` feature, the history and
    /// per-parameter SVG plots into `dir` (created if missing).
    pub fn write_report(&self, dir: impl AsRef<Path>) -> Result<ReportFiles> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating report folder {}", dir.display()), e))?;
        let csv = dir.join("trials.csv");
        let jsonl = dir.join("trials.jsonl");
        self.write_csv(&csv)?;
        self.write_jsonl(&jsonl)?;
        #[cfg(feature = "plots")]
        let (history_svg, params_svg) = {
            let trials = self.trials()?;
            let history = dir.join("history.svg");
            let params = dir.join("params.svg");
            write_history_svg(&history, &trials, self.direction())?;
            write_params_svg(&params, self.space(), &trials)?;
            (Some(history), Some(params))
        };
        #[cfg(not(feature = "plots"))]
        let (history_svg, params_svg) = (None, None);
        Ok(ReportFiles {
            csv,
            jsonl,
            history_svg,
            params_svg,
        })
    }
}
