//! Trials as JSON lines and CSV, for notebooks, spreadsheets and other tools.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::space::{SearchSpace, Value};
use crate::trial::Trial;

/// Writes each trial as one JSON object per line.
pub fn write_jsonl(out: impl Write, trials: &[Trial]) -> Result<()> {
    let mut out = BufWriter::new(out);
    for trial in trials {
        serde_json::to_writer(&mut out, trial)
            .map_err(|e| Error::json(format!("writing trial {}", trial.number), e))?;
        out.write_all(b"\n")
            .map_err(|e| Error::io("writing trials as JSON lines", e))?;
    }
    out.flush()
        .map_err(|e| Error::io("writing trials as JSON lines", e))
}

/// Writes trials as CSV: `number, state, value, started_at, finished_at, duration_s`, one
/// column per parameter of `space` (empty where inactive), one `attr.<key>` column per user
/// attribute (JSON-encoded), `intermediate` (a JSON object step -> value) and `failure`.
pub fn write_csv(out: impl Write, space: &SearchSpace, trials: &[Trial]) -> Result<()> {
    let attr_keys: BTreeSet<&str> = trials
        .iter()
        .flat_map(|t| t.user_attrs.keys().map(String::as_str))
        .collect();
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<String> = [
        "number",
        "state",
        "value",
        "started_at",
        "finished_at",
        "duration_s",
    ]
    .map(String::from)
    .to_vec();
    header.extend(space.params().iter().map(|p| p.name.clone()));
    header.extend(attr_keys.iter().map(|k| format!("attr.{k}")));
    header.extend(["intermediate".into(), "failure".into()]);
    writer.write_record(&header).map_err(csv_error)?;
    for trial in trials {
        let mut row = vec![
            trial.number.to_string(),
            trial.state.to_string(),
            trial.value.map(|v| v.to_string()).unwrap_or_default(),
            trial.started_at.to_rfc3339(),
            trial
                .finished_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            trial
                .duration()
                .map(|d| d.as_secs_f64().to_string())
                .unwrap_or_default(),
        ];
        row.extend(
            space
                .params()
                .iter()
                .map(|p| match trial.params.value(&p.name) {
                    None => String::new(),
                    Some(Value::Str(s)) => s.clone(),
                    Some(value) => value.to_string(),
                }),
        );
        row.extend(attr_keys.iter().map(|k| {
            trial
                .user_attrs
                .get(*k)
                .map(|v| v.to_string())
                .unwrap_or_default()
        }));
        row.push(if trial.intermediate.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&trial.intermediate).unwrap_or_default()
        });
        row.push(trial.failure.clone().unwrap_or_default());
        writer.write_record(&row).map_err(csv_error)?;
    }
    writer
        .flush()
        .map_err(|e| Error::io("writing trials as CSV", e))
}

pub(crate) fn write_jsonl_file(path: &Path, trials: &[Trial]) -> Result<()> {
    write_jsonl(create(path)?, trials)
}

pub(crate) fn write_csv_file(path: &Path, space: &SearchSpace, trials: &[Trial]) -> Result<()> {
    write_csv(create(path)?, space, trials)
}

fn create(path: &Path) -> Result<File> {
    File::create(path).map_err(|e| Error::io(format!("creating {}", path.display()), e))
}

fn csv_error(e: csv::Error) -> Error {
    Error::io("writing trials as CSV", std::io::Error::other(e))
}
