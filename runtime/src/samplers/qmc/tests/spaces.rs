//! Every proposal on generated spaces is a point of the space: extreme bounds, steps,
//! log scales, categoricals of every value type, conditions, chains deeper than the
//! Sobol table (1024 dimensions). Mimics the generator of `tests/integration/space_fuzz.rs`
//! (JSON spaces loaded through serde; invalid ones are skipped here, that test checks
//! they are refused).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value as Json};

use super::super::{unit_map, Qmc};
use crate::samplers::{sample_guarded, SampleContext};
use crate::space::{Domain, SearchSpace, Value};
use crate::trial::Direction;

fn extreme_float(rng: &mut ChaCha8Rng) -> f64 {
    const SPECIAL: [f64; 14] = [
        f64::MAX,
        -f64::MAX,
        1e308,
        -1e308,
        f64::MIN_POSITIVE,
        5e-324,
        -0.0,
        0.0,
        1.0,
        -1.0,
        1e-300,
        9007199254740992.0,
        f64::MAX / 2.0,
        -f64::MAX / 2.0,
    ];
    match rng.random_range(0..4) {
        0 | 1 => SPECIAL[rng.random_range(0..SPECIAL.len())],
        2 => rng.random_range(-10.0..10.0),
        _ => {
            let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
            sign * 10f64.powi(rng.random_range(-320..=308))
        }
    }
}

fn extreme_int(rng: &mut ChaCha8Rng) -> i64 {
    const SPECIAL: [i64; 10] = [
        i64::MIN,
        i64::MAX,
        i64::MIN + 1,
        i64::MAX - 1,
        0,
        1,
        -1,
        1 << 53,
        (1 << 53) + 1,
        4_611_686_018_427_387_904,
    ];
    match rng.random_range(0..4) {
        0 | 1 => SPECIAL[rng.random_range(0..SPECIAL.len())],
        2 => rng.random_range(-20..20),
        _ => rng.random::<i64>() >> rng.random_range(0..63),
    }
}

fn sorted<T: PartialOrd>(a: T, b: T) -> (T, T) {
    if a > b {
        (b, a)
    } else {
        (a, b)
    }
}

fn param(name: &str, rng: &mut ChaCha8Rng) -> Json {
    match rng.random_range(0..3) {
        0 => {
            let (low, high) = sorted(extreme_float(rng), extreme_float(rng));
            let mut p = json!({"name": name, "type": "float", "low": low, "high": high});
            match rng.random_range(0..5) {
                0 => p["log"] = json!(true),
                1 | 2 => {
                    let width = high - low;
                    p["step"] = json!(match rng.random_range(0..5) {
                        0 => width / f64::from(rng.random_range(1..50)),
                        1 => width * (1.0 - 1e-15),
                        2 => 1e-300,
                        3 => extreme_float(rng).abs(),
                        _ => width / 1e7,
                    });
                }
                _ => {}
            }
            p
        }
        1 => {
            let (low, high) = sorted(extreme_int(rng), extreme_int(rng));
            let mut p = json!({"name": name, "type": "int", "low": low, "high": high});
            match rng.random_range(0..5) {
                0 => {
                    p["log"] = json!(true);
                    p["low"] = json!(low.max(1));
                }
                1 | 2 => {
                    let width = i128::from(high) - i128::from(low);
                    let step: i128 = match rng.random_range(0..4) {
                        0 => width / rng.random_range(1..50),
                        1 => width,
                        2 => rng.random_range(1..10),
                        _ => i128::from(extreme_int(rng)).abs(),
                    };
                    p["step"] = json!(i64::try_from(step).unwrap_or(i64::MAX));
                }
                _ => {}
            }
            p
        }
        _ => {
            let choices: Vec<Json> = (0..rng.random_range(1..6))
                .map(|i| match rng.random_range(0..4) {
                    0 => json!(format!("c{i}")),
                    1 => json!(i),
                    2 => json!(extreme_float(rng)),
                    _ => json!(i % 2 == 0),
                })
                .collect();
            json!({"name": name, "type": "categorical", "choices": choices})
        }
    }
}

fn space_json(rng: &mut ChaCha8Rng) -> Json {
    let mut params: Vec<Json> = Vec::new();
    if rng.random_range(0..40) == 0 {
        // A conditional chain, now and then longer than the Sobol table.
        let depth = if rng.random_bool(0.3) {
            rng.random_range(1025..1600)
        } else {
            rng.random_range(2..60)
        };
        params.push(json!({"name": "c0", "type": "categorical", "choices": ["a", "b"]}));
        for d in 1..depth {
            params.push(json!({
                "name": format!("c{d}"), "type": "categorical", "choices": ["a", "b"],
                "condition": {"parent": format!("c{}", d - 1), "values": ["a"]}
            }));
        }
    }
    for i in 0..rng.random_range(1..7) {
        let mut p = param(&format!("p{i}"), rng);
        let parents: Vec<&Json> = params
            .iter()
            .filter(|p| p["type"] == "categorical")
            .collect();
        if !parents.is_empty() && rng.random_bool(0.5) {
            let parent = parents[rng.random_range(0..parents.len())];
            let choices = parent["choices"].as_array().unwrap();
            let value = choices[rng.random_range(0..choices.len())].clone();
            p["condition"] = json!({"parent": parent["name"], "values": [value]});
        }
        params.push(p);
    }
    Json::Array(params)
}

