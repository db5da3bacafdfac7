//! Every example's sweep code, on a tiny budget, so the examples cannot rot.

use tunekit::samplers::{Random, Tpe};
use tunekit_sweeps::mlp_sweep::{self, MlpHyperparams, Optimizer, Search, SweepSettings};
use tunekit_sweeps::wine_sweep;

fn tiny(search: Search, trials: usize) -> mlp_sweep::SweepOutcome {
    let dir = tempfile::tempdir().unwrap();
    let settings = SweepSettings {
        search,
        trials,
        epochs: Some(1),
        seed: 3,
        report_dir: dir.path().to_path_buf(),
    };
    let outcome = mlp_sweep::run(&settings).unwrap();
    assert_eq!(outcome.trials, trials);
    assert!(outcome.report.csv.exists() && outcome.report.jsonl.exists());
    assert!(outcome.report.history_svg.as_ref().unwrap().exists());
    assert!(outcome.report.params_svg.as_ref().unwrap().exists());
    for accuracy in [outcome.cv_accuracy, outcome.test_accuracy] {
        assert!((0.0..=1.0).contains(&accuracy), "{outcome:?}");
    }
    assert!(outcome.summary.starts_with("rank  trial  value"));
    outcome
}

#[test]
fn grid_sweep_uses_the_two_pinned_optimizers() {
    let outcome = tiny(Search::Grid, 2);
    assert!(
        matches!(
            outcome.best.optimizer,
            Optimizer::Adam { learning_rate } if learning_rate == 1e-3
        ) || matches!(outcome.best.optimizer, Optimizer::Sgd { momentum, .. } if momentum == 0.9)
    );
    assert_eq!((outcome.best.hidden, outcome.best.epochs), (64, 1));
    // The grid's configs are sound ones: one epoch on digits already beats chance (10%)
    // by far.
    assert!(outcome.cv_accuracy > 0.5, "{outcome:?}");
    assert!(outcome.test_accuracy > 0.5, "{outcome:?}");
}

#[test]
fn random_and_tpe_sweeps_run() {
    for search in [Search::Random, Search::Tpe] {
        let outcome = tiny(search, 2);
        assert_eq!(outcome.best.epochs, 1);
        let json = serde_json::to_string(&outcome.best).unwrap();
        let back: MlpHyperparams = serde_json::from_str(&json).unwrap();
        assert_eq!(back, outcome.best);
    }
}

#[test]
fn wine_sweeps_run_and_beat_the_majority_baseline() {
    for outcome in [
        wine_sweep::run(Tpe::default(), 3, 1).unwrap(),
        wine_sweep::run(Random, 3, 1).unwrap(),
    ] {
        assert_eq!(outcome.best_so_far.len(), 3);
        // 53.5% of the wines are good: a tuned model must do better than guessing that.
        assert!(outcome.cv_accuracy > 0.6, "{outcome:?}");
    }
}
