use tunekit::{space, tunable};

#[tunable]
struct Train {
    #[tune(1..=8)]
    layers: u32,
}

fn main() {
    let _ = space!(Train { layers: tune(1..=8, step = 2) });
}
