use tunekit::tunable;

#[tunable]
struct Train(#[tune(1..=8)] u32);

fn main() {}
