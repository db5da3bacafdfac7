//! Generated code in a module that shadows the prelude, under `missing_docs`, warnings
//! and clippy pedantic denied (checked by `cargo clippy --all-targets`). The trybuild
//! case `tests/ui/pass/hygiene.rs` shadows even more (local-name consts, `core`, `std`).
#![deny(missing_docs, warnings, clippy::pedantic)]

/// Redefines the names generated code must not rely on.
pub mod shadowed {
    #![allow(dead_code)]
    use tunekit::{space, tunable};

    /// Not std's Result.
    pub enum Result {}
    /// Not std's Option.
    pub enum Option {}
    /// Not std's Vec.
    pub struct Vec;
    /// Not std's String.
    pub struct String;
    /// Not std's Box.
    pub struct Box;
    /// Not std's Default.
    pub trait Default {}

    /// Documented and tunable.
    #[tunable]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Train {
        /// Learning rate.
        #[tune(1e-5..=1e-1, log)]
        pub lr: f64,
        /// Width.
        #[tune(choice(16, 32))]
        pub width: usize,
        /// Schedule.
        #[tune]
        pub schedule: Schedule,
        /// Kept at its default.
        pub epochs: u32,
    }

    /// Documented and tunable.
    #[tunable]
    #[derive(Debug, Clone, PartialEq)]
    pub enum Schedule {
        /// Flat.
        Constant,
        /// Decaying.
        Step {
            /// Factor.
            #[tune(0.1..=0.9, step = 0.1)]
            gamma: f32,
        },
    }

    /// The space, built where the prelude is shadowed.
    #[must_use]
    pub fn quick() -> tunekit::TypedSpace<Train> {
        space!(Train { epochs: 2 })
    }
}

#[test]
fn shadowed_prelude_does_not_reach_generated_code() {
    use tunekit::Tunable;
    assert_eq!(shadowed::Train::search_space().unwrap().len(), 4);
    let study = tunekit::Study::minimize(shadowed::quick())
        .seed(4)
        .build()
        .unwrap();
    study.optimize(5, |cfg: &shadowed::Train| cfg.lr).unwrap();
    assert_eq!(study.best().unwrap().config.epochs, 2);
}
