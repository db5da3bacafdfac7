// Mistakes in several fields: each one is reported, the empty `#[tune()]` and the
// reversed range after an earlier field's unknown key too.
use tunekit::tunable;

#[tunable]
struct Train {
    #[tune(1..=8, stpe = 2)]
    layers: u32,
    #[tune()]
    width: u32,
    #[tune(8..=1)]
    depth: u32,
}

fn main() {}
