use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1e-4..=1e-1, log, step = 1e-3)]
    learning_rate: f64,
}

fn main() {}
