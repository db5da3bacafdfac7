//! Round trips over nested and conditional types: random params -> decode -> encode gives
//! the same params, and the declared space has the documented path names.

use tunekit::prelude::*;
use tunekit::{space::Condition, Value};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Act {
    Relu,
    Gelu,
}

#[tunable]
#[derive(Debug, Clone, PartialEq)]
struct Model {
    #[tune(8..=64, step = 8)]
    hidden: u32,
    #[tune(choice("relu", "tanh"))]
    activation: String,
    #[tune]
    residual: bool,
}

#[tunable]
#[derive(Debug, Clone, PartialEq)]
enum Schedule {
    Constant,
    Cosine {
        #[tune(1..=100)]
        warmup: u16,
    },
    Step {
        #[tune(0.1..=0.9)]
        gamma: f32,
        #[tune(choice(10, 20))]
        every: usize,
    },
}

#[tunable]
#[derive(Debug, Clone, PartialEq)]
enum Optimizer {
    Sgd {
        #[tune(0.0..=0.99)]
        momentum: f64,
        #[tune]
        nesterov: bool,
        #[tune]
        schedule: Schedule,
    },
    Adam {
        #[tune(1e-5..=1e-1, log)]
        lr: f64,
        #[tune(fixed = 0.9)]
        beta1: f64,
        note: String,
    },
    Lbfgs,
}

#[tunable]
#[derive(Debug, Clone, PartialEq)]
struct Train {
    #[tune(1e-5..=1e-1, log)]
    lr: f64,
    #[tune]
    model: Model,
    #[tune]
    optimizer: Optimizer,
    #[tune(choice(Act::Relu, Act::Gelu))]
    act: Act,
    #[tune(-5..=5)]
    offset: i64,
    #[tune(choice(-1.5, 0.0, 2.5))]
    shift: f64,
    #[tune(choice("a", "b"))]
    tag: &'static str,
    epochs: u32,
}

#[test]
fn paths_and_conditions_follow_the_nesting() {
    let space = Train::search_space().unwrap();
    let names: Vec<&str> = space.params().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "lr",
            "model.hidden",
            "model.activation",
            "model.residual",
            "optimizer",
            "optimizer.Sgd.momentum",
            "optimizer.Sgd.nesterov",
            "optimizer.Sgd.schedule",
            "optimizer.Sgd.schedule.Cosine.warmup",
            "optimizer.Sgd.schedule.Step.gamma",
            "optimizer.Sgd.schedule.Step.every",
            "optimizer.Adam.lr",
            "act",
            "offset",
            "shift",
            "tag",
        ]
    );
    let get = |name: &str| space.get(name).unwrap().clone();
    assert_eq!(get("lr").domain, Domain::float(1e-5, 1e-1).log());
    assert_eq!(get("model.hidden").domain, Domain::int(8, 64).step(8.0));
    assert_eq!(
        get("optimizer").domain,
        Domain::categorical(["Sgd", "Adam", "Lbfgs"])
    );
    assert_eq!(get("act").domain, Domain::categorical(["Relu", "Gelu"]));
    assert_eq!(
        get("model.residual").domain,
        Domain::categorical([false, true])
    );
    assert_eq!(
        get("shift").domain,
        Domain::categorical([Value::Float(-1.5), Value::Float(0.0), Value::Float(2.5)])
    );
    assert_eq!(get("model.hidden").condition, None);
    assert_eq!(
        get("optimizer.Sgd.schedule").condition,
        Some(Condition::equals("optimizer", "Sgd"))
    );
    assert_eq!(
        get("optimizer.Sgd.schedule.Step.gamma").condition,
        Some(Condition::equals("optimizer.Sgd.schedule", "Step"))
    );
}

/// Whether `encoded` equals `params`, floats of `f32` fields compared at f32 precision
/// (an f32 field holds the sampled f64 rounded to the nearest f32).
fn same_params(encoded: &Params, params: &Params, f32_paths: &[&str]) -> bool {
    encoded.len() == params.len()
        && encoded
            .iter()
            .zip(params.iter())
            .all(|((ka, va), (kb, vb))| {
                ka == kb
                    && if f32_paths.contains(&ka) {
                        let (a, b) = (va.as_f64().unwrap(), vb.as_f64().unwrap());
                        (a - b).abs() <= f64::from(f32::EPSILON) * b.abs()
                    } else {
                        va == vb
                    }
            })
}

#[test]
fn random_params_decode_then_encode_to_the_same_params() {
    let study = Study::minimize(space!(Train))
        .sampler(Random::new())
        .seed(20_251_127)
        .build()
        .unwrap();
    let space = Train::search_space().unwrap();
    let mut variants = std::collections::BTreeSet::new();
    for _ in 0..2000 {
        let trial = study.ask().unwrap();
        let params = trial.params().clone();
        space.check(&params).unwrap();
        let decoded = Train::from_params(&params).unwrap();
        assert_eq!(decoded, trial.config);
        let encoded = decoded.to_params().unwrap();
        assert!(
            same_params(&encoded, &params, &["optimizer.Sgd.schedule.Step.gamma"]),
            "{params:?}\n -> {decoded:?}\n -> {encoded:?}"
        );
        // Decoding what was encoded gives the same config, exactly.
        assert_eq!(Train::from_params(&encoded).unwrap(), decoded);
        assert_eq!(decoded.epochs, 0);
        if let Optimizer::Adam { beta1, note, .. } = &decoded.optimizer {
            assert_eq!((*beta1, note.as_str()), (0.9, ""));
        }
        variants.insert(format!(
            "optimizer {:?}",
            std::mem::discriminant(&decoded.optimizer)
        ));
        if let Optimizer::Sgd { schedule, .. } = &decoded.optimizer {
            variants.insert(format!("schedule {:?}", std::mem::discriminant(schedule)));
        }
        study.tell(&trial, 0.0).unwrap();
    }
    assert_eq!(variants.len(), 6, "every variant of both enums was drawn");
}

