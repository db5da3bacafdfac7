// `#[tunable]` may come after other attributes, derives included.
use tunekit::prelude::*;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[tunable]
struct Train {
    #[tune(1..=4)]
    layers: u32,
    #[tune]
    shuffle: bool,
}

fn main() {
    let space = Train::search_space().unwrap();
    assert_eq!(space.len(), 2);
    let train = Train { layers: 2, shuffle: true };
    assert_eq!(Train::from_params(&train.to_params().unwrap()).unwrap(), train);
    assert_eq!(serde_json::to_string(&train).unwrap(), r#"{"layers":2,"shuffle":true}"#);
}
