use tunekit::tunable;

#[derive(Clone, Copy, PartialEq)]
enum Act {
    Relu,
}

#[derive(Clone, Copy, PartialEq)]
enum Norm {
    Batch,
}

#[tunable]
struct Train {
    #[tune(choice(Act::Relu, Norm::Batch))]
    act: Act,
}

fn main() {}
