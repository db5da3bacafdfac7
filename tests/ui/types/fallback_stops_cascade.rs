// One mistake the macro reports in the type: one error, none from the uses of the type
// (the fallback impl stands in for the one that could not be generated).
use tunekit::prelude::*;

#[tunable]
struct Train {
    #[tune(1..=8, stpe = 2)]
    layers: u32,
}

fn main() {
    let _ = Study::minimize(space!(Train)).build();
}
