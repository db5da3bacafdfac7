//! MAP kernel hyperparameters: the negative log marginal likelihood plus Optuna's log
//! prior, minimised over the log hyperparameters by bounded L-BFGS.
//!
//! The search variables are `ln(isl_j)` for each inverse squared lengthscale,
//! `ln(kernel_scale)` and `ln(noise_var - min_noise)`. The prior (Optuna's
//! `default_log_prior`): `-(0.1 / isl + 0.1 isl)` summed over the lengthscales,
//! `Gamma(2, 1)` on the kernel scale and `Gamma(1.1, 30)` on the noise variance (constant
//! factors omitted).

use nalgebra::{Cholesky, DMatrix, DVector};

use super::kernel::{dim_term, matern52, matern52_derivative, squared_distance, KernelParams};
use super::lbfgs::{minimize, Stop};

/// Optuna's floor on the noise variance.
pub(crate) const MIN_NOISE_VAR: f64 = 1e-6;

/// Box on the log hyperparameters, so that a flat likelihood cannot run them to overflow.
const LOG_ISL_BOUNDS: (f64, f64) = (-14.0, 14.0);
const LOG_SCALE_BOUNDS: (f64, f64) = (-12.0, 12.0);
const LOG_NOISE_BOUNDS: (f64, f64) = (-30.0, 3.0);

/// The kernel params at search variables `raw`.
pub(crate) fn params_of(raw: &[f64]) -> KernelParams {
    let d = raw.len() - 2;
    KernelParams {
        inverse_squared_lengthscales: raw[..d].iter().map(|v| v.exp()).collect(),
        kernel_scale: raw[d].exp(),
        noise_var: MIN_NOISE_VAR + raw[d + 1].exp(),
    }
}

/// The search variables of `params`.
pub(crate) fn raw_of(params: &KernelParams) -> Vec<f64> {
    let mut raw: Vec<f64> = params
        .inverse_squared_lengthscales
        .iter()
        .map(|v| v.ln())
        .collect();
    raw.push(params.kernel_scale.ln());
    raw.push((params.noise_var - MIN_NOISE_VAR).max(1e-300).ln());
    raw
}

/// Optuna's log prior of the kernel params (up to a constant).
pub(crate) fn log_prior(params: &KernelParams) -> f64 {
    let gamma = |x: f64, concentration: f64, rate: f64| (concentration - 1.0) * x.ln() - rate * x;
    -params
        .inverse_squared_lengthscales
        .iter()
        .map(|l| 0.1 / l + 0.1 * l)
        .sum::<f64>()
        + gamma(params.kernel_scale, 2.0, 1.0)
        + gamma(params.noise_var, 1.1, 30.0)
}

/// `-(log marginal likelihood + log prior)` at search variables `raw`, with its gradient
/// written to `grad`; `+inf` when the covariance is not positive definite.
pub(crate) fn loss(
    x: &[Vec<f64>],
    y: &[f64],
    categorical: &[bool],
    raw: &[f64],
    grad: &mut [f64],
) -> f64 {
    let n = x.len();
    let d = raw.len() - 2;
    let params = params_of(raw);
    let isl = &params.inverse_squared_lengthscales;
    let (scale, noise) = (params.kernel_scale, params.noise_var);
    let mut f = DMatrix::zeros(n, n);
    let mut fp = DMatrix::zeros(n, n);
    for a in 0..n {
        f[(a, a)] = 1.0;
        for b in 0..a {
            let dist = squared_distance(&x[a], &x[b], isl, categorical);
            let (v, dv) = (matern52(dist), matern52_derivative(dist));
            f[(a, b)] = v;
            f[(b, a)] = v;
            fp[(a, b)] = dv;
        }
    }
    let mut k = &f * scale;
    for a in 0..n {
        k[(a, a)] += noise;
    }
    if k.iter().any(|v| !v.is_finite()) {
        return f64::INFINITY;
    }
    let Some(chol) = Cholesky::new(k) else {
        return f64::INFINITY;
    };
    let yv = DVector::from_column_slice(y);
    let alpha = chol.solve(&yv);
    let log_det = 2.0
        * chol
            .l_dirty()
            .diagonal()
            .iter()
            .map(|v| v.ln())
            .sum::<f64>();
    let nll =
        0.5 * yv.dot(&alpha) + 0.5 * log_det + 0.5 * n as f64 * (2.0 * std::f64::consts::PI).ln();
    let value = nll - log_prior(&params);
    if !value.is_finite() {
        return f64::INFINITY;
    }
    // d nll / d theta = -1/2 tr(W dK/dtheta), W = alpha alpha^T - K^-1.
    let mut w = chol.inverse();
    w.neg_mut();
    w.ger(1.0, &alpha, &alpha, 1.0);
    grad.fill(0.0);
    let mut g_scale = 0.0;
    let mut g_noise = 0.0;
    for a in 0..n {
        g_scale += w[(a, a)];
        g_noise += w[(a, a)];
        for b in 0..a {
            let wab = 2.0 * w[(a, b)];
            g_scale += wab * f[(a, b)];
            let outer = wab * scale * fp[(a, b)];
            for j in 0..d {
                grad[j] += outer * isl[j] * dim_term(x[a][j], x[b][j], categorical[j]);
            }
        }
    }
    let noise_excess = noise - MIN_NOISE_VAR;
    for j in 0..d {
        grad[j] = -0.5 * grad[j] - (0.1 / isl[j] - 0.1 * isl[j]);
    }
    grad[d] = -0.5 * g_scale * scale - (1.0 - scale);
    grad[d + 1] = -0.5 * g_noise * noise_excess - (0.1 / noise - 30.0) * noise_excess;
    value
}

