//! Multi-fidelity sweeps of the MLP: epochs are the resource. The folds of a
//! cross-validation are trained in lockstep, one epoch at a time, so the mean validation
//! accuracy after each epoch is reported as a step and a pruner (ASHA, Hyperband) can stop
//! a hopeless config after a few epochs; and a comparison of TPE with and without pruning
//! at equal wall-clock budgets (`mlp_hyperband --compare`).

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::mpsc;

use plotters::prelude::*;
use tunekit::cv::{Fold, KFold};
use tunekit::prelude::*;
use tunekit::pruners::{Nop, Pruner};
use tunekit::{BoxError, Trial};

use crate::digits::{self, Classification};
use crate::mlp;
use crate::mlp_space::MlpHyperparams;

/// Which pruner the sweep runs TPE with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pruning {
    /// Every trial trains all its epochs.
    Off,
    /// Asynchronous successive halving: rungs at epochs 1, 3, 9, 27.
    Asha,
    /// Hyperband over up to the sweep's epochs, reduction factor 3.
    Hyperband,
}

impl Pruning {
    /// The three, in the order the comparison runs them.
    pub const ALL: [Pruning; 3] = [Pruning::Off, Pruning::Asha, Pruning::Hyperband];

    /// A short name for tables and plots.
    pub fn label(self) -> &'static str {
        match self {
            Pruning::Off => "TPE",
            Pruning::Asha => "TPE + ASHA",
            Pruning::Hyperband => "TPE + Hyperband",
        }
    }

    fn pruner(self, epochs: usize) -> Box<dyn Pruner> {
        match self {
            Pruning::Off => Box::new(Nop),
            Pruning::Asha => Box::new(SuccessiveHalving::new().min_resource(1).reduction_factor(3)),
            Pruning::Hyperband => Box::new(Hyperband::new().max_resource(epochs as u64)),
        }
    }
}

/// The data a sweep is scored on: the training split, its stratified folds, and the
/// held-out test split.
#[derive(Debug)]
pub struct Data {
    /// What the folds split.
    pub train: Classification,
    /// The held-out fifth.
    pub test: Classification,
    /// 3 stratified folds of `train`.
    pub folds: Vec<Fold>,
}

impl Data {
    /// The digits, split with `seed` (also the folds' shuffle).
    pub fn load(seed: u64) -> Result<Data, BoxError> {
        let (train, test) = digits::train_test_split(&digits::load()?, seed)?;
        let folds = KFold::new(3).shuffle(seed).split_stratified(&train.y)?;
        Ok(Data { train, test, folds })
    }
}

/// What one fold's trainer says after an epoch.
struct EpochDone {
    fold: usize,
    accuracy: Result<f64, String>,
}

/// Trains `cfg` on every fold in lockstep, one epoch of one fold at a time (so it uses
/// the CPU as training the folds one after the other would), reports the folds' mean
/// validation accuracy after each epoch as step `epoch` (1-based), and returns the mean
/// after the last epoch. A pruned error from `report` stops every fold's training and is
/// returned, so the trial ends as pruned.
pub fn lockstep_cv(
    cfg: &mlp::MlpConfig,
    data: &Data,
    seed: u64,
    trial: &mut TrialContext,
) -> Result<f64, BoxError> {
    let folds = &data.folds;
    let (done_tx, done_rx) = mpsc::channel::<EpochDone>();
    std::thread::scope(|scope| -> Result<f64, BoxError> {
        let mut go: Vec<mpsc::Sender<bool>> = Vec::with_capacity(folds.len());
        for (index, fold) in folds.iter().enumerate() {
            let (go_tx, go_rx) = mpsc::channel::<bool>();
            go.push(go_tx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let (fit, valid) = match (
                    data.train.select(&fold.train),
                    data.train.select(&fold.valid),
                ) {
                    (Ok(fit), Ok(valid)) => (fit, valid),
                    (Err(e), _) | (_, Err(e)) => {
                        let _ = done_tx.send(EpochDone {
                            fold: index,
                            accuracy: Err(e.to_string()),
                        });
                        return;
                    }
                };
                // Wait for the first epoch's turn.
                if go_rx.recv() != Ok(true) {
                    return;
                }
                let trained = mlp::train_mlp_with(cfg, &fit.x, &fit.y, seed, |_, model| {
                    let accuracy =
                        mlp::accuracy(model, &valid.x, &valid.y).map_err(|e| e.to_string());
                    if done_tx
                        .send(EpochDone {
                            fold: index,
                            accuracy,
                        })
                        .is_err()
                    {
                        return ControlFlow::Break(());
                    }
                    match go_rx.recv() {
                        Ok(true) => ControlFlow::Continue(()),
                        _ => ControlFlow::Break(()),
                    }
                });
                if let Err(e) = trained {
                    let _ = done_tx.send(EpochDone {
                        fold: index,
                        accuracy: Err(e.to_string()),
                    });
                }
            });
        }
        drop(done_tx);
        let stop_all = |go: &[mpsc::Sender<bool>]| {
            for tx in go {
                let _ = tx.send(false);
            }
        };
        let mut mean = f64::NAN;
        for epoch in 1..=cfg.epochs {
            let mut sum = 0.0;
            for (index, tx) in go.iter().enumerate() {
                // A closed channel means the fold's thread already stopped: its error
                // arrives below.
                let _ = tx.send(true);
                // Only this fold trains now; another fold's message can only be an error
                // from before its first epoch, which stops the trial just the same.
                let done = done_rx
                    .recv()
                    .map_err(|_| format!("fold {index}'s trainer stopped"))?;
                match done.accuracy {
                    Ok(accuracy) => sum += accuracy,
                    Err(error) => {
                        stop_all(&go);
                        return Err(format!("fold {}: {error}", done.fold).into());
                    }
                }
            }
            mean = sum / folds.len() as f64;
            if let Err(pruned) = trial.report(epoch as u64, mean) {
                stop_all(&go);
                return Err(pruned.into());
            }
        }
        stop_all(&go);
        Ok(mean)
    })
}

