use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(choice(16, 32, 16))]
    batch_size: usize,
}

fn main() {}
