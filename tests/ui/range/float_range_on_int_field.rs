use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1.0..=4.0)]
    layers: u32,
}

fn main() {}
