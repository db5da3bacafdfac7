use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(1..=4)]
    layers: u32,
}

fn loss(cfg: &Train) -> f64 {
    f64::from(cfg.layers)
}

fn main() {
    let study = Study::minimize(space!(Train)).build().unwrap();
    study.optimize(10, |c| loss(c)).unwrap();
}
