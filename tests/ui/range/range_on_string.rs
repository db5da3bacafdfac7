use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1..=3)]
    optimizer: String,
}

fn main() {}
