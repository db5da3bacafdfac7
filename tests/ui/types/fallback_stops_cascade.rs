// One mistake in the type: one error, none from the uses of the type.
use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(8..=1)]
    layers: u32,
}

fn main() {
    let _ = Study::minimize(space!(Train)).build();
}
