use tunekit::tunable;

type Layers = u32;

#[tunable]
struct Train {
    #[tune(1.0..=4.0)]
    layers: Layers,
}

fn main() {}
