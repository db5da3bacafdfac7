use tunekit::tunable;

#[tunable]
struct Ids {
    #[tune(0..=18446744073709551615)]
    id: u64,
}

fn main() {}
