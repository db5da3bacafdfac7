use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(0.0..=1.0, steps = 0.1)]
    dropout: f64,
}

fn main() {}
