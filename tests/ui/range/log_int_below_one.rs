use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(0..=512, log)]
    hidden: u32,
}

fn main() {}