/// One sweep: what it found and how fast.
#[derive(Debug, Clone)]
pub struct Run {
    /// The pruner used.
    pub pruning: Pruning,
    /// The seed of the sampler and of the training.
    pub seed: u64,
    /// Trials started.
    pub trials: usize,
    /// Trials pruned.
    pub pruned: usize,
    /// Epochs trained, summed over trials (each epoch on every fold).
    pub epochs: usize,
    /// After each complete trial that improved: seconds since the sweep started, and
    /// the best mean CV accuracy so far.
    pub trajectory: Vec<(f64, f64)>,
    /// The same against the epochs trained so far (by every trial finished by then): a
    /// cost that does not depend on how loaded the machine is.
    pub epoch_trajectory: Vec<(usize, f64)>,
    /// The best config and its mean CV accuracy.
    pub best: Option<(MlpHyperparams, f64)>,
}

impl Run {
    /// The best mean CV accuracy reached within `seconds` (0 if none).
    pub fn best_at(&self, seconds: f64) -> f64 {
        self.trajectory
            .iter()
            .take_while(|(t, _)| *t <= seconds)
            .map(|&(_, best)| best)
            .fold(0.0, f64::max)
    }

    /// Prints what the sweep found, the way `mlp_asha` and `mlp_hyperband` show it.
    pub fn print(&self, epochs: usize, test_accuracy: f64, report_dir: &Path) {
        println!(
            "== {}: {} trials, {} pruned, {} epochs trained (of {} without pruning)",
            self.pruning.label(),
            self.trials,
            self.pruned,
            self.epochs,
            self.trials * epochs
        );
        if let Some((best, accuracy)) = &self.best {
            println!("best hyperparameters: {best:#?}");
            println!("best 3-fold CV accuracy: {accuracy:.4}");
        }
        println!(
            "test accuracy of the best config retrained on the training split: {test_accuracy:.4}"
        );
        println!(
            "report (trials.csv, history.svg, intermediate.svg, ...) in {}",
            report_dir.display()
        );
    }

    /// The epochs trained when the sweep first reached `accuracy`, if it did.
    pub fn epochs_to(&self, accuracy: f64) -> Option<usize> {
        self.epoch_trajectory
            .iter()
            .find(|&&(_, best)| best >= accuracy)
            .map(|&(e, _)| e)
    }

    /// The first time the sweep reached `accuracy`, if it did.
    pub fn time_to(&self, accuracy: f64) -> Option<f64> {
        self.trajectory
            .iter()
            .find(|&&(_, best)| best >= accuracy)
            .map(|&(t, _)| t)
    }
}

/// TPE over the MLP's space with `epochs` pinned, scored by [`lockstep_cv`], under
/// `pruning`, for `budget` (wall time, or trials in tests); writes the study's report
/// into `report_dir`.
pub fn sweep(
    pruning: Pruning,
    seed: u64,
    budget: impl Into<Budget>,
    epochs: usize,
    data: &Data,
    report_dir: Option<&Path>,
) -> Result<Run, BoxError> {
    let study = Study::maximize(space!(MlpHyperparams { epochs: epochs }))
        .sampler(Tpe::default())
        .pruner(pruning.pruner(epochs))
        .seed(seed)
        .build()?;
    let objective = |hp: &MlpHyperparams, trial: &mut TrialContext| -> Result<f64, BoxError> {
        let cfg = mlp::MlpConfig {
            epochs,
            ..hp.to_config()
        };
        lockstep_cv(&cfg, data, seed, trial)
    };
    study.optimize(budget, objective)?;
    if let Some(dir) = report_dir {
        study.write_report(dir)?;
    }
    let trials = study.trials()?;
    Ok(Run {
        pruning,
        seed,
        trials: trials.len(),
        pruned: trials
            .iter()
            .filter(|t| t.state == TrialState::Pruned)
            .count(),
        epochs: trials.iter().map(|t| t.intermediate.len()).sum(),
        trajectory: trajectory(&trials),
        epoch_trajectory: epoch_trajectory(&trials),
        best: study.best().map(|best| (best.config, best.value)),
    })
}

