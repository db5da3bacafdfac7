use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(1e-5..=1e-1, log)]
    lr: f64,
}

fn main() {
    let _ = space!(Train { lr: tune(1e-4..=1e-2, lg) });
}
