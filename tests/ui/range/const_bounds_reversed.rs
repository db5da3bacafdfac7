use tunekit::tunable;

const MIN_LR: f64 = 1e-1;
const MAX_LR: f64 = 1e-5;

#[tunable]
struct Train {
    #[tune(MIN_LR..=MAX_LR, log)]
    learning_rate: f64,
}

fn main() {}
