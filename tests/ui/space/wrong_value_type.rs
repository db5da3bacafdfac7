use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(1..=8)]
    layers: u32,
    epochs: u32,
}

fn main() {
    let _ = space!(Train { epochs: 5.5 });
}
