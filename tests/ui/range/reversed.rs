use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(0.5..=0.1)]
    dropout: f64,
}

fn main() {}
