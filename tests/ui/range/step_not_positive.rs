use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(0.0..=0.5, step = 0.0)]
    dropout: f32,
}

fn main() {}
