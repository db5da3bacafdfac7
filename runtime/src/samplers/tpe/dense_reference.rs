//! The obvious, slow log density of a fitted mixture, for tests: every kernel, every
//! parameter, computed from the kernels' centres, widths and tables alone. The fast path
//! (`Mixture::log_pdf`) precomputes normalizers and drops kernels that cannot matter;
//! this shares neither, so agreement checks both.

use super::mixture::Mixture;
use super::param_model::ParamKind;
use super::truncated_normal::{log_gauss_mass, truncated_log_pdf};

/// Log density (log mass for discrete parameters) of each row-major point of `points`.
pub(super) fn log_pdf(mixture: &Mixture, points: &[f64]) -> Vec<f64> {
    let d = mixture.models().len();
    let weights = mixture.weights();
    points
        .chunks(d)
        .map(|x| {
            let per_kernel: Vec<f64> = (0..mixture.kernels())
                .map(|k| (0..d).map(|j| log_term(mixture, j, x[j], k)).sum())
                .collect();
            weighted_log_sum_exp(&per_kernel, &weights)
        })
        .collect()
}

/// Parameter `j`'s log density (or mass) at internal value `x` under kernel `k`.
fn log_term(mixture: &Mixture, j: usize, x: f64, k: usize) -> f64 {
    let model = mixture.models()[j];
    match model.kind {
        ParamKind::Categorical { choices } => {
            mixture.categorical_table(j)[k * choices + x as usize].ln()
        }
        ParamKind::Continuous { .. } => {
            let (mus, sigmas) = mixture.numeric_kernels(j);
            let t = model.kernel_position(x);
            truncated_log_pdf(t, mus[k], sigmas[k], model.lo, model.hi)
        }
        ParamKind::Discrete { .. } => {
            let (mus, sigmas) = mixture.numeric_kernels(j);
            let (mu, sigma) = (mus[k], sigmas[k]);
            let (left, right) = model.cell(x).expect("discrete models have cells");
            let cell = log_gauss_mass((left - mu) / sigma, (right - mu) / sigma);
            let support = log_gauss_mass((model.lo - mu) / sigma, (model.hi - mu) / sigma);
            cell - support
        }
    }
}

/// `ln(sum_k w_k exp(v_k))`, shifted by the largest term among kernels with weight.
fn weighted_log_sum_exp(v: &[f64], w: &[f64]) -> f64 {
    let max = v
        .iter()
        .zip(w)
        .filter(|&(_, &w)| w > 0.0)
        .fold(f64::NEG_INFINITY, |m, (&v, _)| m.max(v));
    if max == f64::NEG_INFINITY {
        return max;
    }
    let sum: f64 = v.iter().zip(w).map(|(v, w)| w * (v - max).exp()).sum();
    max + sum.ln()
}
