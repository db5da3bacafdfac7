use tunekit::tunable;

#[tunable]
struct Train {
    #[tune]
    layers: u32,
}

fn main() {}
