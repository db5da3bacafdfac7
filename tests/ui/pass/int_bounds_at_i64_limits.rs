// Integer bounds are compared as integers: next to i64::MAX, where neighbouring values
// are one f64, these ranges are exact (compared as f64, the first one was "empty").
use tunekit::prelude::*;

#[tunable]
#[derive(Debug, Clone)]
struct Ids {
    #[tune(9223372036854775800..=9223372036854775807)]
    top: i64,
    #[tune(-9223372036854775808..=-9223372036854775807)]
    bottom: i64,
    #[tune(0..=9223372036854775807, step = 9223372036854775807)]
    ends: u64,
}

fn main() {
    let space = Ids::search_space().unwrap();
    assert_eq!(space.get("top").unwrap().domain, Domain::int(i64::MAX - 7, i64::MAX));
    assert_eq!(space.get("bottom").unwrap().domain, Domain::int(i64::MIN, i64::MIN + 1));
    assert_eq!(space.get("ends").unwrap().domain.cardinality(), Some(2));
    let study = Study::minimize(space!(Ids)).sampler(Random::new()).seed(3).build().unwrap();
    for _ in 0..8 {
        let ids = study.ask().unwrap().config;
        assert!(ids.top >= i64::MAX - 7);
        assert!(ids.bottom <= i64::MIN + 1);
        assert!(ids.ends == 0 || ids.ends == i64::MAX as u64);
    }
}
