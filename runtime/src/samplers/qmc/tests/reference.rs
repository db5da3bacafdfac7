//! The first points against scipy 1.17.1's `scipy.stats.qmc`, which uses the same Joe
//! and Kuo file: `Sobol(d, scramble=False).random(n)` and `Halton(d, scramble=False)`.

use super::super::Qmc;

/// `Sobol(d=8, scramble=False).random(16)`.
const SOBOL8_16: [[f64; 8]; 16] = [
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
    [0.75, 0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75],
    [0.25, 0.75, 0.75, 0.75, 0.25, 0.25, 0.75, 0.25],
    [0.375, 0.375, 0.625, 0.875, 0.375, 0.125, 0.375, 0.875],
    [0.875, 0.875, 0.125, 0.375, 0.875, 0.625, 0.875, 0.375],
    [0.625, 0.125, 0.875, 0.625, 0.625, 0.875, 0.125, 0.125],
    [0.125, 0.625, 0.375, 0.125, 0.125, 0.375, 0.625, 0.625],
    [
        0.1875, 0.3125, 0.9375, 0.4375, 0.5625, 0.3125, 0.4375, 0.9375,
    ],
    [
        0.6875, 0.8125, 0.4375, 0.9375, 0.0625, 0.8125, 0.9375, 0.4375,
    ],
    [
        0.9375, 0.0625, 0.6875, 0.1875, 0.3125, 0.5625, 0.1875, 0.1875,
    ],
    [
        0.4375, 0.5625, 0.1875, 0.6875, 0.8125, 0.0625, 0.6875, 0.6875,
    ],
    [
        0.3125, 0.1875, 0.3125, 0.5625, 0.9375, 0.4375, 0.0625, 0.0625,
    ],
    [
        0.8125, 0.6875, 0.8125, 0.0625, 0.4375, 0.9375, 0.5625, 0.5625,
    ],
    [
        0.5625, 0.4375, 0.0625, 0.8125, 0.1875, 0.6875, 0.3125, 0.8125,
    ],
    [
        0.0625, 0.9375, 0.5625, 0.3125, 0.6875, 0.1875, 0.8125, 0.3125,
    ],
];

/// `Sobol(d=1024, scramble=False).random(8)[:, 1000:1024:5]`: the last rows of the table.
const SOBOL_HIGH_DIMS: [[f64; 5]; 8] = [
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [0.5, 0.5, 0.5, 0.5, 0.5],
    [0.25, 0.75, 0.75, 0.75, 0.75],
    [0.75, 0.25, 0.25, 0.25, 0.25],
    [0.875, 0.625, 0.875, 0.875, 0.625],
    [0.375, 0.125, 0.375, 0.375, 0.125],
    [0.625, 0.375, 0.125, 0.125, 0.375],
    [0.125, 0.875, 0.625, 0.625, 0.875],
];

/// `Halton(d=5, scramble=False).random(12)`, as scipy prints the floats.
const HALTON5_12: [[f64; 5]; 12] = [
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [
        0.5,
        0.3333333333333333,
        0.2,
        0.14285714285714285,
        0.09090909090909091,
    ],
    [
        0.25,
        0.6666666666666666,
        0.4,
        0.2857142857142857,
        0.18181818181818182,
    ],
    [
        0.75,
        0.1111111111111111,
        0.6000000000000001,
        0.42857142857142855,
        0.2727272727272727,
    ],
    [
        0.125,
        0.4444444444444444,
        0.8,
        0.5714285714285714,
        0.36363636363636365,
    ],
    [
        0.625,
        0.7777777777777777,
        0.04,
        0.7142857142857142,
        0.4545454545454546,
    ],
    [
        0.375,
        0.2222222222222222,
        0.24000000000000002,
        0.8571428571428571,
        0.5454545454545454,
    ],
    [
        0.875,
        0.5555555555555556,
        0.44,
        0.02040816326530612,
        0.6363636363636364,
    ],
    [
        0.0625,
        0.8888888888888888,
        0.6400000000000001,
        0.16326530612244897,
        0.7272727272727273,
    ],
    [
        0.5625,
        0.037037037037037035,
        0.8400000000000001,
        0.30612244897959184,
        0.8181818181818182,
    ],
    [
        0.3125,
        0.37037037037037035,
        0.08,
        0.4489795918367347,
        0.9090909090909092,
    ],
    [
        0.8125,
        0.7037037037037037,
        0.28,
        0.5918367346938775,
        0.008264462809917356,
    ],
];

#[test]
fn unscrambled_sobol_equals_scipy_exactly() {
    let sobol = Qmc::sobol().scramble(false);
    for (k, row) in SOBOL8_16.iter().enumerate() {
        // The seed does not matter unscrambled.
        assert_eq!(
            sobol.unit_point(8, k as u64 * 31, k as u64),
            row,
            "point {k}"
        );
    }
    for (k, row) in SOBOL_HIGH_DIMS.iter().enumerate() {
        let point = sobol.unit_point(1024, 0, k as u64);
        let picked: Vec<f64> = (1000..1024).step_by(5).map(|j| point[j]).collect();
        assert_eq!(picked, row, "point {k}");
    }
}

#[test]
fn unscrambled_halton_equals_scipy_exactly() {
    let halton = Qmc::halton().scramble(false);
    for (k, row) in HALTON5_12.iter().enumerate() {
        assert_eq!(halton.unit_point(5, 0, k as u64), row, "point {k}");
    }
}

#[test]
fn scrambled_points_depend_on_seed_and_index_only() {
    for qmc in [Qmc::sobol(), Qmc::halton()] {
        let a = qmc.unit_point(4, 11, 37);
        assert_eq!(a, qmc.unit_point(4, 11, 37));
        assert_ne!(a, qmc.unit_point(4, 12, 37), "{qmc:?}");
        assert_ne!(a, qmc.unit_point(4, 11, 38), "{qmc:?}");
        // Dimension j does not depend on how many dimensions there are.
        assert_eq!(a[..2], qmc.unit_point(2, 11, 37)[..]);
        // Point 0 is no longer the corner.
        assert!(
            qmc.unit_point(4, 11, 0).iter().all(|&u| u != 0.0),
            "{qmc:?}"
        );
    }
}

/// Dimensions 0 and 1 of Sobol form a (0, m, 2)-net: for every split `a + b = m`, each
/// box `[i / 2^a, (i + 1) / 2^a) x [j / 2^b, (j + 1) / 2^b)` holds exactly one of the
/// first `2^m` points. The linear matrix scramble and digital shift keep that.
#[test]
fn sobol_first_two_dimensions_form_a_0_m_2_net_scrambled_or_not() {
    const M: u32 = 8;
    for qmc in [Qmc::sobol().scramble(false), Qmc::sobol()] {
        for seed in [0, 1, 2] {
            let points: Vec<Vec<f64>> =
                (0..1u64 << M).map(|k| qmc.unit_point(2, seed, k)).collect();
            for a in 0..=M {
                let mut count = vec![0u32; 1 << M];
                for p in &points {
                    let i = (p[0] * f64::from(1u32 << a)) as usize;
                    let j = (p[1] * f64::from(1u32 << (M - a))) as usize;
                    count[(i << (M - a)) | j] += 1;
                }
                assert!(
                    count.iter().all(|&c| c == 1),
                    "{qmc:?} seed {seed} split {a}"
                );
            }
        }
    }
}
