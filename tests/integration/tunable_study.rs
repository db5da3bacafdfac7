//! Typed studies over a conditional enum space: grid and random search hand the objective
//! valid values of the type, and best/enqueue/ask/tell speak the type.

use std::collections::HashSet;

use tunekit::prelude::*;

#[tunable]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Act {
    Relu,
    Tanh,
}

#[tunable]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Model {
    Linear,
    Tree {
        #[tune(1..=3)]
        depth: u8,
        #[tune]
        bagging: bool,
    },
    Mlp {
        #[tune(choice(16, 32))]
        width: usize,
        #[tune]
        act: Act,
    },
}

#[tunable]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Config {
    #[tune]
    model: Model,
    #[tune(choice("a", "b"))]
    data: String,
}

/// Whether `config` is one of the values the declared space allows.
fn is_valid(config: &Config) -> bool {
    let model_ok = match &config.model {
        Model::Linear => true,
        Model::Tree { depth, .. } => (1..=3).contains(depth),
        Model::Mlp { width, .. } => [16, 32].contains(width),
    };
    model_ok && ["a", "b"].contains(&config.data.as_str())
}

/// Every config of the space, enumerated by hand: (1 + 3*2 + 2*2) models x 2 data sets.
fn all_configs() -> HashSet<Config> {
    let mut models = vec![Model::Linear];
    for depth in 1..=3 {
        for bagging in [false, true] {
            models.push(Model::Tree { depth, bagging });
        }
    }
    for width in [16, 32] {
        for act in [Act::Relu, Act::Tanh] {
            models.push(Model::Mlp { width, act });
        }
    }
    let mut all = HashSet::new();
    for model in models {
        for data in ["a", "b"] {
            all.insert(Config {
                model: model.clone(),
                data: data.into(),
            });
        }
    }
    all
}

/// A made-up score with its minimum at one known config.
fn score(config: &Config) -> f64 {
    let model = match &config.model {
        Model::Linear => 5.0,
        Model::Tree { depth, bagging } => f64::from(*depth) + if *bagging { 0.0 } else { 0.5 },
        Model::Mlp { width, act } => {
            (*width as f64) / 16.0 + if *act == Act::Relu { -0.75 } else { 0.0 }
        }
    };
    model + if config.data == "a" { 0.0 } else { 0.1 }
}

#[test]
fn grid_visits_every_valid_config_once_then_stops() {
    let study = Study::minimize(space!(Config))
        .sampler(Grid::new())
        .build()
        .unwrap();
    let visited = std::sync::Mutex::new(Vec::new());
    let stop = study
        .optimize(1000, |cfg: &Config| {
            assert!(is_valid(cfg), "{cfg:?}");
            visited.lock().unwrap().push(cfg.clone());
            score(cfg)
        })
        .unwrap();
    assert_eq!(stop, StopReason::Exhausted);
    let visited = visited.into_inner().unwrap();
    let distinct: HashSet<Config> = visited.iter().cloned().collect();
    assert_eq!(visited.len(), 22);
    // A failed assert in the objective only fails its trial: check that none did.
    let trials = study.trials().unwrap();
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    assert_eq!(distinct, all_configs());
    let best = study.best().unwrap();
    let expected = Config {
        model: Model::Mlp {
            width: 16,
            act: Act::Relu,
        },
        data: "a".into(),
    };
    assert_eq!(best.config, expected);
    assert_eq!(best.value, 0.25);
}

#[test]
fn random_search_only_hands_out_valid_configs() {
    let study = Study::maximize(space!(Config))
        .sampler(Random::new())
        .seed(11)
        .build()
        .unwrap();
    let seen = std::sync::Mutex::new(HashSet::new());
    study
        .optimize(300, |cfg: &Config| {
            assert!(is_valid(cfg), "{cfg:?}");
            seen.lock().unwrap().insert(cfg.clone());
            score(cfg)
        })
        .unwrap();
    let seen = seen.into_inner().unwrap();
    // 300 draws over 22 configs: every one shows up (P(miss one) < 22 * (1 - 1/44)^300).
    assert_eq!(seen, all_configs());
    for trial in study.trials().unwrap() {
        assert_eq!(trial.state, TrialState::Complete);
        study.space().check(&trial.params).unwrap();
        let config = Config::from_params(&trial.params).unwrap();
        assert_eq!(config.to_params().unwrap(), trial.params);
    }
    let best = study.best().unwrap().config;
    assert_eq!(best.model, Model::Linear);
}

#[test]
fn enqueued_configs_run_first_and_ask_tell_is_typed() {
    let study = Study::minimize(space!(Config))
        .sampler(Random::new())
        .seed(3)
        .build()
        .unwrap();
    let warm = Config {
        model: Model::Tree {
            depth: 2,
            bagging: true,
        },
        data: "b".into(),
    };
    study.enqueue(warm.clone()).unwrap();
    let trial = study.ask().unwrap();
    let config: &Config = &trial.config;
    assert_eq!(config, &warm);
    study.tell(&trial, score(config)).unwrap();
    let best = study.best().unwrap();
    assert_eq!((best.config, best.value), (warm, 2.1));

    let outside = Config {
        model: Model::Tree {
            depth: 9,
            bagging: true,
        },
        data: "a".into(),
    };
    let err = study.enqueue(outside).unwrap_err().to_string();
    assert!(err.contains("model.Tree.depth"), "{err}");
}