/// The MAP kernel params for targets `y` at `x`, searched from `start` (moved into the
/// search box); that start when no better point is found (or the loss is not finite
/// there). With `deterministic`, the noise variance is held at its minimum (as Optuna's
/// `deterministic_objective`).
pub(crate) fn fit(
    x: &[Vec<f64>],
    y: &[f64],
    categorical: &[bool],
    start: &KernelParams,
    deterministic: bool,
) -> KernelParams {
    let d = categorical.len();
    let mut lower = vec![LOG_ISL_BOUNDS.0; d];
    let mut upper = vec![LOG_ISL_BOUNDS.1; d];
    let noise_upper = if deterministic {
        LOG_NOISE_BOUNDS.0
    } else {
        LOG_NOISE_BOUNDS.1
    };
    lower.extend([LOG_SCALE_BOUNDS.0, LOG_NOISE_BOUNDS.0]);
    upper.extend([LOG_SCALE_BOUNDS.1, noise_upper]);
    let stop = Stop {
        max_iters: 100,
        gtol: 1e-2,
    };
    // Never worse than the (clamped) start, which it returns when the loss is not finite.
    let (raw, _) = minimize(
        |raw, grad| loss(x, y, categorical, raw, grad),
        &raw_of(start),
        &lower,
        &upper,
        stop,
    );
    params_of(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Vec<Vec<f64>>, Vec<f64>, Vec<bool>) {
        let x = vec![
            vec![0.1, 0.0, 0.3],
            vec![0.5, 1.0, 0.9],
            vec![0.9, 0.0, f64::NAN],
            vec![0.3, 2.0, 0.2],
            vec![0.7, 1.0, 0.6],
        ];
        let y = vec![-0.5, 1.2, 0.3, -1.1, 0.1];
        (x, y, vec![false, true, false])
    }

    #[test]
    fn marginal_likelihood_gradient_matches_finite_differences() {
        let (x, y, cat) = data();
        for raw in [
            vec![0.0, 0.0, 0.0, 0.0, 0.0],
            vec![1.2, -0.7, 0.4, 0.3, -3.0],
            vec![-1.0, 2.0, -0.5, -0.8, -8.0],
        ] {
            let mut grad = vec![0.0; raw.len()];
            let value = loss(&x, &y, &cat, &raw, &mut grad);
            assert!(value.is_finite());
            for j in 0..raw.len() {
                let h = 1e-5;
                let (mut up, mut down) = (raw.clone(), raw.clone());
                up[j] += h;
                down[j] -= h;
                let mut scratch = vec![0.0; raw.len()];
                let numeric = (loss(&x, &y, &cat, &up, &mut scratch)
                    - loss(&x, &y, &cat, &down, &mut scratch))
                    / (2.0 * h);
                assert!(
                    (numeric - grad[j]).abs() <= 1e-5 * numeric.abs().max(1.0),
                    "raw {raw:?}, var {j}: numeric {numeric}, analytic {}",
                    grad[j]
                );
            }
        }
    }

    #[test]
    fn fitting_lowers_the_loss() {
        let (x, y, cat) = data();
        let start = KernelParams::initial(3);
        let fitted = fit(&x, &y, &cat, &start, false);
        let mut g = vec![0.0; 5];
        let before = loss(&x, &y, &cat, &raw_of(&start), &mut g);
        let after = loss(&x, &y, &cat, &raw_of(&fitted), &mut g);
        assert!(after < before - 1e-3, "{before} -> {after}");
        assert!(fitted.noise_var >= MIN_NOISE_VAR);
        let exact = fit(&x, &y, &cat, &start, true);
        assert!(exact.noise_var < MIN_NOISE_VAR * (1.0 + 1e-6), "{exact:?}");
        assert!(loss(&x, &y, &cat, &raw_of(&exact), &mut g) < before);
    }

    #[test]
    fn a_log_prior_value_checked_by_hand() {
        // isl = (1, 2), scale 1, noise 0.1:
        // -(0.1 + 0.1) - (0.05 + 0.2) + (0 - 1) + (0.1 ln 0.1 - 3).
        let params = KernelParams {
            inverse_squared_lengthscales: vec![1.0, 2.0],
            kernel_scale: 1.0,
            noise_var: 0.1,
        };
        let expected = -0.2 - 0.25 - 1.0 + 0.1 * 0.1f64.ln() - 3.0;
        assert!((log_prior(&params) - expected).abs() < 1e-12);
    }
}
