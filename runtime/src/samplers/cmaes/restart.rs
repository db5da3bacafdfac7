//! IPOP: a run that has converged or stalled (its stopping criteria, see
//! [`Cma::should_stop`]) is replaced by a fresh one with twice the population, its mean
//! drawn uniformly in the unit cube and its step size back at `sigma0` (as Optuna's
//! `restart_strategy="ipop"` does). Points are told one at a time; a generation is told to
//! the run when `lambda` of them have arrived.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::margin::Bins;
use super::optimizer::{default_population, Cma};

/// The largest population a restart grows to.
const MAX_POPULATION: usize = 1 << 14;

/// How the search runs, fixed for a whole study.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SearchOptions {
    pub(crate) sigma0: f64,
    pub(crate) population: Option<usize>,
    pub(crate) ipop: bool,
    pub(crate) population_growth: usize,
    pub(crate) margin: bool,
}

/// A keyed stream of randomness: the same `(seed, key)` always gives the same stream.
pub(crate) fn keyed_rng(seed: u64, key: u64) -> ChaCha8Rng {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    ChaCha8Rng::seed_from_u64(mix(seed ^ mix(key ^ 0xC3A5_C85C_97CB_3127)))
}

/// A CMA-ES search with restarts, fed one told point at a time.
#[derive(Debug, Clone)]
pub(crate) struct Search {
    options: SearchOptions,
    seed: u64,
    cma: Cma,
    restarts: u64,
    pending: Vec<(Vec<f64>, f64)>,
}

impl Search {
    /// A search starting at `mean` (unit-cube coordinates) with the given discrete
    /// coordinates; `seed` keys the restart means.
    pub(crate) fn new(
        mean: Vec<f64>,
        bins: Vec<Option<Bins>>,
        options: SearchOptions,
        seed: u64,
    ) -> Self {
        let lambda = options
            .population
            .unwrap_or_else(|| default_population(mean.len()));
        let cma = Self::run(mean, bins, lambda, &options);
        Search {
            options,
            seed,
            cma,
            restarts: 0,
            pending: Vec::new(),
        }
    }

    fn run(mean: Vec<f64>, bins: Vec<Option<Bins>>, lambda: usize, options: &SearchOptions) -> Cma {
        let n = mean.len();
        let margin = (options.margin && bins.iter().any(Option::is_some))
            .then(|| 1.0 / (n as f64 * lambda.max(super::optimizer::MIN_POPULATION) as f64));
        Cma::new(mean, options.sigma0, lambda, true, bins, margin)
    }

    /// The current run.
    pub(crate) fn cma(&self) -> &Cma {
        &self.cma
    }

    /// How many restarts have happened.
    #[cfg(test)]
    pub(crate) fn restarts(&self) -> u64 {
        self.restarts
    }

    /// Records one evaluated point (`loss`: lower is better; NaN counts as worst).
    pub(crate) fn tell(&mut self, x: Vec<f64>, loss: f64) {
        let loss = if loss.is_nan() { f64::INFINITY } else { loss };
        self.pending.push((x, loss));
        if self.pending.len() < self.cma.lambda() {
            return;
        }
        let mut generation = std::mem::take(&mut self.pending);
        self.cma.tell(&mut generation);
        // A run that is no longer sound is replaced even without IPOP.
        if self.cma.should_stop() && (self.options.ipop || !self.cma.is_sound()) {
            self.restart();
        }
    }

    fn restart(&mut self) {
        self.restarts += 1;
        let n = self.cma.mean.len();
        let mut rng = keyed_rng(self.seed, self.restarts);
        let mean: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let lambda = if self.options.ipop {
            (self.cma.lambda() * self.options.population_growth.max(1)).min(MAX_POPULATION)
        } else {
            self.cma.lambda()
        };
        self.cma = Self::run(mean, self.cma.bins().to_vec(), lambda, &self.options);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    fn options(ipop: bool) -> SearchOptions {
        SearchOptions {
            sigma0: 1.0 / 6.0,
            population: None,
            ipop,
            population_growth: 2,
            margin: true,
        }
    }

    /// Rastrigin on [-5.12, 5.12]^d from the unit cube; minimum 0 at the centre.
    fn rastrigin(u: &[f64]) -> f64 {
        u.iter()
            .map(|&u| {
                let x = (u - 0.5) * 10.24;
                x * x - 10.0 * (std::f64::consts::TAU * x).cos() + 10.0
            })
            .sum()
    }

    /// Best value within `budget` evaluations, and the restarts made.
    fn best_of(ipop: bool, seed: u64, d: usize, budget: usize) -> (f64, u64) {
        let mut rng = keyed_rng(seed, 999);
        let mut search = Search::new(vec![0.5; d], vec![None; d], options(ipop), seed);
        let mut best = f64::INFINITY;
        for _ in 0..budget {
            let x = search.cma().ask(&mut rng as &mut dyn RngCore);
            let v = rastrigin(&x);
            best = best.min(v);
            search.tell(x, v);
        }
        (best, search.restarts())
    }

    /// IPOP restarts fire on Rastrigin and find better optima than one run, seed by seed
    /// on most seeds and on the median.
    #[test]
    fn ipop_restarts_improve_on_rastrigin() {
        let (d, budget) = (5, 20_000);
        let mut with = Vec::new();
        let mut without = Vec::new();
        let mut wins = 0;
        for seed in 0..7 {
            let (a, restarts) = best_of(true, seed, d, budget);
            let (b, none) = best_of(false, seed, d, budget);
            assert!(restarts >= 2, "seed {seed}: {restarts} restarts");
            assert_eq!(none, 0);
            wins += usize::from(a < b);
            with.push(a);
            without.push(b);
        }
        println!("Rastrigin-{d}, {budget} evaluations: IPOP {with:?}, one run {without:?}");
        with.sort_by(f64::total_cmp);
        without.sort_by(f64::total_cmp);
        assert!(wins >= 5, "{with:?} vs {without:?}");
        assert!(with[3] < 0.6 * without[3], "{with:?} vs {without:?}");
    }

    #[test]
    fn the_population_doubles_at_each_restart() {
        let mut search = Search::new(vec![0.5; 2], vec![None; 2], options(true), 3);
        let mut rng = keyed_rng(3, 0);
        let first = search.cma().lambda();
        // A flat function converges in function value: tolfun restarts the run.
        while search.restarts() < 2 {
            let x = search.cma().ask(&mut rng as &mut dyn RngCore);
            search.tell(x, 1.0);
        }
        assert_eq!(search.cma().lambda(), 4 * first);
    }
}
