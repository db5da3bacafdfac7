//! Hardening item 3: a range with `low == high` is a domain of one value, and every
//! sampler proposes exactly that value for it, trial after trial (TPE past its startup
//! trials, so its model of the range is used too).

use tunekit_runtime::samplers::{Grid, Random, Sampler, Tpe};
use tunekit_runtime::{Domain, Params, SearchSpace, Study, TrialState, Value};

fn space(grid: bool) -> SearchSpace {
    let mut builder = SearchSpace::builder()
        .add("n", Domain::int(3, 3))
        .add("n_log", Domain::int(5, 5).log())
        .add("n_step", Domain::int(7, 7).step(2.0))
        .add("stepped", Domain::float(0.25, 0.25).step(0.5))
        .add("x", Domain::float(-2.0, 2.0).step(0.5));
    if !grid {
        builder = builder
            .add("f", Domain::float(0.5, 0.5))
            .add("f_log", Domain::float(1e-3, 1e-3).log());
    }
    builder.build().unwrap()
}

fn proposals(sampler: impl Sampler + 'static, grid: bool, trials: usize) -> Vec<Params> {
    let study = Study::minimize(space(grid))
        .sampler(sampler)
        .seed(3)
        .build()
        .unwrap();
    study
        .optimize(
            trials,
            |p: &Params| -> Result<f64, tunekit_runtime::Error> {
                let x: f64 = p.get("x")?;
                Ok((x - 1.0).powi(2))
            },
        )
        .unwrap();
    let trials = study.trials().unwrap();
    assert!(
        trials.iter().all(|t| t.state == TrialState::Complete),
        "{:?}",
        trials.iter().map(|t| &t.failure).collect::<Vec<_>>()
    );
    trials.into_iter().map(|t| t.params).collect()
}

fn assert_one_values(all: &[Params], grid: bool) {
    assert!(!all.is_empty());
    for params in all {
        assert_eq!(params.value("n"), Some(&Value::Int(3)), "{params:?}");
        assert_eq!(params.value("n_log"), Some(&Value::Int(5)), "{params:?}");
        assert_eq!(params.value("n_step"), Some(&Value::Int(7)), "{params:?}");
        assert_eq!(
            params.value("stepped"),
            Some(&Value::Float(0.25)),
            "{params:?}"
        );
        if !grid {
            assert_eq!(params.value("f"), Some(&Value::Float(0.5)), "{params:?}");
            assert_eq!(
                params.value("f_log"),
                Some(&Value::Float(1e-3)),
                "{params:?}"
            );
        }
    }
}

#[test]
fn random_proposes_the_one_value() {
    assert_one_values(&proposals(Random, false, 20), false);
}

#[test]
fn tpe_proposes_the_one_value() {
    assert_one_values(&proposals(Tpe::new(), false, 30), false);
    assert_one_values(
        &proposals(Tpe::optuna().multivariate(false), false, 30),
        false,
    );
}

#[test]
fn grid_proposes_the_one_value_once_per_point() {
    let all = proposals(Grid::new(), true, 100);
    // Only `x` varies: 9 points.
    assert_eq!(all.len(), 9);
    assert_one_values(&all, true);
}

/// A TPE bug found by the space fuzz test once `low == high` became valid: on a
/// one-value continuous float of extreme magnitude TPE panics in
/// `samplers/tpe/bandwidth.rs` (`f64::clamp` with NaN bounds: "min > max, or either was
/// NaN") or proposes a value outside the domain (0 for the subnormal `5e-324`). The
/// study turns the panic into an error on `ask`, so `optimize` fails. Ignored until the
/// sampler is fixed (runtime/src/samplers/ is outside this change); run it with
/// `cargo test -p tunekit-runtime --test integration -- --ignored tpe_on_extreme`.
#[test]
#[ignore = "TPE bug on one-value continuous floats of extreme magnitude; see the doc comment"]
fn tpe_on_extreme_one_value_floats() {
    for x in [9_007_199_254_740_992.0, 1e308, -1e297, 5e-324] {
        let space = SearchSpace::builder()
            .add("x", Domain::float(x, x))
            .build()
            .unwrap();
        let study = Study::minimize(space)
            .sampler(Tpe::new().n_startup_trials(2))
            .seed(3)
            .build()
            .unwrap();
        let result = study.optimize(5, |p: &Params| -> Result<f64, tunekit_runtime::Error> {
            p.get::<f64>("x").map(|_| 1.0)
        });
        assert!(result.is_ok(), "x = {x}: {result:?}");
        for trial in study.trials().unwrap() {
            assert_eq!(trial.params.value("x"), Some(&Value::Float(x)), "x = {x}");
        }
    }
}
