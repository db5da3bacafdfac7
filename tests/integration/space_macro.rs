//! `space!` overrides: pinned fields, narrowed ranges and choices, run-time values.

use tunekit::prelude::*;
use tunekit::Space;

#[tunable]
#[derive(Debug, Clone, PartialEq)]
struct Net {
    #[tune(1..=8)]
    layers: u32,
    #[tune(1e-5..=1e-1, log)]
    lr: f64,
    #[tune(choice(16, 32, 64))]
    batch: usize,
    #[tune]
    optimizer: Optimizer,
    epochs: u32,
    name: String,
}

#[tunable]
#[derive(Debug, Clone, PartialEq)]
enum Optimizer {
    Sgd {
        #[tune(0.0..=0.9)]
        momentum: f64,
    },
    Adam,
}

fn names(space: &impl Space) -> Vec<String> {
    space
        .search_space()
        .unwrap()
        .params()
        .iter()
        .map(|p| p.name.clone())
        .collect()
}

#[test]
fn the_plain_space_is_the_declared_one() {
    assert_eq!(
        space!(Net).search_space().unwrap(),
        Net::search_space().unwrap()
    );
}

#[test]
fn narrowed_fields_keep_their_place_and_pinned_ones_leave() {
    let space = space!(Net {
        layers: 2..=3,
        batch: choice(8, 16),
        lr: tune(1e-3..=1e-2, log),
        optimizer: Optimizer::Adam,
        epochs: 5,
    });
    assert_eq!(names(&space), ["layers", "lr", "batch"]);
    let dynamic = space.search_space().unwrap();
    assert_eq!(dynamic.get("layers").unwrap().domain, Domain::int(2, 3));
    assert_eq!(
        dynamic.get("batch").unwrap().domain,
        Domain::categorical([8, 16])
    );
    assert_eq!(
        dynamic.get("lr").unwrap().domain,
        Domain::float(1e-3, 1e-2).log()
    );

    let study = Study::minimize(space).sampler(Grid::new()).build();
    // lr is continuous: a grid cannot search it, and says so when the study is built.
    assert!(study.is_err());

    let space = space!(Net {
        layers: 2..=3,
        batch: choice(8, 16),
        lr: choice(0.01),
        optimizer: Optimizer::Adam,
        epochs: 5,
        name: String::from("quick"),
    });
    let study = Study::minimize(space).sampler(Grid::new()).build().unwrap();
    study
        .optimize(100, |cfg: &Net| {
            assert_eq!((cfg.epochs, cfg.name.as_str()), (5, "quick"));
            assert_eq!(cfg.optimizer, Optimizer::Adam);
            assert!([8, 16].contains(&cfg.batch) && (2..=3).contains(&cfg.layers));
            f64::from(cfg.layers) * cfg.batch as f64
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 4);
    // The asserts above run inside the objective, where a panic only fails the trial.
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    let best = study.best().unwrap().config;
    assert_eq!((best.layers, best.batch), (2, 8));
}

#[test]
fn pins_take_run_time_values_and_encode_skips_them() {
    let epochs = std::env::args().count() as u32 + 40;
    let space = space!(Net {
        epochs: epochs,
        layers: 1..=2
    });
    let study = Study::minimize(space.clone()).seed(5).build().unwrap();
    let trial = study.ask().unwrap();
    assert_eq!(trial.config.epochs, epochs);
    assert!(!trial.params().contains("epochs"));
    let params = space.encode(&trial.config).unwrap();
    assert_eq!(&params, trial.params());
    assert_eq!(space.decode(&params).unwrap(), trial.config);
}

#[test]
fn invalid_run_time_domains_fail_the_build() {
    let (low, high) = (std::hint::black_box(5), std::hint::black_box(2));
    let err = Study::minimize(space!(Net { layers: low..=high }))
        .build()
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("param `layers`: range is reversed"), "{err}");
    let huge = std::hint::black_box(u32::MAX);
    let ok = Study::minimize(space!(Net { layers: 1..=huge })).build();
    assert!(ok.is_ok());
}

#[test]
fn a_later_override_of_a_field_replaces_an_earlier_one() {
    let space = TypedSpace::<Net>::new()
        .with_override(tunekit::tunable::Override::pinned("layers", 3_u32))
        .with_override(tunekit::tunable::Override::pinned("layers", 4_u32));
    assert_eq!(space.overrides().len(), 1);
    let study = Study::minimize(space).seed(1).build().unwrap();
    assert_eq!(study.ask().unwrap().config.layers, 4);
}

#[test]
fn a_pin_of_an_unknown_field_or_of_the_wrong_type_fails_the_build() {
    use tunekit::tunable::Override;
    let build = |o: Override| {
        Study::minimize(TypedSpace::<Net>::new().with_override(o))
            .build()
            .err()
            .map(|e| e.to_string())
    };
    let err = build(Override::pinned("epoch", 5_u32)).unwrap();
    assert!(err.contains("param `epoch`"), "{err}");
    assert!(err.contains("has no field `epoch`"), "{err}");
    assert!(
        err.contains("layers, lr, batch, optimizer, epochs, name"),
        "{err}"
    );
    let err = build(Override::pinned("epochs", "five")).unwrap();
    assert!(err.contains("param `epochs`"), "{err}");
    assert!(
        err.contains("the field is a `u32` but is pinned to a value of type `&str`"),
        "{err}"
    );
    let err = build(Override::pinned("epochs", 5_i64)).unwrap();
    assert!(err.contains("give a value of type `u32`"), "{err}");
    assert_eq!(build(Override::pinned("epochs", 5_u32)), None);
}

/// Hardening item 1: choices that are run-time values or variants with fields are
/// labeled by their values, not by their source text.
#[test]
fn run_time_choices_are_labeled_by_their_values_and_equal_ones_fail_the_build() {
    struct Limits {
        small: f64,
        large: f64,
    }
    let cfg = std::hint::black_box(Limits {
        small: 0.25,
        large: 0.5,
    });
    let base = std::hint::black_box(0.01);
    let space = space!(Net {
        lr: choice(cfg.small, cfg.large),
        optimizer: choice(Optimizer::Sgd { momentum: 3e-1 }, Optimizer::Adam),
        name: choice(String::from("a"), format!("b{}", 1)),
    });
    let dynamic = space.search_space().unwrap();
    assert_eq!(
        dynamic.get("lr").unwrap().domain,
        Domain::categorical([0.25, 0.5])
    );
    assert_eq!(
        dynamic.get("optimizer").unwrap().domain,
        Domain::categorical(["Sgd(momentum=0.3)", "Adam"])
    );
    assert_eq!(
        dynamic.get("name").unwrap().domain,
        Domain::categorical(["a", "b1"])
    );
    let study = Study::minimize(space).seed(2).build().unwrap();
    let trial = study.ask().unwrap();
    assert!(matches!(
        trial.params().value("lr"),
        Some(tunekit::Value::Float(_))
    ));

    let scaled = space!(Net {
        lr: choice(base, base * 10.0)
    });
    assert_eq!(
        scaled.search_space().unwrap().get("lr").unwrap().domain,
        Domain::categorical([base, base * 10.0])
    );

    let same = std::hint::black_box(Limits {
        small: 0.5,
        large: 0.5,
    });
    let err = Study::minimize(space!(Net {
        lr: choice(same.small, same.large)
    }))
    .build()
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("param `lr`: choices 1 and 2 are the same value (0.5)"),
        "{err}"
    );
}
