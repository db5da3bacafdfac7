use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1..=8, choice(1, 2))]
    layers: u32,
}

fn main() {}
