//! A study's trials, written out: the report module applied to this study's history.

use std::path::Path;

use super::Study;
use crate::error::Result;
use crate::report::{self, ReportFiles};
use crate::space::Space;

impl<S: Space> Study<S> {
    /// The `top` best complete trials as a plain-text table (rank, trial, value, params).
    ///
    /// ```
    /// use tunekit::prelude::*;
    ///
    /// #[tunable]
    /// #[derive(Debug, Clone)]
    /// struct Net {
    ///     #[tune(1..=8)]
    ///     layers: u32,
    /// }
    ///
    /// let study = Study::minimize(space!(Net)).sampler(Grid::new()).build()?;
    /// study.optimize(8, |n: &Net| f64::from(n.layers))?;
    /// let table = study.summary(2)?;
    /// println!("{table}");
    /// let mut lines = table.lines();
    /// assert!(lines.next().unwrap().starts_with("rank  trial  value  layers"));
    /// assert!(lines.next().unwrap().starts_with("1     0      1      1"));
    /// # Ok::<(), tunekit::Error>(())
    /// ```
    pub fn summary(&self, top: usize) -> Result<String> {
        Ok(report::summary_table(
            &self.trials()?,
            self.space(),
            self.direction(),
            top,
        ))
    }

    /// Writes the trials (CSV, JSON lines) and, with the `plots` feature, the history and
    /// per-parameter SVG plots into `dir` (created if missing).
    pub fn write_report(&self, dir: impl AsRef<Path>) -> Result<ReportFiles> {
        report::write_report(
            dir.as_ref(),
            self.space(),
            self.direction(),
            &self.trials()?,
        )
    }

    /// Writes every trial as one JSON object per line.
    pub fn write_jsonl(&self, path: impl AsRef<Path>) -> Result<()> {
        report::write_jsonl_file(path.as_ref(), &self.trials()?)
    }

    /// Writes every trial as a CSV row: number, state, value, timings, one column per
    /// parameter, one per user attribute, the intermediate values (JSON) and the failure.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        report::write_csv_file(path.as_ref(), self.space(), &self.trials()?)
    }
}
