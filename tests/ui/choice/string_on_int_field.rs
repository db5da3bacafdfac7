use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(choice(16, "32"))]
    batch_size: usize,
}

fn main() {}
