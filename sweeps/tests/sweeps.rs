//! Every example's search, run for real on a tiny budget so the examples cannot rot.
//!
//! The example files are compiled into this test as modules, so the test calls the very
//! `run` that each example's `main` calls, with fewer trials and a temporary report
//! folder; only `main` (the full budget and the printing) is left out.

#[allow(dead_code)] // `main`: the example binary's entry point
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code)]
#[path = "../examples/mlp_grid.rs"]
mod mlp_grid;

#[allow(dead_code)]
#[path = "../examples/mlp_random.rs"]
mod mlp_random;

#[allow(dead_code)]
#[path = "../examples/mlp_tpe.rs"]
mod mlp_tpe;

#[allow(dead_code)]
#[path = "../examples/mlp_asha.rs"]
mod mlp_asha;

#[allow(dead_code)]
#[path = "../examples/mlp_hyperband.rs"]
mod mlp_hyperband;

#[cfg(feature = "wine")]
#[allow(dead_code)]
#[path = "../examples/wine_tpe_vs_random.rs"]
mod wine_tpe_vs_random;

use tunekit::{Space, TypedSpace};
use tunekit_sweeps::mlp_space::{MlpHyperparams, Optimizer};
use tunekit_sweeps::report::SweepOutcome;

/// The checks every MLP sweep's outcome passes.
fn check<T: std::fmt::Debug>(outcome: &SweepOutcome<T>, trials: usize) {
    assert_eq!(outcome.trials, trials);
    assert!(outcome.report.csv.exists() && outcome.report.jsonl.exists());
    assert!(outcome.report.history_svg.as_ref().unwrap().exists());
    assert!(outcome.report.params_svg.as_ref().unwrap().exists());
    // Trained configs beat chance (10%) by far, even the worst of a few random ones.
    for accuracy in [outcome.cv_accuracy, outcome.test_accuracy] {
        assert!((0.5..=1.0).contains(&accuracy), "{outcome:?}");
    }
    assert!(outcome.summary.starts_with("rank  trial  value"));
}

#[test]
fn quickstart_runs_with_epochs_pinned_to_10() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = quickstart::run(2, dir.path()).unwrap();
    check(&outcome, 2);
    let json = serde_json::to_value(&outcome.best).unwrap();
    assert_eq!(json["epochs"], 10);
}

#[test]
fn quickstart_declares_the_space_the_mlp_examples_share() {
    let declared_here = TypedSpace::<quickstart::MlpHyperparams>::new().search_space();
    let shared = TypedSpace::<MlpHyperparams>::new().search_space();
    assert_eq!(declared_here.unwrap(), shared.unwrap());
}

#[test]
fn grid_sweep_uses_the_two_pinned_optimizers() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = mlp_grid::run(2, dir.path()).unwrap();
    check(&outcome, 2);
    assert!(
        matches!(
            outcome.best.optimizer,
            Optimizer::Adam { learning_rate } if learning_rate == 1e-3
        ) || matches!(outcome.best.optimizer, Optimizer::Sgd { momentum, .. } if momentum == 0.9)
    );
    assert_eq!((outcome.best.hidden, outcome.best.dropout), (64, 0.0));
}

#[test]
fn random_and_tpe_sweeps_run() {
    for run in [mlp_random::run, mlp_tpe::run] {
        let dir = tempfile::tempdir().unwrap();
        let outcome = run(2, dir.path()).unwrap();
        check(&outcome, 2);
        let json = serde_json::to_string(&outcome.best).unwrap();
        let back: MlpHyperparams = serde_json::from_str(&json).unwrap();
        assert_eq!(back, outcome.best);
    }
}

#[cfg(feature = "wine")]
#[test]
fn wine_sweeps_run_and_beat_the_majority_baseline() {
    for outcome in [
        wine_tpe_vs_random::run(tunekit::samplers::Tpe::default(), 3, 1).unwrap(),
        wine_tpe_vs_random::run(tunekit::samplers::Random, 3, 1).unwrap(),
    ] {
        assert_eq!(outcome.best_so_far.len(), 3);
        // 53.5% of the wines are good: a tuned model must do better than guessing that.
        assert!(outcome.cv_accuracy > 0.6, "{outcome:?}");
    }
}

#[test]
fn pruned_sweeps_report_epochs_as_steps() {
    for run in [mlp_asha::run, mlp_hyperband::run] {
        let dir = tempfile::tempdir().unwrap();
        let (outcome, test_accuracy) = run(tunekit::Budget::trials(3), 2, dir.path()).unwrap();
        assert_eq!(outcome.trials, 3);
        // Each trial reported epochs 1..=2 (the folds' mean), or stopped after epoch 1.
        assert!(outcome.epochs >= 4 && outcome.epochs <= 6, "{outcome:?}");
        assert_eq!(outcome.epochs + outcome.pruned, 6, "{outcome:?}");
        assert!(dir.path().join("intermediate.svg").exists());
        let (_, cv) = outcome.best.unwrap();
        for accuracy in [cv, test_accuracy] {
            assert!(
                (0.3..=1.0).contains(&accuracy),
                "{accuracy}: beats chance (0.1)"
            );
        }
    }
}
