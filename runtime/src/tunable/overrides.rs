//! Call-site changes to a typed space: a field pinned to a value, or searched over a
//! narrower domain (what `space!(T { field: ... })` builds).

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::space::{Domain, Params};

type DecodeField = dyn Fn(&Params, &str) -> Result<Box<dyn Any>> + Send + Sync;
type EncodeField = dyn Fn(&dyn Any, &mut Params, &str) -> Result<()> + Send + Sync;

/// One top-level field of a typed space, pinned or given a new domain.
///
/// Built by the `space!` macro, which checks at compile time that the field exists and
/// that the value or domain fits its type. Built by hand, the same override is checked
/// when the study is built:
///
/// ```
/// use tunekit::prelude::*;
/// use tunekit::tunable::Override;
///
/// #[tunable]
/// #[derive(Debug, Clone)]
/// struct Train {
///     #[tune(1..=8)]
///     layers: u32,
///     #[tune(choice(16, 32, 64))]
///     batch: usize,
/// }
///
/// let batch: usize = std::env::var("BATCH").ok().and_then(|b| b.parse().ok()).unwrap_or(32);
/// let space = TypedSpace::<Train>::new().with_override(Override::pinned("batch", batch));
/// // the same as space!(Train { batch: batch })
/// let study = Study::minimize(space).build()?;
/// assert_eq!(study.ask()?.config.batch, batch);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Clone)]
pub struct Override {
    pub(crate) field: &'static str,
    /// `None` when the field is pinned (it has no parameter at all).
    pub(crate) domain: Option<Result<Domain, String>>,
    /// The type of the value or domain given, checked against the field's when the
    /// space is built.
    pub(crate) value_type: (TypeId, &'static str),
    decode: Arc<DecodeField>,
    encode: Arc<EncodeField>,
}

impl fmt::Debug for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Override")
            .field("field", &self.field)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl Override {
    /// The field always takes `value`; it is no longer searched.
    ///
    /// A `field` the config type does not have, or a `value` of another type than the
    /// field's, makes building the space (and so the study) an error naming the field.
    pub fn pinned<F: Clone + Send + Sync + 'static>(field: &'static str, value: F) -> Self {
        Override {
            field,
            domain: None,
            value_type: (TypeId::of::<F>(), std::any::type_name::<F>()),
            decode: Arc::new(move |_, _| Ok(Box::new(value.clone()))),
            encode: Arc::new(|_, _, _| Ok(())),
        }
    }

    /// The field is searched over `domain`, read back with `decode` and written with
    /// `encode` (both given the field's parameter path).
    pub fn searched<F: 'static>(
        field: &'static str,
        domain: Result<Domain, String>,
        decode: impl Fn(&Params, &str) -> Result<F> + Send + Sync + 'static,
        encode: impl Fn(&F, &mut Params, &str) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        Override {
            field,
            domain: Some(domain),
            value_type: (TypeId::of::<F>(), std::any::type_name::<F>()),
            decode: Arc::new(move |params, path| Ok(Box::new(decode(params, path)?))),
            encode: Arc::new(move |value, params, path| match value.downcast_ref::<F>() {
                Some(value) => encode(value, params, path),
                None => Err(type_mismatch(path)),
            }),
        }
    }

    /// The field's name.
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// Checks the override against the top-level fields of the config type `type_name`
    /// (`None` when the type does not list them: nothing to check against).
    pub(crate) fn check_field(&self, type_name: &str, fields: Option<&[FieldType]>) -> Result<()> {
        let Some(fields) = fields else {
            return Ok(());
        };
        let Some(found) = fields.iter().find(|f| f.name == self.field) else {
            let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
            return Err(Error::space(
                self.field,
                format!(
                    "`{type_name}` has no field `{}`; override one of its fields: {}",
                    self.field,
                    if names.is_empty() {
                        "(it has none)".to_owned()
                    } else {
                        names.join(", ")
                    }
                ),
            ));
        };
        if found.type_id != self.value_type.0 {
            let what = if self.domain.is_some() {
                "searched over values of type"
            } else {
                "pinned to a value of type"
            };
            return Err(Error::space(
                self.field,
                format!(
                    "the field is a `{}` but is {what} `{}`; give a value of type `{}`",
                    found.type_name, self.value_type.1, found.type_name
                ),
            ));
        }
        Ok(())
    }
}

/// A top-level field of a tunable config type: its name and type, what overrides are
/// checked against.
#[derive(Debug, Clone, Copy)]
pub struct FieldType {
    /// The field's name.
    pub name: &'static str,
    type_id: TypeId,
    type_name: &'static str,
}

impl FieldType {
    /// The field `name` of type `F`.
    pub fn of<F: 'static>(name: &'static str) -> Self {
        FieldType {
            name,
            type_id: TypeId::of::<F>(),
            type_name: std::any::type_name::<F>(),
        }
    }
}

/// The overrides that apply to one level of a typed config (its top-level fields).
#[derive(Debug, Clone, Copy)]
pub struct FieldOverrides<'a>(&'a [Override]);

impl<'a> FieldOverrides<'a> {
    /// No field overridden.
    pub const NONE: FieldOverrides<'static> = FieldOverrides(&[]);

    /// Wraps a list of overrides.
    pub fn new(overrides: &'a [Override]) -> Self {
        FieldOverrides(overrides)
    }

    fn find(&self, field: &str) -> Option<&'a Override> {
        self.0.iter().find(|o| o.field == field)
    }

    /// The value of `field` when it is overridden, read from `params` at `path`.
    pub fn decode<F: 'static>(
        &self,
        field: &str,
        params: &Params,
        path: &str,
    ) -> Result<Option<F>> {
        let Some(found) = self.find(field) else {
            return Ok(None);
        };
        let value = (found.decode)(params, path)?;
        value
            .downcast::<F>()
            .map(|boxed| Some(*boxed))
            .map_err(|_| type_mismatch(path))
    }

    /// Writes `value` at `path` when `field` is overridden; `false` when it is not, so
    /// the caller writes it the usual way.
    pub fn encode<F: 'static>(
        &self,
        field: &str,
        value: &F,
        params: &mut Params,
        path: &str,
    ) -> Result<bool> {
        match self.find(field) {
            Some(found) => (found.encode)(value, params, path).map(|()| true),
            None => Ok(false),
        }
    }
}

fn type_mismatch(path: &str) -> Error {
    Error::decode(
        path,
        "the override of this field has another type than the field; build overrides with space!",
    )
}
