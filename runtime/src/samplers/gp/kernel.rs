//! The Matérn 5/2 kernel with ARD inverse squared lengthscales, a Hamming term for
//! categorical dims, and NaN for inactive params.

/// The kernel's hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KernelParams {
    /// One inverse squared lengthscale per dim.
    pub(crate) inverse_squared_lengthscales: Vec<f64>,
    /// The prior variance of the latent function.
    pub(crate) kernel_scale: f64,
    /// The observation noise variance.
    pub(crate) noise_var: f64,
}

impl KernelParams {
    /// Optuna's starting point: every hyperparameter 1.
    pub(crate) fn initial(dims: usize) -> Self {
        KernelParams {
            inverse_squared_lengthscales: vec![1.0; dims],
            kernel_scale: 1.0,
            noise_var: 1.0,
        }
    }
}

/// The contribution of one dim to the squared distance, before its lengthscale: the
/// squared difference (numeric), 0 or 1 (categorical: Hamming). A param active in one
/// point only is as far as two different categories (1); inactive in both, 0.
#[inline]
pub(crate) fn dim_term(a: f64, b: f64, categorical: bool) -> f64 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0.0,
        (true, false) | (false, true) => 1.0,
        (false, false) if categorical => f64::from(u8::from(a != b)),
        (false, false) => (a - b) * (a - b),
    }
}

/// The lengthscale-weighted squared distance `sum_j isl_j * term_j(a, b)`.
pub(crate) fn squared_distance(a: &[f64], b: &[f64], isl: &[f64], categorical: &[bool]) -> f64 {
    a.iter()
        .zip(b)
        .zip(isl.iter().zip(categorical))
        .map(|((&x, &y), (&l, &c))| l * dim_term(x, y, c))
        .sum()
}

const SQRT5: f64 = 2.236_067_977_499_79;

/// Matérn 5/2 as a function of the squared distance `d`:
/// `(1 + sqrt(5 d) + 5 d / 3) exp(-sqrt(5 d))`.
#[inline]
pub(crate) fn matern52(d: f64) -> f64 {
    let r = (5.0 * d.max(0.0)).sqrt();
    if r > 1e3 {
        // exp(-r) is 0 long before this; avoids inf * 0 for an infinite distance.
        return 0.0;
    }
    (1.0 + r + r * r / 3.0) * (-r).exp()
}

/// The derivative of [`matern52`] with respect to `d`: `-5/6 (1 + sqrt(5 d)) exp(-sqrt(5 d))`
/// (smooth at 0, unlike the derivative with respect to the distance itself).
#[inline]
pub(crate) fn matern52_derivative(d: f64) -> f64 {
    let r = SQRT5 * d.max(0.0).sqrt();
    if r > 1e3 {
        return 0.0;
    }
    -5.0 / 6.0 * (1.0 + r) * (-r).exp()
}

/// The covariance of two points (no noise term).
pub(crate) fn covariance(a: &[f64], b: &[f64], params: &KernelParams, categorical: &[bool]) -> f64 {
    let d = squared_distance(a, b, &params.inverse_squared_lengthscales, categorical);
    params.kernel_scale * matern52(d)
}

/// The gradient of `covariance(x, b)` with respect to the numeric coordinates of `x`
/// (zero for categorical dims and for dims inactive in either point), added to `grad`
/// times `weight`.
pub(crate) fn add_covariance_gradient(
    x: &[f64],
    b: &[f64],
    params: &KernelParams,
    categorical: &[bool],
    weight: f64,
    grad: &mut [f64],
) {
    let isl = &params.inverse_squared_lengthscales;
    let d = squared_distance(x, b, isl, categorical);
    let outer = weight * params.kernel_scale * matern52_derivative(d);
    for j in 0..x.len() {
        if !categorical[j] && !x[j].is_nan() && !b[j].is_nan() {
            grad[j] += outer * isl[j] * 2.0 * (x[j] - b[j]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matern_at_known_points() {
        assert_eq!(matern52(0.0), 1.0);
        // d = 0.2: r = 1, (1 + 1 + 1/3) e^-1.
        let expected = (7.0 / 3.0) * (-1.0f64).exp();
        assert!((matern52(0.2) - expected).abs() < 1e-15);
        assert!(matern52(1e300) == 0.0 && matern52(f64::INFINITY).is_finite());
    }

    #[test]
    fn matern_derivative_matches_finite_differences() {
        for d in [1e-4f64, 0.01, 0.3, 1.0, 4.0, 25.0] {
            let h = 1e-6 * d.max(1e-3);
            let numeric = (matern52(d + h) - matern52(d - h)) / (2.0 * h);
            let analytic = matern52_derivative(d);
            assert!(
                (numeric - analytic).abs() <= 1e-7 * analytic.abs().max(1e-6),
                "d = {d}: {numeric} vs {analytic}"
            );
        }
    }

    #[test]
    fn covariance_gradient_matches_finite_differences() {
        let params = KernelParams {
            inverse_squared_lengthscales: vec![2.0, 0.5, 3.0, 1.5],
            kernel_scale: 1.7,
            noise_var: 0.0,
        };
        let categorical = [false, false, true, false];
        let b = [0.3, 0.9, 1.0, f64::NAN];
        let x = [0.55, 0.2, 0.0, 0.4];
        let mut grad = vec![0.0; 4];
        add_covariance_gradient(&x, &b, &params, &categorical, 1.0, &mut grad);
        for j in [0, 1] {
            let h = 1e-6;
            let (mut up, mut down) = (x, x);
            up[j] += h;
            down[j] -= h;
            let numeric = (covariance(&up, &b, &params, &categorical)
                - covariance(&down, &b, &params, &categorical))
                / (2.0 * h);
            assert!(
                (numeric - grad[j]).abs() < 1e-8,
                "dim {j}: {numeric} vs {}",
                grad[j]
            );
        }
        // A categorical dim and a dim inactive in `b` have no gradient.
        assert_eq!(grad[2], 0.0);
        assert_eq!(grad[3], 0.0);
    }

    #[test]
    fn hamming_and_inactive_terms() {
        assert_eq!(dim_term(1.0, 1.0, true), 0.0);
        assert_eq!(dim_term(1.0, 2.0, true), 1.0);
        assert_eq!(dim_term(f64::NAN, 0.3, false), 1.0);
        assert_eq!(dim_term(f64::NAN, f64::NAN, true), 0.0);
        assert!((dim_term(0.1, 0.4, false) - 0.09).abs() < 1e-15);
    }
}
