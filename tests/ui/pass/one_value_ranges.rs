// A range with low == high is one value (as in Optuna): written, const and run-time bounds.
use tunekit::prelude::*;

const ONE: u32 = 1;

#[tunable]
#[derive(Debug)]
struct Train {
    #[tune(4..=4)]
    layers: u32,
    #[tune(ONE..=ONE, log)]
    heads: u32,
    #[tune(0.5..=0.5, step = 0.1)]
    dropout: f64,
    #[tune(1e-3..=1e-3, log)]
    lr: f32,
    #[tune(1..=8)]
    width: u32,
}

fn main() {
    let n = std::hint::black_box(1_u32);
    let study = Study::minimize(space!(Train { width: 1..=n })).seed(1).build().unwrap();
    let trial = study.ask().unwrap();
    let c = &trial.config;
    assert_eq!((c.layers, c.heads, c.dropout, c.lr, c.width), (4, 1, 0.5, 1e-3, 1));
}
