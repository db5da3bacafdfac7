//! # tunekit
//!
//! Typed hyperparameter search for Rust. This crate only re-exports: the runtime
//! (`tunekit-runtime`: spaces, samplers, studies, storage) and the macros
//! (`tunekit-macros`: `#[tunable]` and `space!`).
//!
//! # Declaring a search space on the config type
//!
//! ```
//! use tunekit::prelude::*;
//!
//! #[tunable]
//! #[derive(Debug, Clone, PartialEq)]
//! struct Train {
//!     #[tune(1e-5..=1e-1, log)]
//!     learning_rate: f64,
//!     #[tune(choice(16, 32, 64))]
//!     batch_size: usize,
//!     #[tune(1..=4)]
//!     layers: u32,
//!     #[tune(0.0..=0.5, step = 0.25)]
//!     dropout: f32,
//!     #[tune]
//!     optimizer: Optimizer,
//!     epochs: u32, // not searched: Default::default(), or pin it with #[tune(fixed = 20)]
//! }
//!
//! #[tunable]
//! #[derive(Debug, Clone, PartialEq)]
//! enum Optimizer {
//!     Sgd {
//!         #[tune(choice(0.0, 0.9))]
//!         momentum: f64,
//!     },
//!     Adam,
//! }
//!
//! // A quick sweep: fewer epochs, a narrower learning rate.
//! let study = Study::minimize(space!(Train { epochs: 2, learning_rate: choice(0.01, 0.1) }))
//!     .sampler(Grid::new())
//!     .seed(7)
//!     .build()?;
//! study.optimize(1000, |cfg: &Train| {
//!     assert_eq!(cfg.epochs, 2);
//!     let penalty = match cfg.optimizer {
//!         Optimizer::Sgd { momentum } => 1.0 - momentum,
//!         Optimizer::Adam => 0.5,
//!     };
//!     cfg.learning_rate + f64::from(cfg.layers) + f64::from(cfg.dropout) + penalty
//! })?;
//! // A panic in the objective fails its trial; here every trial completed.
//! assert!(study.trials()?.iter().all(|t| t.state == TrialState::Complete));
//! let best: Train = study.best().unwrap().config;
//! assert_eq!(best.layers, 1);
//! assert_eq!(best.optimizer, Optimizer::Sgd { momentum: 0.9 });
//! # Ok::<(), tunekit::Error>(())
//! ```
//!
//! Parameter names are paths: `layers`, `optimizer` (a categorical over `"Sgd"`,
//! `"Adam"`), and `optimizer.Sgd.momentum`, active only when `optimizer` is `"Sgd"`.
//!
//! ## `#[tune(...)]` on a field
//!
//! | attribute | domain |
//! | --- | --- |
//! | `#[tune(lo..=hi)]` | uniform over an inclusive range; int or float by the field's type (integer literals on a float field read as floats) |
//! | `#[tune(lo..=hi, log)]` | on a log scale; needs `lo > 0` (`lo >= 1` for integers) |
//! | `#[tune(lo..=hi)]` with `lo == hi` | that one value (a bound computed as `1..=n` with `n = 1` works) |
//! | `#[tune(lo..=hi, step = s)]` | on the grid `lo, lo + s, ..`; not combined with `log`; the step must end on `hi` (`0..=9, step = 3`, not `0..=10`) |
//! | `#[tune(choice(a, b, c))]` | one of these values: numbers, strings (`String`, `&'static str` fields), bools, enum variants or any expression of the field's type (`PartialEq` for encoding) |
//! | `#[tune]` | a `bool` (false or true) or a `#[tunable]` type: a struct nests its params under `field.`; an enum is a categorical over its variant names whose struct variants add conditional params |
//! | `#[tune(fixed = expr)]` | pinned to `expr`, not searched |
//! | no `#[tune]` | not searched: `Default::default()` |
//!
//! `#[tunable]` also goes on enums: unit variants, struct variants (their tuned fields
//! at `field.Variant.x`) and newtype variants, whose one field sits at the variant's own
//! path (`Adam(#[tune] AdamConfig)` gives `field.Adam.lr`; `Lbfgs(#[tune(1..=5)] u8)`
//! gives `field.Lbfgs`). It keeps the
//! item's other attributes (serde derives included). `#[tunable(crate = "path")]` names
//! the facade when the dependency is renamed. Generic types, tuple structs and unions are
//! rejected with a message that says what to write instead.
//!
//! Mistakes are compile errors at the offending tokens: a domain that does not fit the
//! field's type, a reversed range, `log` with a bound <= 0, a `step` <= 0, wider than
//! the range or whose grid misses the upper bound (the message gives the range that ends
//! on the last grid point), an empty or duplicated `choice`, an unknown key (with a
//! suggestion), `#[tune]` on a type that is not tunable, an untuned field with no
//! `Default`. Bounds that are consts or expressions are checked by const evaluation on
//! primitive numeric fields; anything left is checked when the study is built, where a
//! step whose grid misses the upper bound lowers the bound to the last grid point with a
//! `tracing` warning instead (as Optuna does, and as JSON spaces do).
//!
//! In the params, the summary, CSV and the journal, a choice is recorded as its label:
//! a literal as itself; a choice that is not a literal, by its value: a number, bool or
//! string as itself (`choice(cfg.small, cfg.large)` records `0.25` and `0.5`), a value of
//! a `#[tunable]` type as its variant and params (`Sgd(learning_rate=0.03,
//! momentum=0.9)`), any other `Debug` value as its `Debug` text, and a value that is none
//! of these by its source text. Two choices with the same label (equal run-time values)
//! fail the study build with an error naming the field. Stepped float values are the
//! `f64` nearest their decimal (`0.15`, not `0.15000000000000002`), and `f32` bounds
//! and values are recorded as their shortest decimal (`1e-4`, not
//! `9.999999747378752e-5`).
//!
//! ## `space!`
//!
//! `space!(T)` is the [`TypedSpace`] of a tunable type: a [`Study`] over it hands the
//! objective `&T`, [`Study::best`] returns a `T`, [`Study::enqueue`] takes a `T`, and
//! [`Study::ask`] hands out trials whose `config` is a `T`.
//! `space!(T { field: spec, .. })` overrides top-level fields at the call site:
//!
//! | entry | effect |
//! | --- | --- |
//! | `field: lo..=hi` | searched over this range instead |
//! | `field: choice(a, b)` | searched over these values instead |
//! | `field: tune(lo..=hi, log)` | any `#[tune(...)]` domain |
//! | `field: expr` | pinned to this value (any `Clone` value of the field's type, run-time values too) |
//!
//! An unknown field, a value of the wrong type or an invalid literal domain is a compile
//! error; domains with run-time bounds are checked when the study is built.
#![warn(missing_docs)]

