use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(fixed = 0.01, log)]
    learning_rate: f64,
}

fn main() {}
