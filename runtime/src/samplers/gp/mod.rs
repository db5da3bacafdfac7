//! Gaussian-process Bayesian optimisation ([`Gp`]), after Optuna's `GPSampler`.
//!
//! One file per job:
//!
//! - [`encoding`]: params to the unit cube (log params in log space, grids widened by half
//!   a step), categoricals as choice indices, inactive params as NaN;
//! - [`kernel`]: Matérn 5/2 with ARD lengthscales and a Hamming term for categoricals;
//! - [`fit`]: MAP kernel hyperparameters under Optuna's priors;
//! - [`warm`]: warm starts of that fit which depend on the history alone;
//! - [`linalg`]: Cholesky with jitter retries, solves and inverse (faer);
//! - [`posterior`]: the conditioned GP, at one point or many at once;
//! - [`acquisition`]: log expected improvement, stable in the tails;
//! - [`lbfgs`]: bounded L-BFGS by projection;
//! - [`optimize`]: the acquisition search over the mixed space;
//! - [`sampler`]: the [`Gp`] sampler itself.

mod acquisition;
mod encoding;
mod fit;
mod kernel;
mod lbfgs;
mod linalg;
mod optimize;
mod posterior;
mod sampler;
mod warm;

pub use sampler::Gp;

#[cfg(test)]
mod tests;
