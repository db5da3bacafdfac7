use tunekit::tunable;

struct Dataset {
    path: &'static str,
}

#[tunable]
struct Train {
    #[tune(1..=8)]
    layers: u32,
    data: Dataset,
}

fn main() {
    let _ = Dataset { path: "" }.path;
}
