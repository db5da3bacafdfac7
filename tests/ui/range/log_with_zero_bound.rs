use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(0.0..=0.1, log)]
    learning_rate: f64,
}

fn main() {}
