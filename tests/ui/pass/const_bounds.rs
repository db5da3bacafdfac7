// Bounds that are consts and const expressions are checked by const evaluation and work.
use tunekit::prelude::*;

const MIN_LR: f64 = 1e-5;
const MAX_LR: f64 = 1e-1;
const MAX_LAYERS: u32 = 8;
type Width = usize;

#[tunable]
struct Train {
    #[tune(MIN_LR..=MAX_LR, log)]
    lr: f64,
    #[tune(1..=MAX_LAYERS / 2, step = 1)]
    layers: u32,
    #[tune(8..=1 << 10, log)]
    width: Width,
    #[tune(choice(MIN_LR, MAX_LR))]
    warmup_lr: f64,
}

fn main() {
    let space = Train::search_space().unwrap();
    assert_eq!(space.get("layers").unwrap().domain, Domain::int(1, 4).step(1.0));
    assert_eq!(space.get("width").unwrap().domain, Domain::int(8, 1024).log());
    // Const choices are labeled by their values.
    assert_eq!(space.get("warmup_lr").unwrap().domain, Domain::categorical([MIN_LR, MAX_LR]));
    let study = Study::minimize(space!(Train)).seed(1).build().unwrap();
    let trial = study.ask().unwrap();
    assert!(trial.config.lr >= MIN_LR && trial.config.layers <= 4 && trial.config.width >= 8);
    assert!([MIN_LR, MAX_LR].contains(&trial.config.warmup_lr));
}
