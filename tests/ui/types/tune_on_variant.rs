use tunekit::tunable;

#[tunable]
enum Optimizer {
    #[tune]
    Sgd,
    Adam,
}

fn main() {}
