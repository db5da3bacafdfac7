use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(1..=4)]
    layers: u32,
}

#[derive(Debug)]
struct TrainingDiverged;

fn main() {
    let study = Study::minimize(space!(Train)).build().unwrap();
    study
        .optimize(10, |cfg: &Train| -> Result<f64, TrainingDiverged> {
            Ok(f64::from(cfg.layers))
        })
        .unwrap();
}
