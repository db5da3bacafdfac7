//! Cross-validation recorded on trials, and the report files a sweep writes.

use tunekit_runtime::cv::{cross_validate, KFold};
use tunekit_runtime::{Domain, Params, SearchSpace, Study, TrialContext, TrialState};

/// A study whose objective is a 3-fold "CV" of a noisy quadratic, with a few failures.
fn finished_study() -> Study<SearchSpace> {
    let space = SearchSpace::builder()
        .add("lr", Domain::float(1e-4, 1.0).log())
        .add("opt", Domain::categorical(["adam", "sgd"]))
        .add_when("momentum", Domain::float(0.0, 0.9), "opt", ["sgd"])
        .add("layers", Domain::int(1, 4))
        .build()
        .unwrap();
    let study = Study::minimize(space).seed(11).build().unwrap();
    let folds = KFold::new(3).shuffle(1).split(30).unwrap();
    study
        .optimize(25, |p: &Params, trial: &mut TrialContext| {
            let lr: f64 = p.get("lr")?;
            if trial.number() % 10 == 9 {
                return Err("simulated crash".into());
            }
            let score = cross_validate(&folds, trial, |fold| {
                Ok::<f64, String>((lr.log10() + 2.0).powi(2) + fold.valid[0] as f64 * 1e-3)
            })?;
            Ok::<f64, tunekit_runtime::BoxError>(score.mean)
        })
        .unwrap();
    study
}

#[test]
fn cross_validation_records_fold_scores_on_each_trial() {
    let study = finished_study();
    for trial in study.trials().unwrap() {
        if trial.state != TrialState::Complete {
            continue;
        }
        let folds: Vec<f64> =
            serde_json::from_value(trial.user_attrs["cv_fold_scores"].clone()).unwrap();
        assert_eq!(folds.len(), 3);
        let mean = folds.iter().sum::<f64>() / 3.0;
        assert!((trial.value.unwrap() - mean).abs() < 1e-12);
        assert_eq!(trial.user_attrs["cv_mean"].as_f64(), trial.value);
        assert!(trial.user_attrs["cv_std"].as_f64().unwrap() >= 0.0);
        // Folds are steps: each fold's score is reported at its index.
        let reported: Vec<f64> = trial.intermediate.values().copied().collect();
        assert_eq!(reported, folds);
    }
    let csv = std::env::temp_dir().join(format!("tunekit-cv-{}.csv", std::process::id()));
    study.write_csv(&csv).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text
        .lines()
        .next()
        .unwrap()
        .contains("attr.cv_fold_scores,attr.cv_mean,attr.cv_std"));
    std::fs::remove_file(csv).unwrap();
}

#[test]
fn report_files_exist_parse_and_plot_one_point_per_trial() {
    let study = finished_study();
    let trials = study.trials().unwrap();
    let valued = trials.iter().filter(|t| t.value.is_some()).count();
    assert!(
        valued < trials.len(),
        "some trials failed and have no point"
    );
    let dir = tempfile::tempdir().unwrap();
    let files = study.write_report(dir.path()).unwrap();

    let mut reader = csv::Reader::from_path(&files.csv).unwrap();
    assert_eq!(reader.records().count(), trials.len());
    let jsonl = std::fs::read_to_string(&files.jsonl).unwrap();
    let parsed: Vec<tunekit_runtime::Trial> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed, trials);

    let history = std::fs::read_to_string(files.history_svg.unwrap()).unwrap();
    let doc = roxmltree::Document::parse(&history).expect("history.svg is well-formed XML");
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    // One point per trial with a value, plus the legend's marker.
    assert_eq!(circles, valued + 1);

    let params = std::fs::read_to_string(files.params_svg.unwrap()).unwrap();
    let doc = roxmltree::Document::parse(&params).expect("params.svg is well-formed XML");
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    // Each panel has one point per valued trial where its param is active.
    let active_points: usize = study
        .space()
        .params()
        .iter()
        .map(|p| {
            trials
                .iter()
                .filter(|t| t.value.is_some() && t.params.contains(&p.name))
                .count()
        })
        .sum();
    assert_eq!(circles, active_points);
    let text: String = doc
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("lr (log10)") && text.contains("momentum"),
        "{text}"
    );

    let summary = study.summary(3).unwrap();
    assert_eq!(summary.lines().count(), 4);
    assert!(summary.starts_with("rank  trial  value"));
}
