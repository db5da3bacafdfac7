//! The little linear algebra and probability CMA-ES needs: a symmetric eigendecomposition
//! (cyclic Jacobi; exact to rounding and fine for the tens of dimensions a hyperparameter
//! search has) and standard normal draws. The normal CDF and its inverse are
//! [`crate::samplers::normal`]'s.

use rand::{Rng, RngCore};

/// A dense square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    pub(crate) n: usize,
    pub(crate) data: Vec<f64>,
}

impl Matrix {
    /// The `n x n` identity.
    pub(crate) fn identity(n: usize) -> Self {
        let mut data = vec![0.0; n * n];
        for i in 0..n {
            data[i * n + i] = 1.0;
        }
        Matrix { n, data }
    }

    pub(crate) fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    pub(crate) fn set(&mut self, i: usize, j: usize, value: f64) {
        self.data[i * self.n + j] = value;
    }

    /// `self * v`.
    pub(crate) fn mul_vec(&self, v: &[f64]) -> Vec<f64> {
        (0..self.n)
            .map(|i| {
                let row = &self.data[i * self.n..(i + 1) * self.n];
                row.iter().zip(v).map(|(a, b)| a * b).sum()
            })
            .collect()
    }

    pub(crate) fn is_finite(&self) -> bool {
        self.data.iter().all(|x| x.is_finite())
    }
}

/// Eigendecomposition of a symmetric matrix: `a = b diag(values) b^T`, the columns of `b`
/// the eigenvectors. Cyclic Jacobi rotations until the off-diagonal part is negligible.
pub(crate) fn symmetric_eigen(a: &Matrix) -> (Vec<f64>, Matrix) {
    let n = a.n;
    let mut m = a.clone();
    // Symmetrize: rounding in the updates leaves tiny asymmetries.
    for i in 0..n {
        for j in 0..i {
            let mean = 0.5 * (m.get(i, j) + m.get(j, i));
            m.set(i, j, mean);
            m.set(j, i, mean);
        }
    }
    let mut b = Matrix::identity(n);
    for _sweep in 0..64 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..i).map(move |j| (i, j)))
            .map(|(i, j)| m.get(i, j) * m.get(i, j))
            .sum();
        let diag: f64 = (0..n).map(|i| m.get(i, i) * m.get(i, i)).sum();
        // Done when negligible (or not a number: nothing more to gain).
        if off.is_nan() || off <= 1e-30 * diag {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m.get(p, q);
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (m.get(p, p), m.get(q, q));
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (m.get(k, p), m.get(k, q));
                    m.set(k, p, c * akp - s * akq);
                    m.set(k, q, s * akp + c * akq);
                }
                for k in 0..n {
                    let (apk, aqk) = (m.get(p, k), m.get(q, k));
                    m.set(p, k, c * apk - s * aqk);
                    m.set(q, k, s * apk + c * aqk);
                }
                for k in 0..n {
                    let (bkp, bkq) = (b.get(k, p), b.get(k, q));
                    b.set(k, p, c * bkp - s * bkq);
                    b.set(k, q, s * bkp + c * bkq);
                }
            }
        }
    }
    ((0..n).map(|i| m.get(i, i)).collect(), b)
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
        let mut a = Matrix::identity(n);
        for i in 0..n {
            for j in 0..=i {
                let x = standard_normal(&mut rng);
                a.set(i, j, x);
                a.set(j, i, x);
            }
        }
        let (values, b) = symmetric_eigen(&a);
        for i in 0..n {
            for j in 0..n {
                let rebuilt: f64 = (0..n).map(|k| b.get(i, k) * values[k] * b.get(j, k)).sum();
                assert!((rebuilt - a.get(i, j)).abs() < 1e-12, "{i},{j}");
                let dot: f64 = (0..n).map(|k| b.get(k, i) * b.get(k, j)).sum();
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((dot - expected).abs() < 1e-12);
            }
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
