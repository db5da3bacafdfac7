//! A crate that depends on tunekit under another name (`tk`): `::tunekit` does not
//! exist here, so the generated code compiles only if it follows
//! `#[tunable]` (and `space!`'s own `$crate`).
#![deny(missing_docs, warnings, clippy::pedantic)]

use tk::{space, tunable};

/// A config whose generated code must name the runtime through `tk`.
#[tunable(crate = "tk")]
#[derive(Debug, Clone, PartialEq)]
pub struct Train {
    /// Learning rate.
    #[tune(1e-4..=1e-1, log)]
    pub lr: f64,
    /// Optimizer.
    #[tune]
    pub optimizer: Optimizer,
    /// Not searched.
    pub epochs: u32,
}

/// An enum tuned through `tk` as well.
#[tunable(crate = "::tk")]
#[derive(Debug, Clone, PartialEq)]
pub enum Optimizer {
    /// With momentum.
    Sgd {
        /// Momentum.
        #[tune(choice(0.0, 0.9))]
        momentum: f64,
    },
    /// Adaptive.
    Adam,
}

/// The number of parameters of `Train`'s space with the epochs pinned.
///
/// # Errors
/// When the space is invalid.
pub fn quick_space_len() -> tk::Result<usize> {
    use tk::Space;
    Ok(space!(Train { epochs: 3 }).search_space()?.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tk::Tunable;

    #[test]
    fn the_renamed_crate_drives_a_typed_study() {
        assert_eq!(Train::search_space().unwrap().len(), 3);
        assert_eq!(quick_space_len().unwrap(), 3);
        let study = tk::Study::minimize(space!(Train { epochs: 3 }))
            .sampler(tk::samplers::Random::new())
            .seed(9)
            .build()
            .unwrap();
        study.optimize(10, |cfg: &Train| cfg.lr).unwrap();
        let best = study.best().unwrap().config;
        assert_eq!(best.epochs, 3);
    }
}
