use tunekit::tunable;

#[derive(Clone, Copy)]
struct Meters(f64);

#[tunable]
struct Train {
    #[tune(0.5..=2.0)]
    radius: Meters,
}

fn main() {}
