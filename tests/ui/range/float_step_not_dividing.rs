use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(0.0..=1.0, step = 0.3)]
    dropout: f64,
}

fn main() {}
