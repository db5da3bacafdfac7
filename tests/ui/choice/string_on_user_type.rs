use tunekit::tunable;

#[derive(Clone, Copy, PartialEq)]
enum Act {
    Relu,
    Tanh,
}

#[tunable]
struct Train {
    #[tune(choice(Act::Relu, "tanh"))]
    act: Act,
}

fn main() {
    let _ = Act::Tanh;
}
