//! How many trials count as good (`Gamma`) and how much each observation weighs (`Weights`).

/// How many of the `n` finished trials form the "good" set that `l(x)` is fitted to.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Gamma {
    /// `min(ceil(fraction * n), max)`. Optuna's default is `fraction = 0.1, max = 25`.
    Linear {
        /// Share of the finished trials that are good.
        fraction: f64,
        /// Upper bound on the good set's size.
        max: usize,
    },
    /// `min(ceil(factor * sqrt(n)), max)`. hyperopt's default is `factor = 0.25, max = 25`.
    SquareRoot {
        /// Multiplies `sqrt(n)`.
        factor: f64,
        /// Upper bound on the good set's size.
        max: usize,
    },
}

impl Gamma {
    /// Optuna's rule: the best 10% of trials, at most 25.
    pub const OPTUNA: Gamma = Gamma::Linear {
        fraction: 0.1,
        max: 25,
    };

    /// hyperopt's rule: `ceil(0.25 sqrt(n))`, at most 25.
    pub const HYPEROPT: Gamma = Gamma::SquareRoot {
        factor: 0.25,
        max: 25,
    };

    /// Size of the good set among `n` finished trials.
    pub fn below(self, n: usize) -> usize {
        let (raw, max) = match self {
            Gamma::Linear { fraction, max } => (fraction * n as f64, max),
            Gamma::SquareRoot { factor, max } => (factor * (n as f64).sqrt(), max),
        };
        (raw.ceil().max(0.0) as usize).min(max).min(n)
    }

    pub(crate) fn check(self) -> Result<(), String> {
        let (x, name) = match self {
            Gamma::Linear { fraction, .. } => (fraction, "fraction"),
            Gamma::SquareRoot { factor, .. } => (factor, "factor"),
        };
        if !(x.is_finite() && x > 0.0) {
            return Err(format!("gamma's {name} must be a positive number, got {x}"));
        }
        Ok(())
    }
}

impl Default for Gamma {
    fn default() -> Self {
        Gamma::OPTUNA
    }
}

/// The weight of each observation in a Parzen estimator, oldest first.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Weights {
    /// The newest `flat` observations weigh 1; older ones ramp linearly from `1/n` up to
    /// 1, so the estimator slowly forgets the early, mostly random trials. Optuna's
    /// default is `flat = 25`.
    Ramp {
        /// How many of the newest observations get full weight.
        flat: usize,
    },
    /// Every observation weighs 1.
    Uniform,
}

impl Weights {
    /// Optuna's ramp with 25 full-weight observations.
    pub const OPTUNA: Weights = Weights::Ramp { flat: 25 };

    /// The weights of `n` observations in trial order, appended to `out`.
    pub(crate) fn fill(self, n: usize, out: &mut Vec<f64>) {
        match self {
            Weights::Ramp { flat } if n >= flat && n > 0 => {
                // numpy.linspace(1/n, 1, n - flat), then `flat` ones.
                let ramp = n - flat;
                let start = 1.0 / n as f64;
                if ramp == 1 {
                    out.push(start);
                } else {
                    let step = (1.0 - start) / (ramp as f64 - 1.0);
                    out.extend((0..ramp).map(|i| start + i as f64 * step));
                }
                out.extend(std::iter::repeat_n(1.0, flat));
            }
            _ => out.extend(std::iter::repeat_n(1.0, n)),
        }
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights::OPTUNA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_matches_optuna_and_hyperopt() {
        let optuna: Vec<usize> = [0, 1, 9, 10, 11, 100, 249, 250, 251, 10_000]
            .iter()
            .map(|&n| Gamma::OPTUNA.below(n))
            .collect();
        assert_eq!(optuna, vec![0, 1, 1, 1, 2, 10, 25, 25, 25, 25]);
        // ceil(0.25 sqrt(n)): n = 16 -> 1, 17 -> 2, 100 -> 3.
        let hyperopt: Vec<usize> = [16, 17, 100, 10_000, 100_000]
            .iter()
            .map(|&n| Gamma::HYPEROPT.below(n))
            .collect();
        assert_eq!(hyperopt, vec![1, 2, 3, 25, 25]);
    }

    #[test]
    fn ramp_weights_match_optuna() {
        let mut w = Vec::new();
        Weights::OPTUNA.fill(3, &mut w);
        assert_eq!(w, vec![1.0; 3]);
        // n = 28: linspace(1/28, 1, 3) = [1/28, (1 + 1/28)/2, 1], then 25 ones.
        w.clear();
        Weights::OPTUNA.fill(28, &mut w);
        assert_eq!(w.len(), 28);
        assert!((w[0] - 1.0 / 28.0).abs() < 1e-15);
        assert!((w[1] - (1.0 + 1.0 / 28.0) / 2.0).abs() < 1e-15);
        assert_eq!(w[2..], [1.0; 26]);
        // n = 26: a single ramp point, 1/26.
        w.clear();
        Weights::OPTUNA.fill(26, &mut w);
        assert_eq!(w[0], 1.0 / 26.0);
        assert_eq!(w[1..], [1.0; 25]);
    }
}
