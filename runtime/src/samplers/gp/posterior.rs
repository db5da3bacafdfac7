//! The GP posterior at a point: mean and variance of the latent function, and their
//! gradients with respect to the point's numeric coordinates.

use faer::Mat;

use super::kernel::{add_covariance_gradient, covariance, KernelParams};
use super::linalg::Factor;

/// The covariance matrix of `x` with the noise on its diagonal.
pub(crate) fn gram(x: &[Vec<f64>], params: &KernelParams, categorical: &[bool]) -> Mat<f64> {
    let n = x.len();
    let mut k = Mat::<f64>::zeros(n, n);
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
    alpha: Vec<f64>,
    /// `K^-1` (with noise and any jitter).
    k_inv: Mat<f64>,
    /// The Cholesky factor of `K`.
    factor: Factor,
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
        let factor = Factor::with_jitter(&gram(&x, &params, &categorical))?;
        let alpha = factor.solve(y);
        let k_inv = factor.inverse();
        let n = x.len();
        let finite = alpha.iter().all(|v| v.is_finite())
            && (0..n).all(|j| k_inv.col(j).iter().all(|v| v.is_finite()));
        if !finite {
            return None;
        }
        Some(Posterior {
            x,
            params,
            categorical,
            alpha,
            k_inv,
            factor,
        })
    }

    /// The lengthscale of dim `j`, `1 / sqrt(isl_j)`.
    pub(crate) fn lengthscale(&self, j: usize) -> f64 {
        1.0 / self.params.inverse_squared_lengthscales[j].sqrt()
    }

    fn cross(&self, p: &[f64]) -> Vec<f64> {
        self.x
            .iter()
            .map(|xi| covariance(p, xi, &self.params, &self.categorical))
            .collect()
    }

    /// `K^-1 k`.
    fn k_inv_times(&self, k: &[f64]) -> Vec<f64> {
        let n = k.len();
        let mut v = vec![0.0; n];
        // Column by column (faer is column-major); K^-1 is symmetric.
        for (j, &kj) in k.iter().enumerate() {
            for (vi, a) in v.iter_mut().zip(self.k_inv.col(j).iter()) {
                *vi += a * kj;
            }
        }
        v
    }

    /// Mean and variance (at least 0) of the latent function at `p`.
    pub(crate) fn predict(&self, p: &[f64]) -> (f64, f64) {
        let k = self.cross(p);
        let mean = dot(&k, &self.alpha);
        let var = self.params.kernel_scale - dot(&k, &self.k_inv_times(&k));
        (mean, var.max(0.0))
    }

    /// [`predict`](Self::predict) at many points at once: the variance terms by one
    /// triangular solve with every point's covariances as a right-hand side (blocked, so
    /// much faster than a matrix-vector product per point at large n).
    pub(crate) fn predict_many(&self, points: &[Vec<f64>]) -> Vec<(f64, f64)> {
        let n = self.x.len();
        let mut out = Vec::with_capacity(points.len());
        // Chunks bound the memory to n * CHUNK floats.
        const CHUNK: usize = 512;
        for chunk in points.chunks(CHUNK) {
            let cross = Mat::from_fn(n, chunk.len(), |i, j| {
                covariance(&chunk[j], &self.x[i], &self.params, &self.categorical)
            });
            let means: Vec<f64> = (0..chunk.len())
                .map(|j| dot_col(&cross, j, &self.alpha))
                .collect();
            let forms = self.factor.quadratic_forms(cross);
            for (mean, form) in means.into_iter().zip(forms) {
                out.push((mean, (self.params.kernel_scale - form).max(0.0)));
            }
        }
        out
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
        let v = self.k_inv_times(&k);
        let mean = dot(&k, &self.alpha);
        let var = self.params.kernel_scale - dot(&k, &v);
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

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn dot_col(m: &Mat<f64>, j: usize, b: &[f64]) -> f64 {
    m.col(j).iter().zip(b).map(|(x, y)| x * y).sum()
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

    /// The batched path (one triangular solve for many points) against the one-point path
    /// (`K^-1` times a vector), with categorical and inactive coordinates, over more points
    /// than one chunk.
    #[test]
    fn predictions_at_many_points_match_one_by_one() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let point = |rng: &mut rand_chacha::ChaCha8Rng| {
            let c = f64::from(rng.random_range(0..3u8));
            let z = if rng.random::<f64>() < 0.3 {
                f64::NAN
            } else {
                rng.random()
            };
            vec![rng.random::<f64>(), c, z]
        };
        let x: Vec<Vec<f64>> = (0..40).map(|_| point(&mut rng)).collect();
        let y: Vec<f64> = (0..40).map(|_| rng.random::<f64>() - 0.5).collect();
        let params = KernelParams {
            inverse_squared_lengthscales: vec![5.0, 0.8, 2.0],
            kernel_scale: 1.4,
            noise_var: 1e-4,
        };
        let post = Posterior::new(x.clone(), &y, params, vec![false, true, false]).unwrap();
        let mut points: Vec<Vec<f64>> = (0..1100).map(|_| point(&mut rng)).collect();
        // Observed points too, where the variance nearly vanishes.
        points.extend(x.iter().take(5).cloned());
        let many = post.predict_many(&points);
        assert_eq!(many.len(), points.len());
        for (p, (mean, var)) in points.iter().zip(many) {
            let (m, v) = post.predict(p);
            assert!((m - mean).abs() < 1e-10, "mean at {p:?}: {m} vs {mean}");
            assert!((v - var).abs() < 1e-10, "var at {p:?}: {v} vs {var}");
        }
    }
}
