use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(choice(16, 32))]
    batch: usize,
}

fn main() {
    let _ = space!(Train { batch: choice("16", "32") });
}
