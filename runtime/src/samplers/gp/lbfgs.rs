//! L-BFGS with box bounds by projection (a small L-BFGS-B in spirit): the search direction
//! comes from the L-BFGS two-loop recursion over the variables not held at a bound, and
//! each trial step is projected back into the box, with a backtracking (Armijo) line
//! search along the projected path.
//!
//! Both uses in the GP sampler need bounds or tolerance to non-finite values, which is
//! why it is written here rather than taken from `argmin` (whose L-BFGS is unconstrained
//! and stops with an error on a non-finite cost): the kernel fit bounds its log
//! hyperparameters, and the acquisition search stays inside `[0, 1]`.

/// When to stop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stop {
    /// At most this many iterations (gradient evaluations beyond the first, roughly).
    pub(crate) max_iters: usize,
    /// Stop when the largest projected-gradient component is below this.
    pub(crate) gtol: f64,
    /// Stop when a step lowers the value by at most this fraction of `max(|f|, 1)`.
    pub(crate) ftol: f64,
}

/// SciPy's default `ftol` for L-BFGS-B (`factr = 1e7` times the machine epsilon), which
/// Optuna's fits and acquisition searches run with.
pub(crate) const FTOL: f64 = 1e7 * f64::EPSILON;

const MEMORY: usize = 10;

/// Minimises `f` over the box `[lower, upper]` from `x0` (clamped into it). `f` returns the
/// value and writes the gradient; a non-finite value is treated as "step too long". Returns
/// the best point found and its value; never worse than the (clamped) start.
pub(crate) fn minimize(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: &[f64],
    lower: &[f64],
    upper: &[f64],
    stop: Stop,
) -> (Vec<f64>, f64) {
    let n = x0.len();
    let project = |x: &mut [f64]| {
        for j in 0..n {
            x[j] = x[j].clamp(lower[j], upper[j]);
        }
    };
    let mut x = x0.to_vec();
    project(&mut x);
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return (x, fx);
    }
    let mut memory: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::with_capacity(MEMORY);
    let mut xn = vec![0.0; n];
    let mut gn = vec![0.0; n];
    for _ in 0..stop.max_iters {
        // Variables held at a bound by a gradient pushing outwards are fixed this step.
        let free: Vec<bool> = (0..n)
            .map(|j| !((x[j] <= lower[j] && g[j] > 0.0) || (x[j] >= upper[j] && g[j] < 0.0)))
            .collect();
        let pg: Vec<f64> = (0..n).map(|j| if free[j] { g[j] } else { 0.0 }).collect();
        let pg_max = pg.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if pg_max <= stop.gtol {
            break;
        }
        let mut d = two_loop(&pg, &memory, &free);
        let slope: f64 = d.iter().zip(&pg).map(|(a, b)| a * b).sum();
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction (curvature gone stale): restart from steepest descent.
            memory.clear();
            d = pg.iter().map(|v| -v).collect();
        }
        // Without curvature information the first trial step moves at most 1 in any
        // coordinate.
        let mut t = if memory.is_empty() {
            (1.0 / d.iter().fold(0.0f64, |m, v| m.max(v.abs()))).min(1.0)
        } else {
            1.0
        };
        let mut accepted = None;
        for _ in 0..40 {
            for j in 0..n {
                xn[j] = x[j] + t * d[j];
            }
            project(&mut xn);
            let fnew = f(&xn, &mut gn);
            let decrease: f64 = g
                .iter()
                .zip(xn.iter().zip(&x))
                .map(|(gj, (a, b))| gj * (a - b))
                .sum();
            if fnew.is_finite()
                && gn.iter().all(|v| v.is_finite())
                && fnew <= fx + 1e-4 * decrease
                && xn != x
            {
                accepted = Some(fnew);
                break;
            }
            t *= 0.5;
        }
        let Some(fnew) = accepted else {
            break;
        };
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        let improvement = fx - fnew;
        x.copy_from_slice(&xn);
        g.copy_from_slice(&gn);
        fx = fnew;
        if sy > 1e-12 * norm(&s) * norm(&y) && sy > 0.0 {
            if memory.len() == MEMORY {
                memory.remove(0);
            }
            memory.push((s, y, 1.0 / sy));
        }
        if improvement <= stop.ftol * fx.abs().max(fnew.abs()).max(1.0) {
            break;
        }
    }
    (x, fx)
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// `-H g` by the L-BFGS two-loop recursion, restricted to the free variables.
fn two_loop(g: &[f64], memory: &[(Vec<f64>, Vec<f64>, f64)], free: &[bool]) -> Vec<f64> {
    let dot = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .zip(free)
            .filter(|(_, &f)| f)
            .map(|((x, y), _)| x * y)
            .sum()
    };
    let mut q = g.to_vec();
    let mut alphas = Vec::with_capacity(memory.len());
    for (s, y, rho) in memory.iter().rev() {
        let a = rho * dot(s, &q);
        for j in 0..q.len() {
            q[j] -= a * y[j];
        }
        alphas.push(a);
    }
    let gamma = memory.last().map_or(1.0, |(s, y, _)| {
        let yy = dot(y, y);
        if yy > 0.0 {
            (dot(s, y) / yy).max(0.0)
        } else {
            1.0
        }
    });
    let gamma = if gamma > 0.0 && gamma.is_finite() {
        gamma
    } else {
        1.0
    };
    for v in q.iter_mut() {
        *v *= gamma;
    }
    for ((s, y, rho), a) in memory.iter().zip(alphas.iter().rev()) {
        let b = rho * dot(y, &q);
        for j in 0..q.len() {
            q[j] += (a - b) * s[j];
        }
    }
    q.iter()
        .zip(free)
        .map(|(v, &f)| if f { -v } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let stop = Stop {
            max_iters: 500,
            gtol: 1e-10,
            ftol: 1e-15,
        };
        let (x, fx) = minimize(rosenbrock, &[-1.2, 1.0], &[-5.0; 2], &[5.0; 2], stop);
        assert!(fx < 1e-10, "{fx} at {x:?}");
        assert!(
            (x[0] - 1.0).abs() < 1e-4 && (x[1] - 1.0).abs() < 1e-4,
            "{x:?}"
        );
    }

    #[test]
    fn stops_at_an_active_bound() {
        // min (x - 2)^2 + (y + 0.5)^2 over [0, 1]^2 is at (1, 0).
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 2.0);
            g[1] = 2.0 * (x[1] + 0.5);
            (x[0] - 2.0).powi(2) + (x[1] + 0.5).powi(2)
        };
        let stop = Stop {
            max_iters: 100,
            gtol: 1e-12,
            ftol: 1e-15,
        };
        let (x, fx) = minimize(f, &[0.3, 0.7], &[0.0; 2], &[1.0; 2], stop);
        assert_eq!(x, vec![1.0, 0.0]);
        assert!((fx - 1.25).abs() < 1e-12);
    }

    #[test]
    fn a_non_finite_region_is_avoided_and_the_start_is_never_worsened() {
        // Infinite beyond x = 0.5: the line search backs off.
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = -1.0;
            if x[0] > 0.5 {
                f64::INFINITY
            } else {
                -x[0]
            }
        };
        let stop = Stop {
            max_iters: 100,
            gtol: 1e-12,
            ftol: 1e-15,
        };
        let (x, fx) = minimize(f, &[0.0], &[0.0], &[1.0], stop);
        assert!(x[0] <= 0.5 && x[0] > 0.4 && fx == -x[0], "{x:?} {fx}");
    }
}
