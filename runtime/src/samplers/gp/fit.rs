//! MAP kernel hyperparameters: the negative log marginal likelihood plus Optuna's log
//! prior, minimised over the log hyperparameters by bounded L-BFGS.
//!
//! The search variables are `ln(isl_j)` for each inverse squared lengthscale,
//! `ln(kernel_scale)` and `ln(noise_var - min_noise)`. The prior (Optuna's
//! `default_log_prior`): `-(0.1 / isl + 0.1 isl)` summed over the lengthscales,
//! `Gamma(2, 1)` on the kernel scale and `Gamma(1.1, 30)` on the noise variance (constant
//! factors omitted).

use faer::{Col, Mat};

use super::kernel::{dim_term, matern52, matern52_derivative, KernelParams};
use super::lbfgs::{minimize, Stop, FTOL};
use super::linalg::Factor;

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

/// The per-dim distance terms of every pair of observations, computed once per fit
/// (as Optuna's `_squared_X_diff`): each loss evaluation then needs only two
/// matrix-vector products with them, for the distances and for the lengthscale gradient.
pub(crate) struct Pairs {
    n: usize,
    /// Row `p` for the pair `(a, b)`, `b < a`, in the order `(1, 0), (2, 0), (2, 1), ..`;
    /// column `j`: [`dim_term`] of dim `j`.
    terms: Mat<f64>,
}

impl Pairs {
    pub(crate) fn new(x: &[Vec<f64>], categorical: &[bool]) -> Pairs {
        let n = x.len();
        let d = categorical.len();
        let mut terms = Mat::<f64>::zeros(n * n.saturating_sub(1) / 2, d);
        for j in 0..d {
            let mut p = 0;
            for a in 0..n {
                for b in 0..a {
                    terms[(p, j)] = dim_term(x[a][j], x[b][j], categorical[j]);
                    p += 1;
                }
            }
        }
        Pairs { n, terms }
    }
}

/// `-(log marginal likelihood + log prior)` at search variables `raw`, with its gradient
/// written to `grad`; `+inf` when the covariance is not positive definite.
#[cfg(test)]
pub(crate) fn loss(
    x: &[Vec<f64>],
    y: &[f64],
    categorical: &[bool],
    raw: &[f64],
    grad: &mut [f64],
) -> f64 {
    pair_loss(&Pairs::new(x, categorical), y, raw, grad)
}

/// [`loss`] with the pair terms computed already.
pub(crate) fn pair_loss(pairs: &Pairs, y: &[f64], raw: &[f64], grad: &mut [f64]) -> f64 {
    let n = pairs.n;
    let d = raw.len() - 2;
    let params = params_of(raw);
    let isl = &params.inverse_squared_lengthscales;
    let (scale, noise) = (params.kernel_scale, params.noise_var);
    let isl_col = Col::from_fn(d, |j| isl[j]);
    let dist: Col<f64> = &pairs.terms * &isl_col;
    let mut k = Mat::<f64>::zeros(n, n);
    let mut p = 0;
    for a in 0..n {
        k[(a, a)] = scale + noise;
        for b in 0..a {
            let v = scale * matern52(dist[p]);
            k[(a, b)] = v;
            k[(b, a)] = v;
            p += 1;
        }
    }
    let Some(chol) = Factor::new(&k) else {
        return f64::INFINITY;
    };
    let alpha = chol.solve(y);
    let quadratic: f64 = y.iter().zip(&alpha).map(|(a, b)| a * b).sum();
    let nll =
        0.5 * quadratic + 0.5 * chol.log_det() + 0.5 * n as f64 * (2.0 * std::f64::consts::PI).ln();
    let value = nll - log_prior(&params);
    if !value.is_finite() {
        return f64::INFINITY;
    }
    // d nll / d theta = -1/2 tr(W dK/dtheta), W = alpha alpha^T - K^-1: one inverse,
    // then elementwise products with each dK/dtheta (symmetric, so the lower triangle
    // counts twice). For the lengthscales, dK_ab/d ln isl_j = scale matern'(dist_ab)
    // isl_j term_abj: a product of the pair terms with the per-pair weights.
    let k_inv = chol.inverse();
    let mut g_scale = 0.0;
    let mut g_noise = 0.0;
    let mut weights = Col::<f64>::zeros(dist.nrows());
    let mut p = 0;
    for a in 0..n {
        let w_aa = alpha[a] * alpha[a] - k_inv[(a, a)];
        g_scale += w_aa;
        g_noise += w_aa;
        for b in 0..a {
            let wab = 2.0 * (alpha[a] * alpha[b] - k_inv[(a, b)]);
            g_scale += wab * k[(a, b)] / scale;
            weights[p] = wab * scale * matern52_derivative(dist[p]);
            p += 1;
        }
    }
    let by_dim: Col<f64> = pairs.terms.transpose() * &weights;
    for j in 0..d {
        grad[j] = by_dim[j] * isl[j];
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
/// search box), and the loss there; that start when no better point is found (or the
/// loss is not finite there, then returned as not finite). With `deterministic`, the
/// noise variance is held at its minimum (as Optuna's `deterministic_objective`).
pub(crate) fn fit(
    x: &[Vec<f64>],
    y: &[f64],
    categorical: &[bool],
    start: &KernelParams,
    deterministic: bool,
) -> (KernelParams, f64) {
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
        ftol: FTOL,
    };
    let pairs = Pairs::new(x, categorical);
    // Never worse than the (clamped) start, which it returns when the loss is not finite.
    let (raw, loss_value) = minimize(
        |raw, grad| pair_loss(&pairs, y, raw, grad),
        &raw_of(start),
        &lower,
        &upper,
        stop,
    );
    (params_of(&raw), loss_value)
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
        let (fitted, fitted_loss) = fit(&x, &y, &cat, &start, false);
        let mut g = vec![0.0; 5];
        let before = loss(&x, &y, &cat, &raw_of(&start), &mut g);
        let after = loss(&x, &y, &cat, &raw_of(&fitted), &mut g);
        assert!(after < before - 1e-3, "{before} -> {after}");
        assert_eq!(after, fitted_loss);
        assert!(fitted.noise_var >= MIN_NOISE_VAR);
        let (exact, _) = fit(&x, &y, &cat, &start, true);
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
