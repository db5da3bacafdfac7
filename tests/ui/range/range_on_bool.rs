use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(0..=1)]
    shuffle: bool,
}

fn main() {}
