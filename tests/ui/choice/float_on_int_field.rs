use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(choice(16, 32.5))]
    batch_size: usize,
}

fn main() {}
