use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(1..=4)]
    layers: u32,
}

fn main() {
    let study = Study::minimize(space!(Train)).build().unwrap();
    study.optimize(10, |cfg: &Train| cfg.layers * 2).unwrap();
}
