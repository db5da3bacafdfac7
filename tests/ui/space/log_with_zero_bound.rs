use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(1e-5..=1e-1, log)]
    lr: f64,
}

fn main() {
    let _ = space!(Train { lr: tune(0.0..=0.1, log) });
}