/// Declares the search space of a struct or enum on its fields, with `#[tune(...)]`, and
/// implements [`Tunable`] for it; the grammar is in the [crate docs](crate#tune-on-a-field).
///
/// ```
/// use tunekit::prelude::*;
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// struct Train {
///     #[tune(1e-5..=1e-1, log)] // a float range on a log scale
///     learning_rate: f64,
///     #[tune(1..=4)] // an int range
///     layers: u32,
///     #[tune(0.0..=0.5, step = 0.25)] // on the grid 0.0, 0.25, 0.5
///     dropout: f64,
///     #[tune(choice(16, 32, 64))] // one of these values
///     batch_size: usize,
///     #[tune] // a bool: false or true
///     shuffle: bool,
///     #[tune] // a #[tunable] enum: a categorical with conditional params
///     optimizer: Optimizer,
///     #[tune(fixed = 20)] // pinned, not searched
///     epochs: u32,
///     seed: u64, // no #[tune]: Default::default()
/// }
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// enum Optimizer {
///     Sgd {
///         #[tune(choice(0.0, 0.9))]
///         momentum: f64,
///     },
///     Adam(#[tune] Betas), // a newtype variant's #[tunable] type: params under `Adam.`
///     Rmsprop(#[tune(1e-3..=1e-1, log)] f64), // its one field at the variant's path
///     Lbfgs, // a unit variant: no params
/// }
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// struct Betas {
///     #[tune(0.8..=0.95)]
///     beta1: f64,
/// }
///
/// let space = Train::search_space()?;
/// let names: Vec<&str> = space.params().iter().map(|p| p.name.as_str()).collect();
/// assert_eq!(names, [
///     "learning_rate", "layers", "dropout", "batch_size", "shuffle", "optimizer",
///     "optimizer.Sgd.momentum", "optimizer.Adam.beta1", "optimizer.Rmsprop",
/// ]);
/// let study = Study::minimize(space!(Train)).seed(1).build()?;
/// let config: Train = study.ask()?.config;
/// assert_eq!((config.epochs, config.seed), (20, 0));
/// # Ok::<(), tunekit::Error>(())
/// ```
pub use tunekit_macros::tunable;
pub use tunekit_runtime::*;

