use tunekit::tunable;

#[tunable]
struct Ids {
    #[tune(9223372036854775806..=9223372036854775807, step = 2)]
    id: i64,
}

fn main() {}
