use tunekit::prelude::*;

#[tunable]
struct Model {
    #[tune(8..=64)]
    hidden: u32,
}

#[tunable]
struct Train {
    #[tune]
    model: Model,
}

fn main() {
    let _ = space!(Train { model.hidden: 16 });
}
