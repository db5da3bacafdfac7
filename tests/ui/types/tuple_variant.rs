use tunekit::tunable;

#[tunable]
enum Optimizer {
    Sgd(#[tune(0.0..=0.9)] f64),
    Adam,
}

fn main() {}
