use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1..)]
    layers: u32,
}

fn main() {}