#[test]
fn every_proposal_on_generated_spaces_is_a_point_of_the_space() {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let samplers = [
        Qmc::sobol(),
        Qmc::halton(),
        Qmc::sobol().scramble(false),
        Qmc::halton().scramble(false),
    ];
    let (mut valid, mut deep) = (0, 0);
    for _ in 0..3_000 {
        let Ok(space) = SearchSpace::from_json(&space_json(&mut rng).to_string()) else {
            continue;
        };
        valid += 1;
        deep += usize::from(space.len() > 1024);
        let seed = rng.random::<u64>();
        let numbers = [
            0,
            1,
            2,
            3,
            rng.random_range(4..1 << 20),
            u64::MAX - 1,
            u64::MAX,
        ];
        for (i, sampler) in samplers.iter().enumerate() {
            // Deep spaces: the scrambled Sobol sampler only, to keep the test short.
            if space.len() > 64 && i > 0 {
                continue;
            }
            for number in numbers {
                let ctx = SampleContext {
                    space: &space,
                    trials: &[],
                    direction: Direction::Minimize,
                    number,
                    seed,
                };
                let mut unused = ChaCha8Rng::seed_from_u64(0);
                let proposal = sample_guarded(sampler, &ctx, &mut unused);
                match proposal {
                    Ok(Some(params)) => assert!(space.check(&params).is_ok()),
                    other => panic!("{sampler:?} trial {number} on {space:?}: {other:?}"),
                }
            }
        }
    }
    // The generator did its job: mostly valid spaces, some past the table.
    assert!(valid > 1_500 && deep > 5, "{valid} valid, {deep} deep");
}

#[test]
fn a_conditional_param_uses_its_own_dimension_when_active() {
    let space = SearchSpace::builder()
        .add("x", Domain::float(-2.0, 2.0))
        .add("n", Domain::int(1, 1000).log())
        .add("kind", Domain::categorical(["a", "b", "c"]))
        .add_when("w", Domain::float(0.0, 1.0).step(0.05), "kind", ["b"])
        .build()
        .unwrap();
    let qmc = Qmc::sobol();
    let (mut active, mut inactive) = (0, 0);
    for k in 0..64 {
        let point = qmc.point(&space, 3, k);
        let u = qmc.coordinates(4, 3, k);
        assert_eq!(
            point.value("x"),
            Some(&unit_map::value_at(&Domain::float(-2.0, 2.0), u[0]))
        );
        match point.value("w") {
            Some(w) => {
                active += 1;
                assert_eq!(point.value("kind"), Some(&Value::from("b")));
                let domain = Domain::float(0.0, 1.0).step(0.05);
                assert_eq!(w, &unit_map::value_at(&domain, u[3]));
            }
            None => inactive += 1,
        }
    }
    // floor(3u) stratifies the categorical: near a third of 64 have "b".
    assert!(
        (20..=23).contains(&active) && active + inactive == 64,
        "{active}"
    );
}

/// A space far past the Sobol table and the small primes, every sequence: 1500 params of
/// every kind, each active.
#[test]
fn every_sequence_proposes_on_a_space_of_1500_params() {
    let mut builder = SearchSpace::builder();
    for j in 0..1500 {
        builder = match j % 4 {
            0 => builder.add(format!("f{j}"), Domain::float(-1e308, 1e308)),
            1 => builder.add(format!("i{j}"), Domain::int(i64::MIN, i64::MAX)),
            2 => builder.add(format!("l{j}"), Domain::float(5e-324, f64::MAX).log()),
            _ => builder.add(format!("c{j}"), Domain::categorical(["a", "b", "c"])),
        };
    }
    let space = builder.build().unwrap();
    for qmc in [
        Qmc::sobol(),
        Qmc::halton(),
        Qmc::sobol().scramble(false),
        Qmc::halton().scramble(false),
    ] {
        for number in [0, 1, 1 << 40, u64::MAX] {
            let params = qmc.point(&space, 17, number);
            assert_eq!(params.len(), 1500, "{qmc:?}");
            assert!(space.check(&params).is_ok(), "{qmc:?} trial {number}");
        }
    }
}
