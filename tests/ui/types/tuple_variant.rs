use tunekit::tunable;

#[tunable]
enum Optimizer {
    Sgd(#[tune(0.0..=0.9)] f64, #[tune] bool),
    Adam,
}

fn main() {}
