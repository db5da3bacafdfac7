use tunekit::prelude::*;

struct Plain {
    layers: u32,
}

fn main() {
    let _ = Plain { layers: 1 }.layers;
    let _ = space!(Plain);
}
