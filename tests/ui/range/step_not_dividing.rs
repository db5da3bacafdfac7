use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(0..=10, step = 3)]
    layers: u32,
}

fn main() {}
