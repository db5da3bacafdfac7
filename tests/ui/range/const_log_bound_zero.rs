use tunekit::tunable;

const NO_HIDDEN: u32 = 0;

#[tunable]
struct Train {
    #[tune(NO_HIDDEN..=512, log)]
    hidden: u32,
}

fn main() {}
