//! What a study searches: a dynamic space, or a typed one that decodes into a config type.

use super::{Params, SearchSpace};
use crate::error::Result;

/// A search space together with how its points become configuration values.
///
/// [`SearchSpace`] is one, with `Params` as its config; the `space!` macro's typed spaces
/// are others, with the user's struct as config. [`Study`](crate::study::Study) is generic over
/// this trait, so both run on the same engine.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::Space;
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// struct Net {
///     #[tune(1..=8)]
///     layers: u32,
///     epochs: u32,
/// }
///
/// let space = space!(Net { epochs: 3 });
/// let params = Params::new().with("layers", 5);
/// let net: Net = space.decode(&params)?; // a point of the space, as the config type
/// assert_eq!(net, Net { layers: 5, epochs: 3 });
/// assert_eq!(space.encode(&net)?, params); // and back
/// assert_eq!(space.search_space()?.len(), 1);
/// # Ok::<(), tunekit::Error>(())
/// ```
pub trait Space: Send + Sync {
    /// The value the objective receives.
    type Config: Send + Sync;

    /// The dynamic space samplers search. Called once, when the study is built; an error
    /// here (an invalid domain computed at run time, say) fails the build.
    fn search_space(&self) -> Result<SearchSpace>;

    /// The config at a point of the space.
    fn decode(&self, params: &Params) -> Result<Self::Config>;

    /// The point of the space a config stands for (for `enqueue`).
    fn encode(&self, config: &Self::Config) -> Result<Params>;
}

impl Space for SearchSpace {
    type Config = Params;

    fn search_space(&self) -> Result<SearchSpace> {
        Ok(self.clone())
    }

    fn decode(&self, params: &Params) -> Result<Params> {
        self.check(params)?;
        Ok(params.clone())
    }

    fn encode(&self, config: &Params) -> Result<Params> {
        self.check(config)?;
        Ok(config.clone())
    }
}
