//! Chi-square checks that the random sampler is uniform in the transformed space.
//!
//! Each test draws N values with a fixed seed, bins them into k equiprobable bins and
//! compares the chi-square statistic with the 0.1% critical value for k - 1 degrees of
//! freedom. A sampler that is off by a few percent in any bin fails; a correct one passes
//! for these seeds (and for 999 seeds in 1000).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tunekit_runtime::{samplers::sample_domain, Domain, Value};

const DRAWS: usize = 40_000;

/// Upper 0.1% points of the chi-square distribution, by degrees of freedom.
fn critical_value(dof: usize) -> f64 {
    match dof {
        4 => 18.47,
        5 => 20.52,
        9 => 27.88,
        10 => 29.59,
        19 => 43.82,
        _ => panic!("no table entry for {dof} degrees of freedom"),
    }
}

fn chi_square(counts: &[usize]) -> f64 {
    let expected = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

fn assert_uniform(counts: &[usize], what: &str) {
    let stat = chi_square(counts);
    let limit = critical_value(counts.len() - 1);
    assert!(
        stat < limit,
        "{what}: chi-square {stat:.1} >= {limit} over bins {counts:?}"
    );
}

fn draws(domain: &Domain, seed: u64) -> Vec<Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..DRAWS)
        .map(|_| sample_domain(domain, &mut rng))
        .collect()
}

#[test]
fn float_is_uniform_and_inside_bounds() {
    let domain = Domain::float(-2.0, 3.0);
    let mut counts = vec![0; 20];
    for value in draws(&domain, 1) {
        let x = value.as_f64().unwrap();
        assert!((-2.0..=3.0).contains(&x));
        counts[(((x + 2.0) / 5.0 * 20.0) as usize).min(19)] += 1;
    }
    assert_uniform(&counts, "float");
}

#[test]
fn log_float_is_uniform_in_log_space() {
    let domain = Domain::float(1e-5, 1e-1).log();
    let mut counts = vec![0; 20];
    for value in draws(&domain, 2) {
        let x = value.as_f64().unwrap();
        assert!((1e-5..=1e-1).contains(&x));
        let u = (x.ln() - 1e-5f64.ln()) / (1e-1f64.ln() - 1e-5f64.ln());
        counts[((u * 20.0) as usize).min(19)] += 1;
    }
    assert_uniform(&counts, "log float");
    // The same draws are far from uniform on the linear scale: most mass is near 0.
    let below_a_tenth_of_range = draws(&domain, 2)
        .iter()
        .filter(|v| v.as_f64().unwrap() < 0.01)
        .count();
    assert!(below_a_tenth_of_range > DRAWS * 7 / 10);
}

#[test]
fn stepped_float_hits_every_grid_point_equally() {
    let domain = Domain::float(0.0, 0.5).step(0.05);
    let mut counts = vec![0; 11];
    for value in draws(&domain, 3) {
        let x = value.as_f64().unwrap();
        let k = (x / 0.05).round();
        assert!((x - k * 0.05).abs() < 1e-12, "{x} is off the step grid");
        counts[k as usize] += 1;
    }
    assert_uniform(&counts, "stepped float");
}

#[test]
fn int_with_step_is_uniform_over_its_grid() {
    let domain = Domain::Int {
        low: 3,
        high: 30,
        log: false,
        step: Some(3),
    };
    let mut counts = vec![0; 10];
    for value in draws(&domain, 4) {
        let x = value.as_i64().unwrap();
        assert!((3..=30).contains(&x) && x % 3 == 0, "{x}");
        counts[(x / 3 - 1) as usize] += 1;
    }
    assert_uniform(&counts, "stepped int");
}

#[test]
fn plain_int_includes_both_ends() {
    let domain = Domain::int(-2, 2);
    let mut counts = vec![0; 5];
    for value in draws(&domain, 5) {
        counts[(value.as_i64().unwrap() + 2) as usize] += 1;
    }
    assert_uniform(&counts, "int");
}

#[test]
fn log_int_follows_the_log_uniform_mass_of_each_integer() {
    // Each integer k in [1, 32] gets the log-uniform mass of [k - 0.5, k + 0.5].
    let domain = Domain::int(1, 32).log();
    let values = draws(&domain, 6);
    let total = (32.5f64 / 0.5).ln();
    for k in [1i64, 2, 8, 32] {
        let expected = ((k as f64 + 0.5) / (k as f64 - 0.5)).ln() / total;
        let observed =
            values.iter().filter(|v| v.as_i64() == Some(k)).count() as f64 / DRAWS as f64;
        let sd = (expected * (1.0 - expected) / DRAWS as f64).sqrt();
        assert!(
            (observed - expected).abs() < 4.0 * sd,
            "k = {k}: observed {observed:.4}, expected {expected:.4}"
        );
    }
}

#[test]
fn categorical_is_uniform_over_choices() {
    let domain = Domain::categorical(["a", "b", "c", "d", "e"]);
    let mut counts = vec![0; 5];
    for value in draws(&domain, 7) {
        let s = value.as_str().unwrap();
        counts[(s.as_bytes()[0] - b'a') as usize] += 1;
    }
    assert_uniform(&counts, "categorical");
}
