use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1..=8, step(2))]
    layers: u32,
}

fn main() {}
