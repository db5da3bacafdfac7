use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(choice())]
    batch_size: usize,
}

fn main() {}