/// The typed search space of a `#[tunable]` type, with call-site overrides:
/// `space!(Train)`, `space!(Train { epochs: 5, lr: tune(1e-4..=1e-2, log) })`.
///
/// See the [crate docs](crate#space) for the grammar.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::Space; // search_space()
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1e-5..=1e-1, log)]
///     lr: f64,
///     #[tune(1..=8)]
///     layers: u32,
///     #[tune(choice(16, 32, 64))]
///     batch: usize,
///     #[tune]
///     optimizer: Optimizer,
///     epochs: u32,
/// }
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// enum Optimizer {
///     Sgd {
///         #[tune(0.0..=0.9)]
///         momentum: f64,
///     },
///     Adam,
/// }
///
/// let full: TypedSpace<Train> = space!(Train); // the declared space
/// assert_eq!(full.search_space()?.len(), 5); // lr, layers, batch, optimizer, momentum
///
/// let max_epochs = 3; // pins take run-time values too
/// let quick = space!(Train {
///     layers: 1..=2,              // a narrower range
///     lr: tune(1e-3..=1e-2, log), // any #[tune(...)] domain
///     batch: choice(16, 32),      // other choices
///     optimizer: Optimizer::Adam, // pinned to a value: no parameter left
///     epochs: max_epochs,         // untuned fields can be pinned as well
/// });
/// let params = quick.search_space()?;
/// let names: Vec<&str> = params.params().iter().map(|p| p.name.as_str()).collect();
/// assert_eq!(names, ["lr", "layers", "batch"]);
/// let study = Study::minimize(quick).seed(2).build()?;
/// let config: Train = study.ask()?.config;
/// assert_eq!((config.optimizer, config.epochs), (Optimizer::Adam, 3));
/// assert!([16, 32].contains(&config.batch) && config.layers <= 2);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[macro_export]
macro_rules! space {
    ($($input:tt)*) => {
        $crate::__private::space_impl! { $crate; $($input)* }
    };
}

/// What generated code names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use tunekit_macros::space as space_impl;
    pub use tunekit_runtime::__private::*;
}

/// Everything a typical sweep needs, in one import: `use tunekit::prelude::*;`.
///
/// ```
/// use tunekit::prelude::*;
///
/// // Ask-and-tell, for a loop you drive yourself.
/// fn one_step(study: &Study<SearchSpace>) -> Result<(), tunekit::Error> {
///     let trial: AskedTrial<Params> = study.ask()?;
///     let x: f64 = trial.config.get("x")?;
///     study.tell(&trial, x * x)
/// }
///
/// let space = SearchSpace::builder().add("x", Domain::float(-1.0, 1.0)).build()?;
/// let study = Study::minimize(space).sampler(Random::new()).build()?;
/// one_step(&study)?;
/// assert_eq!(study.trials()?.len(), 1);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub mod prelude {
    pub use crate::space;
    pub use tunekit_macros::tunable;
    pub use tunekit_runtime::callbacks::{StopAtValue, StopWithoutImprovement};
    pub use tunekit_runtime::cv::{cross_validate, KFold};
    pub use tunekit_runtime::pruners::{Hyperband, MedianPruner, SuccessiveHalving};
    pub use tunekit_runtime::samplers::{CmaEs, Gp, Grid, Qmc, Random, Tpe};
    pub use tunekit_runtime::storage::{FsyncPolicy, Journal};
    pub use tunekit_runtime::{
        AskedTrial, Budget, Direction, Domain, Outcome, Params, SearchSpace, StopReason, Study,
        TrialContext, TrialPruned, TrialState, Tunable, TypedSpace,
    };
}

/// The README's code blocks, compiled and run as doc tests so they cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
