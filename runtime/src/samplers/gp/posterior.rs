//! The GP posterior at a point: mean and variance of the latent function, and their
//! gradients with respect to the point's numeric coordinates.

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};

use super::kernel::{add_covariance_gradient, covariance, KernelParams};

/// The Cholesky factor of `k`, adding jitter to the diagonal (1e-10, 1e-9, .. 1e-2 times
/// its mean) while it is not numerically positive definite. `None` when even that fails or
/// `k` has a non-finite entry.
pub(crate) fn cholesky_with_jitter(k: &DMatrix<f64>) -> Option<Cholesky<f64, Dyn>> {
    if k.iter().any(|v| !v.is_finite()) {
        return None;
    }
    if let Some(c) = Cholesky::new(k.clone()) {
        return Some(c);
    }
    let n = k.nrows().max(1);
    let scale = (k.diagonal().iter().map(|v| v.abs()).sum::<f64>() / n as f64).max(1e-300);
    let mut jitter = 1e-10 * scale;
    for _ in 0..9 {
        let mut m = k.clone();
        for i in 0..k.nrows() {
            m[(i, i)] += jitter;
        }
        if let Some(c) = Cholesky::new(m) {
            return Some(c);
        }
        jitter *= 10.0;
    }
    None
}

/// The covariance matrix of `x` with the noise on its diagonal.
pub(crate) fn gram(x: &[Vec<f64>], params: &KernelParams, categorical: &[bool]) -> DMatrix<f64> {
    let n = x.len();
    let mut k = DMatrix::zeros(n, n);
    for a in 0..n {
        k[(a, a)] = params.kernel_scale + params.noise_var;
        for b in 0..a {
            let v = covariance(&x[a], &x[b], params, categorical);
            k[(a, b)] = v;
            k[(b, a)] = v;
        }
    }
    k
}

/// A GP conditioned on observations.
#[derive(Debug, Clone)]
pub(crate) struct Posterior {
    x: Vec<Vec<f64>>,
    params: KernelParams,
    categorical: Vec<bool>,
    /// `K^-1 y`.
    alpha: DVector<f64>,
    /// `K^-1` (with noise and any jitter).
    k_inv: DMatrix<f64>,
}

impl Posterior {
    /// Conditions the GP with `params` on targets `y` at `x`; `None` when the covariance
    /// cannot be factored even with jitter.
    pub(crate) fn new(
        x: Vec<Vec<f64>>,
        y: &[f64],
        params: KernelParams,
        categorical: Vec<bool>,
    ) -> Option<Self> {
        let chol = cholesky_with_jitter(&gram(&x, &params, &categorical))?;
        let alpha = chol.solve(&DVector::from_column_slice(y));
        let k_inv = chol.inverse();
        if alpha.iter().chain(k_inv.iter()).any(|v| !v.is_finite()) {
            return None;
        }
        Some(Posterior {
            x,
            params,
            categorical,
            alpha,
            k_inv,
        })
    }

    fn cross(&self, p: &[f64]) -> DVector<f64> {
        DVector::from_iterator(
            self.x.len(),
            self.x
                .iter()
                .map(|xi| covariance(p, xi, &self.params, &self.categorical)),
        )
    }

    /// Mean and variance (at least 0) of the latent function at `p`.
    pub(crate) fn predict(&self, p: &[f64]) -> (f64, f64) {
        let k = self.cross(p);
        let mean = k.dot(&self.alpha);
        let var = self.params.kernel_scale - k.dot(&(&self.k_inv * &k));
        (mean, var.max(0.0))
    }

    /// [`predict`](Self::predict), and the gradients of mean and variance with respect to
    /// the numeric coordinates of `p` (zero for categorical and inactive ones).
    pub(crate) fn predict_with_gradient(
        &self,
        p: &[f64],
        dmean: &mut [f64],
        dvar: &mut [f64],
    ) -> (f64, f64) {
        let k = self.cross(p);
        let v = &self.k_inv * &k;
        let mean = k.dot(&self.alpha);
        let var = self.params.kernel_scale - k.dot(&v);
        dmean.fill(0.0);
        dvar.fill(0.0);
        for (i, xi) in self.x.iter().enumerate() {
            let (p_, c_) = (&self.params, &self.categorical);
            add_covariance_gradient(p, xi, p_, c_, self.alpha[i], dmean);
            add_covariance_gradient(p, xi, p_, c_, -2.0 * v[i], dvar);
        }
        if var <= 0.0 {
            dvar.fill(0.0);
        }
        (mean, var.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3-point example checked independently: numpy, `K = 1.5 * matern52(d) + 0.01 I`
    /// with `d = 2 (a0 - b0)^2 + 0.5 [a1 != b1]`, `mean = k^T K^-1 y`,
    /// `var = 1.5 - k^T K^-1 k`.
    #[test]
    fn posterior_on_three_points_matches_numpy() {
        let params = KernelParams {
            inverse_squared_lengthscales: vec![2.0, 0.5],
            kernel_scale: 1.5,
            noise_var: 0.01,
        };
        let x = vec![vec![0.1, 0.0], vec![0.5, 1.0], vec![0.9, 0.0]];
        let post = Posterior::new(x, &[1.0, -0.5, 0.3], params, vec![false, true]).unwrap();
        for (p, mean, var) in [
            (
                [0.3, 0.0],
                0.801_125_160_988_267_2,
                0.111_281_970_119_161_85,
            ),
            (
                [0.7, 1.0],
                -0.530_352_867_357_383_4,
                0.130_324_279_790_877_68,
            ),
        ] {
            let (m, v) = post.predict(&p);
            assert!((m - mean).abs() < 1e-12, "mean at {p:?}: {m} vs {mean}");
            assert!((v - var).abs() < 1e-12, "var at {p:?}: {v} vs {var}");
        }
    }

    #[test]
    fn jitter_rescues_a_singular_matrix() {
        // Two identical points without noise: rank 1.
        let k = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        assert!(Cholesky::new(k.clone()).is_none());
        assert!(cholesky_with_jitter(&k).is_some());
        let bad = DMatrix::from_row_slice(1, 1, &[f64::NAN]);
        assert!(cholesky_with_jitter(&bad).is_none());
    }

    #[test]
    fn posterior_gradients_match_finite_differences() {
        let params = KernelParams {
            inverse_squared_lengthscales: vec![3.0, 0.7, 1.0],
            kernel_scale: 1.3,
            noise_var: 1e-3,
        };
        let categorical = vec![false, false, true];
        let x = vec![
            vec![0.1, 0.2, 0.0],
            vec![0.8, 0.5, 1.0],
            vec![0.4, f64::NAN, 0.0],
            vec![0.6, 0.9, 2.0],
        ];
        let post = Posterior::new(x, &[0.3, -1.0, 0.8, 0.1], params, categorical).unwrap();
        let p = [0.35, 0.6, 1.0];
        let (mut dm, mut dv) = (vec![0.0; 3], vec![0.0; 3]);
        post.predict_with_gradient(&p, &mut dm, &mut dv);
        for j in 0..2 {
            let h = 1e-6;
            let (mut up, mut down) = (p, p);
            up[j] += h;
            down[j] -= h;
            let (mu, vu) = post.predict(&up);
            let (md, vd) = post.predict(&down);
            assert!(
                ((mu - md) / (2.0 * h) - dm[j]).abs() < 1e-6,
                "mean, dim {j}"
            );
            assert!(((vu - vd) / (2.0 * h) - dv[j]).abs() < 1e-6, "var, dim {j}");
        }
        assert_eq!((dm[2], dv[2]), (0.0, 0.0));
    }
}
