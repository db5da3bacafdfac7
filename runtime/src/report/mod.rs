//! After a sweep: the trials as CSV and JSON lines, the top trials as a text table, and
//! SVG plots of the search.
//!
//! [`write_report`] (or [`Study::write_report`](crate::study::Study::write_report)) writes
//! everything at once into a folder: `trials.csv`, `trials.jsonl`, `history.svg` (value
//! per trial and best so far), `params.svg` (value against each parameter, one panel
//! per parameter) and, when trials reported steps, `intermediate.svg` (learning curves,
//! pruned trials marked where they stopped). The functions take plain trials, so they work on any storage's
//! history, a study's or one read back from a file.
//!
//! ```
//! use tunekit::prelude::*;
//! use tunekit::report;
//!
//! #[tunable]
//! #[derive(Debug, Clone)]
//! struct Train {
//!     #[tune(1e-5..=1e-1, log)]
//!     lr: f64,
//!     #[tune(choice("adam", "sgd"))]
//!     optimizer: String,
//! }
//!
//! let study = Study::minimize(space!(Train)).seed(4).build()?;
//! study.optimize(10, |c: &Train| (c.lr.log10() + 3.0).abs())?;
//! println!("{}", study.summary(3)?); // rank, trial, value, lr, optimizer
//! # let dir = tempfile::tempdir()?;
//! let files = study.write_report(dir.path().join("report"))?;
//! assert!(files.csv.exists() && files.jsonl.exists()); // and history.svg, params.svg
//!
//! // The same functions over plain trials, from any storage:
//! let trials = study.trials()?;
//! let mut csv = Vec::new();
//! report::write_csv(&mut csv, study.space(), &trials)?;
//! assert_eq!(String::from_utf8(csv)?.lines().count(), 11); // a header, then one row per trial
//! let table = report::summary_table(&trials, study.space(), study.direction(), 3);
//! assert_eq!(table.lines().count(), 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod export;
#[cfg(feature = "plots")]
mod plots;
mod summary;

pub use export::{write_csv, write_jsonl};
pub(crate) use export::{write_csv_file, write_jsonl_file};
#[cfg(feature = "plots")]
pub use plots::{write_history_svg, write_intermediate_svg, write_params_svg};
pub use summary::summary_table;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::space::SearchSpace;
use crate::trial::{Direction, Trial};

/// Short, readable numbers: 4 significant digits, scientific when very small or large.
pub(crate) fn format_number(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e5) {
        format!("{x:.3e}")
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// The files [`write_report`] wrote.
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
    /// Learning curves (with the `plots` feature, when a trial reported a step).
    pub intermediate_svg: Option<PathBuf>,
}

/// Writes the trials (CSV, JSON lines) and, with the `plots` feature, the history and
/// per-parameter SVG plots, and the learning curves when trials reported steps, into
/// `dir` (created if missing).
/// [`Study::write_report`](crate::study::Study::write_report) calls it with the study's trials.
pub fn write_report(
    dir: &Path,
    space: &SearchSpace,
    direction: Direction,
    trials: &[Trial],
) -> Result<ReportFiles> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating report folder {}", dir.display()), e))?;
    let csv = dir.join("trials.csv");
    let jsonl = dir.join("trials.jsonl");
    write_csv_file(&csv, space, trials)?;
    write_jsonl_file(&jsonl, trials)?;
    #[cfg(feature = "plots")]
    let (history_svg, params_svg, intermediate_svg) = {
        let history = dir.join("history.svg");
        let params = dir.join("params.svg");
        write_history_svg(&history, trials, direction)?;
        write_params_svg(&params, space, trials)?;
        let curves = dir.join("intermediate.svg");
        let reported = trials.iter().any(|t| !t.intermediate.is_empty());
        if reported {
            write_intermediate_svg(&curves, trials, direction)?;
        }
        (Some(history), Some(params), reported.then_some(curves))
    };
    #[cfg(not(feature = "plots"))]
    let (history_svg, params_svg, intermediate_svg) = {
        let _ = direction;
        (None, None, None)
    };
    Ok(ReportFiles {
        csv,
        jsonl,
        history_svg,
        params_svg,
        intermediate_svg,
    })
}
