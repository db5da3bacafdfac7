// Mistakes in several entries: each one is reported, the unknown field that only rustc
// sees and the reversed range after an entry's unknown key too.
use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(1e-5..=1e-1, log)]
    lr: f64,
    #[tune(1..=8)]
    layers: u32,
    epochs: u32,
}

fn main() {
    let _ = space!(Train { lr: tune(1e-4..=1e-2, lg), epoch: 5, layers: 6..=2 });
}
