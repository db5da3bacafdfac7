use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1..8)]
    layers: u32,
}

fn main() {}
