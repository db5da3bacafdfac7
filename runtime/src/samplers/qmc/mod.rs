//! Quasi-Monte Carlo search: trial `k` gets point `k` of a scrambled Sobol or Halton
//! sequence, mapped onto the space.
//!
//! The files, one job each: `sobol.rs` (Sobol coordinates and their linear matrix
//! scramble), `joe_kuo.rs` (the direction numbers), `halton.rs` (radical inverses and
//! their digit permutations), `unit_map.rs` (from `[0, 1)` to a domain's values).

mod halton;
mod joe_kuo;
mod sobol;
mod unit_map;

use rand::RngCore;

use super::unseen::Taken;
use super::{SampleContext, Sampler};
use crate::error::Result;
use crate::space::{Domain, Params, SearchSpace, Value};

/// Which low-discrepancy sequence a [`Qmc`] sampler walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QmcSequence {
    /// Sobol's sequence with Joe and Kuo's direction numbers (`new-joe-kuo-6.21201`),
    /// 64-bit coordinates, in Gray-code order; scrambled by a random lower-triangular
    /// binary matrix and a digital shift per dimension (as scipy's `Sobol`). Its best
    /// designs are the first `2^m` points.
    Sobol,
    /// Halton's sequence: the radical inverse of the index in the `j`-th prime base for
    /// dimension `j`; scrambled by a random permutation of the digits at each digit
    /// position (scipy's `Halton` scheme, with hashed permutations instead of shuffled
    /// ones). Weak beyond a few dozen dimensions.
    Halton,
}

/// Quasi-random search: trial number `k` gets the `k`-th point of a low-discrepancy
/// sequence, so any number of trials covers the space more evenly than [`Random`]
/// draws do. The default is scrambled Sobol.
///
/// Each param of the space has its own dimension (its position in the space); a
/// conditional param uses its coordinate only when it is active. A coordinate `u` in
/// `[0, 1)` becomes a value uniformly on the param's scale and exactly on its values:
/// `floor(u * n)`-th value of a categorical, int or stepped float range of `n` values, on
/// the logs for `log` ranges.
///
/// The point of a trial depends on nothing but the study seed (which draws the
/// scramble) and the trial number, not on the history: a failed trial uses up its point
/// and moves no other, parallel workers (who get distinct numbers) get distinct points,
/// and a seeded study resumed from storage continues the sequence where it stopped (an
/// unseeded one draws a new seed, so it goes on with a new scramble). Sobol's designs are
/// best at a power-of-two number of trials (16, 32, 64, ...). With
/// more than 1024 params, Sobol reuses the direction numbers (dimension `j` as
/// `j % 1024`), each copy under a scramble and a point order of its own; unscrambled,
/// such dimensions repeat.
///
/// [`Qmc::point`] gives the same design to other samplers, such as the startup trials of
/// a model-based one.
///
/// [`Random`]: super::Random
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::samplers::QmcSequence;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1e-5..=1e-1, log)]
///     learning_rate: f64,
///     #[tune(1..=4)]
///     layers: u32,
///     #[tune(choice("adam", "sgd"))]
///     optimizer: String,
/// }
///
/// // 16 trials, a power of two: the most balanced Sobol design.
/// let study = Study::minimize(space!(Train)).sampler(Qmc::sobol()).seed(7).build()?;
/// study.optimize(16, |t: &Train| (t.learning_rate.log10() + 3.0).powi(2) + f64::from(t.layers))?;
/// assert_eq!(study.trials()?.len(), 16);
/// assert_eq!(Qmc::halton().sequence(), QmcSequence::Halton);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Qmc {
    sequence: QmcSequence,
    scramble: bool,
}

impl Default for Qmc {
    /// Scrambled Sobol.
    fn default() -> Self {
        Qmc::sobol()
    }
}

impl Qmc {
    /// Scrambled Sobol points (the default).
    ///
    /// ```
    /// use tunekit::samplers::{Qmc, QmcSequence};
    ///
    /// assert_eq!(Qmc::sobol(), Qmc::default());
    /// assert_eq!(Qmc::sobol().sequence(), QmcSequence::Sobol);
    /// ```
    pub fn sobol() -> Self {
        Qmc {
            sequence: QmcSequence::Sobol,
            scramble: true,
        }
    }

    /// Scrambled Halton points.
    ///
    /// ```
    /// use tunekit::samplers::Qmc;
    ///
    /// assert!(Qmc::halton().is_scrambled());
    /// ```
    pub fn halton() -> Self {
        Qmc {
            sequence: QmcSequence::Halton,
            scramble: true,
        }
    }

    /// Scrambled (the default) or not. Unscrambled, the points ignore the seed and are
    /// those of scipy's `Sobol(d, scramble=False)` / `Halton(d, scramble=False)`, which
    /// start with the corner `(0, ..., 0)`.
    ///
    /// ```
    /// use tunekit::samplers::Qmc;
    ///
    /// let plain = Qmc::sobol().scramble(false);
    /// assert!(!plain.is_scrambled());
    /// assert_eq!(plain.unit_point(2, 99, 1), vec![0.5, 0.5]);
    /// ```
    #[must_use]
    pub fn scramble(mut self, scramble: bool) -> Self {
        self.scramble = scramble;
        self
    }

    /// The sequence walked.
    ///
    /// ```
    /// use tunekit::samplers::{Qmc, QmcSequence};
    ///
    /// assert_eq!(Qmc::default().sequence(), QmcSequence::Sobol);
    /// ```
    pub fn sequence(&self) -> QmcSequence {
        self.sequence
    }

    /// Whether the points are scrambled.
    ///
    /// ```
    /// use tunekit::samplers::Qmc;
    ///
    /// assert!(!Qmc::halton().scramble(false).is_scrambled());
    /// ```
    pub fn is_scrambled(&self) -> bool {
        self.scramble
    }

