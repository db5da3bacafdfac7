//! SVG plots via plotters' SVG backend (text is written as SVG `<text>`, so no system
//! fonts are needed).

use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::space::{Domain, Param, SearchSpace, Value};
use crate::trial::{Direction, Trial, TrialState};

const POINT: RGBColor = RGBColor(31, 119, 180);
const BEST: RGBColor = RGBColor(214, 39, 40);
const PRUNED: RGBColor = RGBColor(127, 127, 127);
const STOPPED: RGBColor = RGBColor(255, 127, 14);

/// Plots the objective value of every trial that has one (one point per trial, by trial
/// number) and the best value so far as a line.
pub fn write_history_svg(path: &Path, trials: &[Trial], direction: Direction) -> Result<()> {
    let points: Vec<(f64, f64)> = valued(trials).map(|(t, v)| (t.number as f64, v)).collect();
    let mut best_so_far = Vec::with_capacity(2 * points.len());
    let mut best: Option<f64> = None;
    for trial in trials.iter().filter(|t| t.state == TrialState::Complete) {
        let Some(value) = trial.value.filter(|v| v.is_finite()) else {
            continue;
        };
        let x = trial.number as f64;
        match best {
            Some(b) if !direction.better(value, b) => {}
            // Drawn as a staircase: hold the old best up to this trial, then step.
            Some(b) => {
                best_so_far.push((x, b));
                best_so_far.push((x, value));
                best = Some(value);
            }
            None => {
                best_so_far.push((x, value));
                best = Some(value);
            }
        }
    }
    // Extend the best line to the last trial.
    if let (Some(&(_, b)), Some(last)) = (best_so_far.last(), trials.last()) {
        best_so_far.push((last.number as f64, b));
    }
    let root = SVGBackend::new(path, (900, 500)).into_drawing_area();
    let drawn: DrawResult = (|| {
        root.fill(&WHITE)?;
        let x_max = trials.len().max(1) as f64;
        let (y_low, y_high) = padded(points.iter().map(|p| p.1));
        let mut chart = ChartBuilder::on(&root)
            .caption("Optimization history", ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..x_max - 0.5, y_low..y_high)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc("trial")
            .y_desc("objective value")
            .draw()?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, POINT.filled())))?
            .label("trial value")
            .legend(|(x, y)| Circle::new((x, y), 3, POINT.filled()));
        draw_best_and_legend(&mut chart, Some(&best_so_far), "best so far")
    })();
    drawn.map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))
}

/// Plots the objective value against each parameter, one panel per parameter: one point
/// per trial in which the parameter was active. Log-scale parameters are drawn against
/// `log10` of their value; categorical ones against their choices.
pub fn write_params_svg(path: &Path, space: &SearchSpace, trials: &[Trial]) -> Result<()> {
    let n = space.len().max(1);
    let columns = n.min(3);
    let rows = n.div_ceil(columns);
    let root =
        SVGBackend::new(path, (380 * columns as u32, 300 * rows as u32 + 40)).into_drawing_area();
    let drawn: DrawResult = (|| {
        root.fill(&WHITE)?;
        let body = root.titled("Objective value per parameter", ("sans-serif", 22))?;
        let panels = body.split_evenly((rows, columns));
        for (param, panel) in space.params().iter().zip(panels.iter()) {
            draw_param_panel(panel, param, trials)?;
        }
        Ok(())
    })();
    drawn.map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))
}

/// Plots the learning curves: the intermediate values of every complete and pruned
/// trial against the step, one line per trial (complete in blue, pruned in grey with an
/// orange dot where it was stopped) and the best complete trial in red on top. NaN and
/// infinite reports are left out; running and failed trials are not drawn.
pub fn write_intermediate_svg(path: &Path, trials: &[Trial], direction: Direction) -> Result<()> {
    let curves: Vec<(&Trial, Vec<(f64, f64)>)> = trials
        .iter()
        .filter(|t| matches!(t.state, TrialState::Complete | TrialState::Pruned))
        .map(|t| {
            let points = t
                .intermediate
                .iter()
                .filter(|(_, v)| v.is_finite())
                .map(|(&step, &v)| (step as f64, v))
                .collect::<Vec<_>>();
            (t, points)
        })
        .filter(|(_, points)| !points.is_empty())
        .collect();
    let best = curves
        .iter()
        .filter(|(t, _)| t.state == TrialState::Complete)
        .filter_map(|(t, points)| Some((t.value.filter(|v| v.is_finite())?, points)))
        .reduce(|a, b| if direction.better(b.0, a.0) { b } else { a })
        .map(|(_, points)| points);
    let pruned = curves
        .iter()
        .filter(|(t, _)| t.state == TrialState::Pruned)
        .count();
    let root = SVGBackend::new(path, (900, 500)).into_drawing_area();
    let drawn: DrawResult = (|| {
        root.fill(&WHITE)?;
        let x_max = curves
            .iter()
            .flat_map(|(_, points)| points.iter().map(|p| p.0))
            .fold(0.0, f64::max);
        let (y_low, y_high) = padded(curves.iter().flat_map(|(_, p)| p.iter().map(|p| p.1)));
        let mut chart = ChartBuilder::on(&root)
            .caption("Intermediate values", ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..x_max + 0.5, y_low..y_high)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc("step")
            .y_desc("reported value")
            .draw()?;
        let complete = curves
            .iter()
            .filter(|(t, _)| t.state == TrialState::Complete);
        chart
            .draw_series(complete.map(|(_, p)| PathElement::new(p.clone(), POINT.mix(0.5))))?
            .label("complete trial")
            .legend(|(x, y)| PathElement::new(vec![(x - 8, y), (x + 8, y)], POINT));
        if pruned > 0 {
            let stopped = curves.iter().filter(|(t, _)| t.state == TrialState::Pruned);
            chart
                .draw_series(
                    stopped
                        .clone()
                        .map(|(_, p)| PathElement::new(p.clone(), PRUNED.mix(0.6))),
                )?
                .label("pruned trial")
                .legend(|(x, y)| PathElement::new(vec![(x - 8, y), (x + 8, y)], PRUNED));
            chart
                .draw_series(
                    stopped.filter_map(|(_, p)| Some(Circle::new(*p.last()?, 3, STOPPED.filled()))),
                )?
                .label("where it was pruned")
                .legend(|(x, y)| Circle::new((x, y), 3, STOPPED.filled()));
        }
        draw_best_and_legend(&mut chart, best.map(Vec::as_slice), "best trial")
    })();
    drawn.map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))
}

