//! The typed space of a tunable type: what `space!(T { .. })` returns.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use super::{FieldOverrides, Override, Tunable};
use crate::error::{Error, Result};
use crate::space::{Param, Params, SearchSpace, Space};

/// The search space of a [`Tunable`] type `T`, with call-site overrides; a study over it
/// hands the objective `&T`.
///
/// Build it with `space!(T)` or `space!(T { field: domain_or_value, .. })`; the macro
/// checks the overrides at compile time.
///
/// A pinned field has no parameter: every decoded config gets the pinned value, so a
/// config given to `Study::enqueue` runs with the pin in place of its own value for
/// that field. A narrowed field replaces the parameters of that field (for a nested
/// type, every `field.*` parameter) with one parameter named `field`, in the same
/// position.
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::Space; // search_space(), decode(), encode()
///
/// #[tunable]
/// #[derive(Debug, Clone, PartialEq)]
/// struct Train {
///     #[tune(1..=8)]
///     layers: u32,
///     #[tune(choice(16, 32, 64))]
///     batch: usize,
///     epochs: u32,
/// }
///
/// let space: TypedSpace<Train> = space!(Train { layers: 2..=4, batch: 32, epochs: 10 });
/// let dynamic = space.search_space()?; // what samplers see
/// assert_eq!(dynamic.get("layers").unwrap().domain, Domain::int(2, 4));
/// assert!(dynamic.get("batch").is_none()); // pinned: no parameter at all
///
/// let study = Study::minimize(space).build()?;
/// let trial = study.ask()?;
/// assert_eq!((trial.config.batch, trial.config.epochs), (32, 10));
/// assert!((2..=4).contains(&trial.config.layers));
/// # Ok::<(), tunekit::Error>(())
/// ```
pub struct TypedSpace<T> {
    overrides: Vec<Override>,
    config: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for TypedSpace<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedSpace")
            .field("config", &std::any::type_name::<T>())
            .field("overrides", &self.overrides)
            .finish()
    }
}

impl<T> Clone for TypedSpace<T> {
    fn clone(&self) -> Self {
        TypedSpace {
            overrides: self.overrides.clone(),
            config: PhantomData,
        }
    }
}

impl<T: Tunable> Default for TypedSpace<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Tunable> TypedSpace<T> {
    /// The space `T` declares, unchanged.
    pub fn new() -> Self {
        TypedSpace {
            overrides: Vec::new(),
            config: PhantomData,
        }
    }

    /// The same space with one top-level field overridden (replacing an earlier
    /// override of the same field).
    #[must_use]
    pub fn with_override(mut self, field_override: Override) -> Self {
        self.overrides.retain(|o| o.field != field_override.field);
        self.overrides.push(field_override);
        self
    }

    /// The overrides, in the order they were given.
    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }
}

impl<T: Tunable + Send + Sync> Space for TypedSpace<T> {
    type Config = T;

    /// `T`'s space with every overridden field's parameters (the field itself, or
    /// everything under `field.`) replaced by its new domain, or dropped when pinned.
    ///
    /// An override naming a field `T` does not have, or giving a value of another type
    /// than the field's, is an error naming the field.
    fn search_space(&self) -> Result<SearchSpace> {
        let fields = T::fields();
        for found in &self.overrides {
            found.check_field(std::any::type_name::<T>(), fields.as_deref())?;
        }
        let declared = T::search_space()?;
        let mut params: Vec<Param> = Vec::with_capacity(declared.len());
        let mut placed = HashSet::new();
        for param in declared.params() {
            let top = param.name.split('.').next().unwrap_or_default();
            match self.overrides.iter().find(|o| o.field == top) {
                None => params.push(param.clone()),
                Some(found) => {
                    if placed.insert(found.field) {
                        params.extend(override_param(found)?);
                    }
                }
            }
        }
        for found in &self.overrides {
            if placed.insert(found.field) {
                params.extend(override_param(found)?);
            }
        }
        SearchSpace::new(params)
    }

    fn decode(&self, params: &Params) -> Result<T> {
        T::decode_with(params, "", &FieldOverrides::new(&self.overrides))
    }

    fn encode(&self, config: &T) -> Result<Params> {
        let mut params = Params::new();
        config.encode_with(&mut params, "", &FieldOverrides::new(&self.overrides))?;
        Ok(params)
    }
}

/// The parameter an override puts in the space: none for a pinned field.
fn override_param(found: &Override) -> Result<Option<Param>> {
    match &found.domain {
        None => Ok(None),
        Some(Ok(domain)) => Ok(Some(Param::new(found.field, domain.clone()))),
        Some(Err(message)) => Err(Error::space(found.field, message)),
    }
}
