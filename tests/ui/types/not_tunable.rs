use tunekit::tunable;

struct Schedule {
    warmup: u32,
}

#[tunable]
struct Train {
    #[tune]
    schedule: Schedule,
}

fn main() {
    let _ = Schedule { warmup: 0 }.warmup;
}
