//! Pareto machinery for several objectives: domination (with Deb's constraint rule),
//! non-dominated sorting, hypervolume, exclusive hypervolume contributions and the
//! crowding distance: what NSGA-II, multi-objective TPE and a study's Pareto front are
//! built from.
//!
//! Every function minimises every objective. To maximise one, negate its values (and
//! its reference value, for the hypervolume) before the call. A point is anything that
//! derefs to `[f64]` (`[f64; N]`, `Vec<f64>`, `&[f64]`), one value per objective; the
//! functions copy and check their input, so a NaN, points of different lengths or a
//! point without values are an [`Error::InvalidPoints`](crate::Error::InvalidPoints),
//! never a panic. Infinite values are allowed; each function says what they do.
//!
//! | function | does | cost (n points, m objectives) |
//! | --- | --- | --- |
//! | [`dominates`], [`constrained_dominates`], [`total_violation`] | compare two points | O(m) |
//! | [`non_dominated_ranks`], [`non_dominated_ranks_top`], [`constrained_non_dominated_ranks`], [`pareto_front`] | front number of every point, Optuna's ties | O(n log n) for m <= 2, O(n log n log fronts) for m = 3, O(n log^(m-1) n) beyond |
//! | [`hypervolume`] | the dominated volume up to a reference point | O(n log n) for m <= 3, slices beyond |
//! | [`hypervolume_contributions`] | what each point alone adds | O(n log n) for m <= 3 (m = 3: HVC3D's sweep), WFG's limited sets beyond |
//! | [`crowding_distance`] | NSGA-II's crowding distance, as Optuna | O(m n log n) |
//!
//! ```
//! use tunekit::pareto::{hypervolume, non_dominated_ranks};
//!
//! // (error rate, latency in ms) of five configs; both minimised.
//! let results = [[0.10, 30.0], [0.08, 45.0], [0.12, 50.0], [0.20, 10.0], [0.08, 45.0]];
//! assert_eq!(non_dominated_ranks(&results)?, [0, 0, 1, 0, 0]);
//! let hv = hypervolume(&results, &[1.0, 100.0])?;
//! assert!((hv - 80.1).abs() < 1e-9); // 0.92 * 55 + 0.9 * 15 + 0.8 * 20
//!
//! // Throughput is maximised: negate it (and its reference value).
//! let throughput_and_latency = [[-900.0, 30.0], [-1200.0, 45.0]];
//! assert_eq!(non_dominated_ranks(&throughput_and_latency)?, [0, 0]);
//! # Ok::<(), tunekit::Error>(())
//! ```

mod contributions;
mod contributions3d;
mod crowding;
mod divide_and_conquer;
mod domination;
mod hypervolume;
mod points;
mod sorting;
mod sweep3d;

pub use contributions::hypervolume_contributions;
pub use crowding::crowding_distance;
pub use domination::{constrained_dominates, dominates, total_violation};
pub use hypervolume::hypervolume;
pub use sorting::{
    constrained_non_dominated_ranks, non_dominated_ranks, non_dominated_ranks_top, pareto_front,
};
