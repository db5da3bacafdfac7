use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(choice("adam", "sgd"))]
    optimizer: String,
}

fn main() {
    let _ = space!(Train { optimizer: 1..=3 });
}
