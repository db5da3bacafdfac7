use tunekit::tunable;

#[tunable]
struct Train<T> {
    #[tune(1..=8)]
    layers: u32,
    extra: T,
}

fn main() {}
