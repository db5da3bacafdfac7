// Every form of the grammar on one type, next to serde derives that must keep working.
use serde::{Deserialize, Serialize};
use tunekit::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Act {
    Relu,
    Gelu,
}

#[tunable]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Train {
    #[tune(1e-5..=1e-1, log)]
    learning_rate: f64,
    #[tune(choice(16, 32, 64))]
    batch_size: usize,
    #[tune(1..=4)]
    layers: u32,
    #[tune(0..=1, step = 0.25)]
    dropout: f32,
    #[tune(1..=1024, log)]
    hidden: u16,
    #[tune(-3..=3, step = 3)]
    offset: i8,
    #[tune(choice("adam", "sgd"))]
    #[serde(rename = "opt")]
    optimizer_name: String,
    #[tune(choice(Act::Relu, Act::Gelu))]
    act: Act,
    #[tune]
    shuffle: bool,
    #[tune]
    schedule: Schedule,
    #[tune(fixed = 20)]
    epochs: u32,
    seed: u64,
}

#[tunable]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Schedule {
    Constant,
    Cosine {
        #[tune(0.0..=0.2)]
        warmup: f64,
        cycles: u32,
    },
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let study = Study::minimize(space!(Train { epochs: 1 })).seed(3).build()?;
    study.optimize(20, |cfg: &Train| -> Result<f64, tunekit::Error> {
        let json = serde_json::to_string(cfg).unwrap();
        let back: Train = serde_json::from_str(&json).unwrap();
        // serde_json's default float parsing may differ in the last bit.
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
        assert!(close(back.learning_rate, cfg.learning_rate));
        let same_rest = Train {
            learning_rate: cfg.learning_rate,
            schedule: cfg.schedule.clone(),
            ..back.clone()
        };
        assert_eq!(&same_rest, cfg);
        assert!(json.contains("\"opt\"") && json.contains("\"batchSize\""));
        assert_eq!(cfg.epochs, 1);
        Ok(cfg.learning_rate)
    })?;
    // The objective's asserts fail trials (the study catches panics), so check none did.
    for trial in study.trials()? {
        assert_eq!(trial.state, TrialState::Complete, "{:?}", trial.failure);
    }
    let best: Train = study.best().unwrap().config;
    assert_eq!(best.seed, 0);
    Ok(())
}
