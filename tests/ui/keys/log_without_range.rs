use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(log)]
    learning_rate: f64,
}

fn main() {}
