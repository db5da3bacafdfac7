use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(choice(16, 32), log)]
    batch_size: usize,
}

fn main() {}