#[test]
fn decoding_reports_missing_and_unknown_values() {
    let space = Train::search_space().unwrap();
    let mut params = Study::minimize(space!(Train))
        .seed(1)
        .build()
        .unwrap()
        .ask()
        .unwrap()
        .params()
        .clone();
    space.check(&params).unwrap();
    params.insert("optimizer", "Rmsprop");
    let err = Train::from_params(&params).unwrap_err().to_string();
    assert!(err.contains("`Rmsprop` is not a variant"), "{err}");
    params.insert("act", "Swish");
    params.insert("optimizer", "Lbfgs");
    let err = Train::from_params(&params).unwrap_err().to_string();
    assert!(
        err.contains("param `act`") && err.contains("not one of the field's choices"),
        "{err}"
    );
    params.remove("lr");
    let err = Train::from_params(&params).unwrap_err().to_string();
    assert!(err.contains("param `lr`"), "{err}");
}

#[test]
fn a_top_level_enum_names_its_variant_param_variant() {
    let space = Schedule::search_space().unwrap();
    let names: Vec<&str> = space.params().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["variant", "Cosine.warmup", "Step.gamma", "Step.every"]
    );
    let value = Schedule::Step {
        gamma: 0.5,
        every: 20,
    };
    let params = value.to_params().unwrap();
    assert_eq!(
        params,
        Params::new()
            .with("variant", "Step")
            .with("Step.gamma", 0.5)
            .with("Step.every", 20)
    );
    assert_eq!(Schedule::from_params(&params).unwrap(), value);
}

#[test]
fn encoding_a_value_outside_the_choices_is_an_error() {
    let mut model = Model {
        hidden: 16,
        activation: "relu".into(),
        residual: true,
    };
    model.to_params().unwrap();
    model.activation = "swish".into();
    let err = model.to_params().unwrap_err().to_string();
    assert!(err.contains("param `activation`"), "{err}");
}

#[tunable]
#[derive(Debug, Clone, PartialEq)]
struct AdamConfig {
    #[tune(1e-4..=1e-2, log)]
    lr: f64,
    #[tune(choice(0.9, 0.99))]
    beta2: f64,
}

/// Newtype variants: the payload's params sit at the variant's own path.
#[tunable]
#[derive(Debug, Clone, PartialEq)]
enum Solver {
    Adam(#[tune] AdamConfig),
    Lbfgs(#[tune(1..=5)] u8),
    Exact,
}

#[test]
fn newtype_variants_flatten_under_the_variant_path() {
    let space = Solver::search_space().unwrap();
    let names: Vec<&str> = space.params().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["variant", "Adam.lr", "Adam.beta2", "Lbfgs"]);
    assert_eq!(
        space.get("Lbfgs").unwrap().condition,
        Some(Condition::equals("variant", "Lbfgs"))
    );
    let value = Solver::Adam(AdamConfig {
        lr: 1e-3,
        beta2: 0.99,
    });
    let params = value.to_params().unwrap();
    assert_eq!(
        params,
        Params::new()
            .with("variant", "Adam")
            .with("Adam.lr", 1e-3)
            .with("Adam.beta2", 0.99)
    );
    assert_eq!(Solver::from_params(&params).unwrap(), value);
    let study = Study::minimize(space!(Solver)).seed(2).build().unwrap();
    for _ in 0..200 {
        let trial = study.ask().unwrap();
        assert_eq!(trial.config.to_params().unwrap(), *trial.params());
        if let Solver::Lbfgs(memory) = trial.config {
            assert!((1..=5).contains(&memory));
        }
        study.tell(&trial, 0.0).unwrap();
    }
}

const SMALL: f64 = 0.5;
const ALSO_SMALL: f64 = 0.5;

/// Hardening items 1 and 4, on `#[tunable]` fields: f32 bounds are their decimal digits,
/// choices that are not literals are labeled by their values, and two equal ones fail
/// the build naming the field.
#[tunable]
#[derive(Debug, Clone, PartialEq)]
struct Precise {
    #[tune(1e-4..=1e-2, log)]
    lr: f32,
    #[tune(0.0..=0.5, step = 0.05)]
    dropout: f64,
    #[tune(choice(Schedule::Cosine { warmup: 10 }, Schedule::Constant))]
    schedule: Schedule,
}

#[tunable]
#[derive(Debug, Clone, PartialEq)]
struct Twice {
    #[tune(choice(SMALL, ALSO_SMALL))]
    x: f64,
}

#[test]
fn f32_bounds_grid_points_and_value_labels_read_as_written() {
    let space = Precise::search_space().unwrap();
    assert_eq!(
        space.get("lr").unwrap().domain,
        Domain::float(1e-4, 1e-2).log()
    );
    assert_eq!(
        space.get("schedule").unwrap().domain,
        Domain::categorical(["Cosine(warmup=10)", "Constant"])
    );
    let grid: Vec<String> = (0..11)
        .map(|k| {
            space
                .get("dropout")
                .unwrap()
                .domain
                .nth(k)
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        grid,
        ["0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.45", "0.5"]
    );
    let err = Twice::search_space().unwrap_err().to_string();
    assert!(
        err.contains("param `x`: choices 1 and 2 are the same value (0.5)"),
        "{err}"
    );
}