type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// A chart with `f64` axes on the SVG backend, as every plot here draws.
type Chart<'a> = ChartContext<'a, SVGBackend<'a>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The last layers of the history and learning-curve plots: the best line in red (when
/// there is one) and the legend box, so both plots mark the best the same way.
fn draw_best_and_legend(
    chart: &mut Chart<'_>,
    best: Option<&[(f64, f64)]>,
    label: &str,
) -> DrawResult {
    if let Some(points) = best {
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                BEST.stroke_width(2),
            ))?
            .label(label)
            .legend(|(x, y)| PathElement::new(vec![(x - 8, y), (x + 8, y)], BEST));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

fn draw_param_panel(
    panel: &DrawingArea<SVGBackend<'_>, Shift>,
    param: &Param,
    trials: &[Trial],
) -> DrawResult {
    let axis = Axis::of(&param.domain);
    let points: Vec<(f64, f64)> = valued(trials)
        .filter_map(|(t, v)| Some((axis.position(t.params.value(&param.name)?)?, v)))
        .collect();
    let (y_low, y_high) = padded(points.iter().map(|p| p.1));
    let mut chart = ChartBuilder::on(panel)
        .caption(axis.title(&param.name), ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(55)
        .build_cartesian_2d(axis.low..axis.high, y_low..y_high)?;
    let labels = axis.labels.clone();
    let formatter = move |x: &f64| match &labels {
        Some(labels) if (x - x.round()).abs() < 1e-9 => {
            labels.get(x.round() as usize).cloned().unwrap_or_default()
        }
        Some(_) => String::new(),
        None => super::format_number(*x),
    };
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&formatter).x_labels(axis.ticks);
    mesh.draw()?;
    chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, POINT.filled())))?;
    Ok(())
}

/// How one parameter maps onto a panel's x axis.
struct Axis {
    low: f64,
    high: f64,
    log: bool,
    labels: Option<Vec<String>>,
    ticks: usize,
}

impl Axis {
    fn of(domain: &Domain) -> Self {
        match domain {
            Domain::Float { low, high, log, .. } => Axis::numeric(*low, *high, *log),
            Domain::Int { low, high, log, .. } => Axis::numeric(*low as f64, *high as f64, *log),
            Domain::Categorical { choices } => Axis {
                low: -0.5,
                high: choices.len() as f64 - 0.5,
                log: false,
                labels: Some(
                    choices
                        .iter()
                        .map(|c| match c {
                            Value::Str(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                ),
                ticks: choices.len(),
            },
        }
    }

    fn numeric(low: f64, high: f64, log: bool) -> Self {
        let (low, high) = if log {
            (low.log10(), high.log10())
        } else {
            (low, high)
        };
        let pad = (high - low) * 0.03;
        Axis {
            low: low - pad,
            high: high + pad,
            log,
            labels: None,
            ticks: 6,
        }
    }

    fn position(&self, value: &Value) -> Option<f64> {
        match &self.labels {
            Some(labels) => {
                let shown = match value {
                    Value::Str(s) => s.clone(),
                    other => other.to_string(),
                };
                labels.iter().position(|l| *l == shown).map(|i| i as f64)
            }
            None => value.as_f64().map(|x| if self.log { x.log10() } else { x }),
        }
    }

    fn title(&self, name: &str) -> String {
        if self.log {
            format!("{name} (log10)")
        } else {
            name.to_owned()
        }
    }
}

/// Trials with a finite value (complete and pruned ones).
fn valued(trials: &[Trial]) -> impl Iterator<Item = (&Trial, f64)> {
    trials
        .iter()
        .filter_map(|t| Some((t, t.value.filter(|v| v.is_finite())?)))
}

/// The range of `values` with 5% headroom; a unit range around a single value.
fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if high > low { (high - low) * 0.05 } else { 0.5 };
    (low - pad, high + pad)
}

fn plot_error(path: &Path, error: impl std::fmt::Display) -> Error {
    Error::io(
        format!("drawing {}", path.display()),
        std::io::Error::other(error.to_string()),
    )
}
