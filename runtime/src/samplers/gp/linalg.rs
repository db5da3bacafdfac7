//! The GP's dense linear algebra on faer: Cholesky with jitter retries, solves, the
//! inverse, and the variance term of many points at once.
//!
//! faer rather than nalgebra (which the CMA-ES sampler keeps) because its Cholesky,
//! triangular inverse and multi-right-hand-side triangular solves are blocked and
//! vectorised: at n = 500, Cholesky plus inverse takes about 14 ms against nalgebra's
//! 113 ms, and a triangular solve with 2048 right-hand sides about 40 ms against 195 ms
//! (measured on the dev machine, see `runtime/benches/gp.rs`). Both costs are paid in
//! every marginal-likelihood evaluation and every ask. Everything runs sequentially
//! (faer without its `rayon` feature), so results do not depend on thread scheduling.

use faer::linalg::solvers::DenseSolveCore;
use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::{Mat, Par, Side};

/// A Cholesky factorisation `K = L L^T`.
#[derive(Debug, Clone)]
pub(crate) struct Factor {
    llt: faer::linalg::solvers::Llt<f64>,
}

impl Factor {
    /// The factor of the symmetric `k` (its lower triangle is read), or `None` when `k`
    /// is not numerically positive definite or has a non-finite entry.
    pub(crate) fn new(k: &Mat<f64>) -> Option<Factor> {
        if !all_finite(k) {
            return None;
        }
        let llt = k.llt(Side::Lower).ok()?;
        // faer accepts tiny positive pivots that leave the solves useless; require a
        // finite, positive diagonal.
        let diagonal_ok = (0..k.nrows()).all(|i| {
            let v = llt.L()[(i, i)];
            v.is_finite() && v > 0.0
        });
        diagonal_ok.then_some(Factor { llt })
    }

    /// The factor of `k`, adding jitter to the diagonal (1e-10, 1e-9, .. 1e-2 times its
    /// mean) while it is not numerically positive definite. `None` when even that fails or
    /// `k` has a non-finite entry.
    pub(crate) fn with_jitter(k: &Mat<f64>) -> Option<Factor> {
        if !all_finite(k) {
            return None;
        }
        if let Some(f) = Factor::new(k) {
            return Some(f);
        }
        let n = k.nrows().max(1);
        let scale = ((0..k.nrows()).map(|i| k[(i, i)].abs()).sum::<f64>() / n as f64).max(1e-300);
        let mut jitter = 1e-10 * scale;
        for _ in 0..9 {
            let mut m = k.clone();
            for i in 0..k.nrows() {
                m[(i, i)] += jitter;
            }
            if let Some(f) = Factor::new(&m) {
                return Some(f);
            }
            jitter *= 10.0;
        }
        None
    }

    /// `ln det K`.
    pub(crate) fn log_det(&self) -> f64 {
        let l = self.llt.L();
        2.0 * (0..l.nrows()).map(|i| l[(i, i)].ln()).sum::<f64>()
    }

    /// `K^-1 y`.
    pub(crate) fn solve(&self, y: &[f64]) -> Vec<f64> {
        let mut rhs = Mat::from_fn(y.len(), 1, |i, _| y[i]);
        let l = self.llt.L();
        solve_lower_triangular_in_place(l, rhs.as_mut(), Par::Seq);
        solve_upper_triangular_in_place(l.transpose(), rhs.as_mut(), Par::Seq);
        (0..y.len()).map(|i| rhs[(i, 0)]).collect()
    }

    /// `K^-1`, both triangles filled.
    pub(crate) fn inverse(&self) -> Mat<f64> {
        self.llt.inverse()
    }

    /// `k_j^T K^-1 k_j` for each column `k_j` of `cross` (n rows): one triangular solve
    /// with every column as a right-hand side, then the squared column norms.
    pub(crate) fn quadratic_forms(&self, mut cross: Mat<f64>) -> Vec<f64> {
        solve_lower_triangular_in_place(self.llt.L(), cross.as_mut(), Par::Seq);
        (0..cross.ncols())
            .map(|j| cross.col(j).iter().map(|v| v * v).sum())
            .collect()
    }
}

fn all_finite(k: &Mat<f64>) -> bool {
    (0..k.ncols()).all(|j| k.col(j).iter().all(|v| v.is_finite()))
}

#[cfg(test)]
mod tests {
    use nalgebra::{Cholesky, DMatrix, DVector};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// A random SPD matrix `A A^T / n + eps I`, as nalgebra and faer matrices.
    fn random_spd(rng: &mut ChaCha8Rng, n: usize, eps: f64) -> (DMatrix<f64>, Mat<f64>) {
        let a = DMatrix::from_fn(n, n, |_, _| rng.random::<f64>() * 2.0 - 1.0);
        let mut k = &a * a.transpose() / n as f64;
        for i in 0..n {
            k[(i, i)] += eps;
        }
        let f = Mat::from_fn(n, n, |i, j| k[(i, j)]);
        (k, f)
    }

    /// Against the nalgebra path this module replaced, on random SPD matrices of sizes
    /// that cross faer's blocking thresholds.
    #[test]
    fn agrees_with_nalgebra_on_random_spd_matrices() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for (n, eps) in [(1, 0.5), (3, 1e-3), (17, 1e-2), (70, 1e-4), (150, 1e-3)] {
            let (k, kf) = random_spd(&mut rng, n, eps);
            let chol = Cholesky::new(k.clone()).unwrap();
            let factor = Factor::new(&kf).unwrap();
            let y: Vec<f64> = (0..n).map(|_| rng.random::<f64>() - 0.5).collect();
            let expected = chol.solve(&DVector::from_column_slice(&y));
            let scale = expected.amax().max(1.0);
            for (a, b) in factor.solve(&y).iter().zip(expected.iter()) {
                assert!((a - b).abs() < 1e-9 * scale, "n {n}: solve {a} vs {b}");
            }
            let inv = chol.inverse();
            let finv = factor.inverse();
            let scale = inv.amax().max(1.0);
            for i in 0..n {
                for j in 0..n {
                    let (a, b) = (finv[(i, j)], inv[(i, j)]);
                    assert!(
                        (a - b).abs() < 1e-9 * scale,
                        "n {n}: inv ({i}, {j}) {a} vs {b}"
                    );
                }
            }
            let log_det = 2.0 * chol.l().diagonal().iter().map(|v| v.ln()).sum::<f64>();
            assert!((factor.log_det() - log_det).abs() < 1e-9 * log_det.abs().max(1.0));
            let m = 5;
            let cross = DMatrix::from_fn(n, m, |_, _| rng.random::<f64>());
            let forms = factor.quadratic_forms(Mat::from_fn(n, m, |i, j| cross[(i, j)]));
            for (j, form) in forms.iter().enumerate() {
                let c = cross.column(j).into_owned();
                let direct = c.dot(&(&inv * &c));
                assert!(
                    (form - direct).abs() < 1e-9 * direct.abs().max(1.0),
                    "n {n}"
                );
            }
        }
    }

    #[test]
    fn jitter_rescues_a_singular_matrix() {
        // Two identical points without noise: rank 1.
        let k = Mat::from_fn(2, 2, |_, _| 1.0);
        assert!(Factor::new(&k).is_none());
        assert!(Factor::with_jitter(&k).is_some());
        let bad = Mat::from_fn(1, 1, |_, _| f64::NAN);
        assert!(Factor::with_jitter(&bad).is_none());
        let negative = Mat::from_fn(1, 1, |_, _| -1.0);
        assert!(Factor::with_jitter(&negative).is_none());
    }
}
