use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1..=4, step = 8)]
    layers: u32,
}

fn main() {}
