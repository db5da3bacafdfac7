use tunekit::tunable;

#[tunable(krate = "tunekit")]
struct Train {
    #[tune(1..=8)]
    layers: u32,
}

fn main() {}
