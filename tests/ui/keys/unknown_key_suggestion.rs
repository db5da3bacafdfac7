use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1e-5..=1e-1, lgo)]
    learning_rate: f64,
}

fn main() {}
