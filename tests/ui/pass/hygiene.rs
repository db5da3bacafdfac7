// Generated code names nothing the user's module can shadow, and triggers no lints
// (missing docs, pedantic clippy is checked by `cargo clippy --all-targets`).
#![deny(missing_docs, warnings, unused_qualifications, unused_results)]
//! A crate that denies warnings and shadows the prelude.

/// A module that redefines the names generated code must not rely on.
pub mod shadowed {
    #![allow(dead_code)]
    use ::tunekit::{space, tunable};

    /// Not std's Result.
    pub struct Result;
    /// Not std's Option.
    pub struct Option;
    /// Not std's Vec.
    pub struct Vec;
    /// Not std's String.
    pub struct String;
    /// Not std's Box.
    pub struct Box;
    /// Not std's Default.
    pub trait Default {}
    /// Not std's Ok.
    pub struct Ok;
    /// Not std's Some.
    pub struct Some;
    /// Shadows a name the generated code could use for its locals.
    #[allow(non_upper_case_globals)]
    pub const prefix: u32 = 0;
    /// Same.
    #[allow(non_upper_case_globals)]
    pub const params: u32 = 0;
    /// Same.
    #[allow(non_upper_case_globals)]
    pub const builder: u32 = 0;
    /// Same.
    #[allow(non_upper_case_globals)]
    pub const other: u32 = 0;
    /// Same.
    #[allow(non_upper_case_globals)]
    pub const low: f64 = 0.0;
    /// A macro with the name of one in core.
    #[macro_export]
    macro_rules! unreachable {
        () => {
            compile_error!("generated code used the user's unreachable!")
        };
    }
    mod tunekit {}
    mod core {}
    mod std {}

    /// A bound.
    pub const MIN: u32 = 2;
    /// A bound.
    pub const MAX: u32 = 8;

    /// A documented tunable struct.
    #[tunable]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Train {
        /// Learning rate.
        #[tune(1e-5..=1e-1, log)]
        pub lr: f64,
        /// Layers.
        #[tune(choice(1, 2))]
        pub layers: u32,
        /// Optimizer.
        #[tune]
        pub optimizer: Optimizer,
        /// Name.
        #[tune(choice("a", "b"))]
        pub name: ::std::string::String,
        /// Untuned.
        pub epochs: u32,
        /// Bounds from consts: checked by const evaluation.
        #[tune(MIN..=MAX, step = 2)]
        pub width: u32,
    }

    /// A documented tunable enum.
    #[tunable]
    #[derive(Debug, Clone, PartialEq)]
    pub enum Optimizer {
        /// Plain.
        Sgd {
            /// Momentum.
            #[tune(0.0..=0.9)]
            momentum: f64,
        },
        /// Adaptive.
        Adam,
    }

    /// Builds the typed space here, where the prelude is shadowed.
    pub fn quick() -> ::tunekit::TypedSpace<Train> {
        space!(Train { epochs: 2, layers: choice(1) })
    }
}

fn main() {
    use tunekit::Tunable;
    let space = shadowed::Train::search_space().unwrap();
    assert_eq!(space.len(), 6);
    let study = tunekit::Study::minimize(shadowed::quick()).seed(1).build().unwrap();
    let _stop = study
        .optimize(5, |cfg: &shadowed::Train| cfg.lr)
        .unwrap();
    assert_eq!(study.best().unwrap().config.epochs, 2);
}