/// Seconds since the first trial started, and the best value so far, after each complete
/// trial that improved on it (in the order they finished).
fn trajectory(trials: &[Trial]) -> Vec<(f64, f64)> {
    let Some(start) = trials.iter().map(|t| t.started_at).min() else {
        return Vec::new();
    };
    let mut done: Vec<(f64, f64)> = trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .filter_map(|t| {
            let end = t.finished_at?;
            Some(((end - start).num_milliseconds() as f64 / 1000.0, t.value?))
        })
        .collect();
    done.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best = f64::NEG_INFINITY;
    done.into_iter()
        .filter(|&(_, value)| {
            let improved = value > best;
            best = best.max(value);
            improved
        })
        .collect()
}

/// Epochs trained by every trial finished so far, and the best value so far, after each
/// complete trial that improved on it (in the order trials finished).
fn epoch_trajectory(trials: &[Trial]) -> Vec<(usize, f64)> {
    let mut finished: Vec<&Trial> = trials.iter().filter(|t| t.finished_at.is_some()).collect();
    finished.sort_by_key(|t| (t.finished_at, t.number));
    let (mut epochs, mut best) = (0, f64::NEG_INFINITY);
    let mut out = Vec::new();
    for t in finished {
        epochs += t.intermediate.len();
        if let Some(value) = t.value.filter(|_| t.state == TrialState::Complete) {
            if value > best {
                best = value;
                out.push((epochs, value));
            }
        }
    }
    out
}

/// The median of `values` (the mean of the middle two for an even count); NaN if empty.
pub fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Draws, for each pruning mode, the median over seeds of the best CV accuracy so far
/// against wall time (thin lines: each seed).
pub fn write_accuracy_vs_time_svg(path: &Path, runs: &[Run], budget: f64) -> Result<(), BoxError> {
    let colors = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
    ];
    let grid: Vec<f64> = (0..=200).map(|i| budget * f64::from(i) / 200.0).collect();
    let low = runs
        .iter()
        .flat_map(|r| r.trajectory.iter().map(|p| p.1))
        .fold(1.0, f64::min)
        .max(0.9);
    let root = SVGBackend::new(path, (900, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "MLP on the digits: best 3-fold CV accuracy vs wall time (median over seeds)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..budget, low..1.0)?;
    chart
        .configure_mesh()
        .x_desc("seconds")
        .y_desc("best CV accuracy so far")
        .draw()?;
    for (pruning, color) in Pruning::ALL.into_iter().zip(colors) {
        let mine: Vec<&Run> = runs.iter().filter(|r| r.pruning == pruning).collect();
        if mine.is_empty() {
            continue;
        }
        for run in &mine {
            let line: Vec<(f64, f64)> = grid
                .iter()
                .map(|&t| (t, run.best_at(t)))
                .filter(|p| p.1 >= low)
                .collect();
            chart.draw_series(std::iter::once(PathElement::new(line, color.mix(0.25))))?;
        }
        let medians: Vec<(f64, f64)> = grid
            .iter()
            .map(|&t| (t, median(mine.iter().map(|r| r.best_at(t)).collect())))
            .filter(|p| p.1 >= low)
            .collect();
        chart
            .draw_series(std::iter::once(PathElement::new(
                medians,
                color.stroke_width(3),
            )))?
            .label(pruning.label())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x - 8, y), (x + 8, y)], color.stroke_width(3))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trajectories_and_medians() {
        let run = Run {
            pruning: Pruning::Off,
            seed: 0,
            trials: 3,
            pruned: 0,
            epochs: 0,
            trajectory: vec![(1.0, 0.9), (5.0, 0.95)],
            epoch_trajectory: vec![(30, 0.9), (90, 0.95)],
            best: None,
        };
        assert_eq!(run.best_at(0.5), 0.0);
        assert_eq!(run.best_at(4.0), 0.9);
        assert_eq!(run.best_at(9.0), 0.95);
        assert_eq!(run.time_to(0.93), Some(5.0));
        assert_eq!(run.time_to(0.99), None);
        assert_eq!(run.epochs_to(0.95), Some(90));
        assert_eq!(run.epochs_to(0.96), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }
}
