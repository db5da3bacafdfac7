//! The little linear algebra and probability CMA-ES needs: the eigendecomposition of the
//! covariance (nalgebra's [`SymmetricEigen`], sorted) and standard normal draws. The
//! normal CDF and its inverse are [`crate::samplers::normal`]'s.

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use rand::{Rng, RngCore};

/// QR sweeps allowed before the decomposition gives up; symmetric QR with Wilkinson shifts
/// converges in a few per eigenvalue.
const MAX_EIGEN_ITERATIONS: usize = 10_000;

/// Eigendecomposition of a symmetric matrix: `a = b diag(values) b^T`, the columns of `b`
/// the eigenvectors, values ascending (as `numpy.linalg.eigh`, which `cmaes` uses).
/// `a` is symmetrized first: rounding in the updates leaves tiny asymmetries. `None` when
/// `a` holds a non-finite number (the QR iteration could then spin or spread NaN) or the
/// iteration does not converge.
pub(crate) fn symmetric_eigen(a: &DMatrix<f64>) -> Option<(DVector<f64>, DMatrix<f64>)> {
    if !a.iter().all(|x| x.is_finite()) {
        return None;
    }
    let symmetric = (a + a.transpose()) * 0.5;
    let eigen = SymmetricEigen::try_new(symmetric, f64::EPSILON, MAX_EIGEN_ITERATIONS)?;
    let mut order: Vec<usize> = (0..a.nrows()).collect();
    order.sort_by(|&i, &j| eigen.eigenvalues[i].total_cmp(&eigen.eigenvalues[j]));
    let values = DVector::from_iterator(order.len(), order.iter().map(|&k| eigen.eigenvalues[k]));
    let vectors = eigen.eigenvectors.select_columns(&order);
    Some((values, vectors))
}

/// One standard normal draw (Box-Muller).
pub(crate) fn standard_normal(rng: &mut dyn RngCore) -> f64 {
    // 1 - [0, 1) is in (0, 1], so the log is finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn eigen_reconstructs_a_random_symmetric_matrix() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let n = 7;
        let mut a = DMatrix::zeros(n, n);
        for i in 0..n {
            for j in 0..=i {
                let x = standard_normal(&mut rng);
                a[(i, j)] = x;
                a[(j, i)] = x;
            }
        }
        let (values, b) = symmetric_eigen(&a).unwrap();
        assert!(
            values.as_slice().windows(2).all(|w| w[0] <= w[1]),
            "{values}"
        );
        let rebuilt = &b * DMatrix::from_diagonal(&values) * b.transpose();
        assert!((rebuilt - &a).abs().max() < 1e-12);
        let gram = b.transpose() * &b;
        assert!((gram - DMatrix::identity(n, n)).abs().max() < 1e-12);
    }

    #[test]
    fn non_finite_input_is_refused() {
        for bad in [f64::NAN, f64::INFINITY] {
            let mut a = DMatrix::identity(3, 3);
            a[(1, 2)] = bad;
            assert!(symmetric_eigen(&a).is_none());
        }
    }

    #[test]
    fn normal_draws_have_unit_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let draws: Vec<f64> = (0..20_000).map(|_| standard_normal(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.04,
            "{mean} {var}"
        );
    }
}
