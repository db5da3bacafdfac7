use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(4..=4)]
    layers: u32,
}

fn main() {}
