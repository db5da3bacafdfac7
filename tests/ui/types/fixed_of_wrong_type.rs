use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(fixed = "twenty")]
    epochs: u32,
}

fn main() {}