    /// Point `index` of the `dims`-dimensional sequence under `seed`, in `[0, 1)^dims`.
    /// A pure function of its arguments.
    ///
    /// ```
    /// use tunekit::samplers::Qmc;
    ///
    /// let point: Vec<f64> = Qmc::sobol().unit_point(3, 7, 5);
    /// assert_eq!(point.len(), 3);
    /// assert!(point.iter().all(|u| (0.0..1.0).contains(u)));
    /// assert_eq!(point, Qmc::sobol().unit_point(3, 7, 5));
    /// assert_eq!(Qmc::halton().scramble(false).unit_point(2, 0, 1), vec![0.5, 1.0 / 3.0]);
    /// ```
    pub fn unit_point(&self, dims: usize, seed: u64, index: u64) -> Vec<f64> {
        match self.sequence {
            // Halton coordinates are floats already (as scipy computes them).
            QmcSequence::Halton => self.halton_floats(dims, seed, index),
            QmcSequence::Sobol => self
                .coordinates(dims, seed, index)
                .into_iter()
                .map(unit_map::to_f64)
                .collect(),
        }
    }

    /// Point `index` of the design of `space` under `seed`: a point of the space (its
    /// active params, each on its domain and step grid) that depends on nothing else.
    /// This is what trial number `index` of a study with this sampler and seed gets; a
    /// model-based sampler can take its startup trials from it the same way.
    ///
    /// ```
    /// use tunekit::samplers::Qmc;
    /// use tunekit::{Domain, Params, SearchSpace};
    ///
    /// let space = SearchSpace::builder()
    ///     .add("optimizer", Domain::categorical(["adam", "sgd"]))
    ///     .add_when("momentum", Domain::float(0.0, 0.9).step(0.1), "optimizer", ["sgd"])
    ///     .build()?;
    /// let design: Vec<Params> = (0..8).map(|k| Qmc::sobol().point(&space, 3, k)).collect();
    /// assert!(design.iter().all(|p| space.check(p).is_ok()));
    /// // A balanced design: four of each choice in the first eight points.
    /// let sgd = design.iter().filter(|p| p.get::<String>("optimizer").unwrap() == "sgd");
    /// assert_eq!(sgd.count(), 4);
    /// # Ok::<(), tunekit::Error>(())
    /// ```
    pub fn point(&self, space: &SearchSpace, seed: u64, index: u64) -> Params {
        let coordinates = self.coordinates(space.len(), seed, index);
        let mut params = Params::new();
        for (j, (param, u)) in space.params().iter().zip(coordinates).enumerate() {
            if space.is_active(param, &params) {
                super::working_on(j);
                params.insert(param.name.clone(), unit_map::value_at(&param.domain, u));
            }
        }
        params
    }

    /// The value of `domain` at coordinate `u` in `[0, 1)` (clamped there), as
    /// [`Qmc::point`] maps each coordinate: for a sampler that works in the unit cube.
    ///
    /// ```
    /// use tunekit::samplers::Qmc;
    /// use tunekit::{Domain, Value};
    ///
    /// assert_eq!(Qmc::value_at(&Domain::int(0, 9), 0.55), Value::Int(5));
    /// assert_eq!(Qmc::value_at(&Domain::categorical(["a", "b"]), 0.5), Value::from("b"));
    /// ```
    pub fn value_at(domain: &Domain, u: f64) -> Value {
        unit_map::value_at(domain, unit_map::from_f64(u))
    }

    /// The 64-bit coordinates (binary fractions) of point `index`.
    fn coordinates(&self, dims: usize, seed: u64, index: u64) -> Vec<u64> {
        match (self.sequence, self.scramble) {
            (QmcSequence::Sobol, false) => (0..dims).map(|j| sobol::coordinate(j, index)).collect(),
            (QmcSequence::Sobol, true) => (0..dims)
                .map(|j| {
                    let index = sobol::shuffled_index(seed, j, index);
                    sobol::Scramble::new(seed, j).apply(sobol::coordinate(j, index))
                })
                .collect(),
            (QmcSequence::Halton, _) => self
                .halton_floats(dims, seed, index)
                .into_iter()
                .map(unit_map::from_f64)
                .collect(),
        }
    }

    /// The Halton point `index`, as floats in `[0, 1)`.
    fn halton_floats(&self, dims: usize, seed: u64, index: u64) -> Vec<f64> {
        halton::primes(dims)
            .into_iter()
            .enumerate()
            .map(|(j, base)| {
                if self.scramble {
                    halton::scrambled_radical_inverse(base, index, seed, j)
                } else {
                    halton::radical_inverse(base, index)
                }
            })
            .collect()
    }
}

/// SplitMix64's finalizer: a bijective 64-bit mix, for the hash-based scrambles.
pub(super) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Sampler for Qmc {
    fn name(&self) -> &'static str {
        "qmc"
    }

    /// Point `ctx.number` of the design ([`Qmc::point`] under `ctx.seed`); the history
    /// and `rng` are not used.
    /// Point `ctx.number` of the design; on a finite space, a point some trial already
    /// holds gives way to an unseen config (see
    /// [`samplers`](super#finite-spaces-no-repeats)), and `Ok(None)` once all are held.
    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut dyn RngCore) -> Result<Option<Params>> {
        let point = self.point(ctx.space, ctx.seed, ctx.number);
        match Taken::of(ctx) {
            None => Ok(Some(point)),
            Some(taken) if taken.exhausted() => Ok(None),
            Some(taken) => Ok(taken.unseen(point, rng, |rng| {
                super::Random::sample_space(ctx.space, rng)
            })),
        }
    }
}

#[cfg(test)]
mod tests;
