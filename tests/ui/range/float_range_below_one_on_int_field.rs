use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(0.0..=0.3)]
    layers: u32,
}

fn main() {}
