use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(1..=8)]
    layers: u32,
}

fn main() {
    let _ = space!(Train { layers: 1.0..=2.0 });
}
