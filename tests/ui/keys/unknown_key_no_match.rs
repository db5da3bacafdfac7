use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1..=8, distribution = "normal")]
    layers: u32,
}

fn main() {}
