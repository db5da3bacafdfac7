//! The values of the active parameters of one trial.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{FromValue, Value};
use crate::error::{Error, Result};

/// Parameter name -> value, for the parameters active in one trial.
///
/// Inactive conditional parameters are absent. Serializes as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Params(BTreeMap<String, Value>);

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Params::default()
    }

    /// Sets `name` to `value`, replacing any earlier value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.0.insert(name.into(), value.into());
    }

    /// Builder form of [`insert`](Self::insert).
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.insert(name, value);
        self
    }

    /// The raw value of `name`, if the parameter is present.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The value of `name` as a `T`, or an error naming the parameter.
    ///
    /// ```
    /// # use tunekit::Params;
    /// let p = Params::new().with("lr", 0.01).with("layers", 3);
    /// let lr: f64 = p.get("lr")?;
    /// let layers: u32 = p.get("layers")?;
    /// assert_eq!((lr, layers), (0.01, 3));
    /// assert!(p.get::<f64>("momentum").is_err());
    /// # Ok::<(), tunekit::Error>(())
    /// ```
    pub fn get<T: FromValue>(&self, name: &str) -> Result<T> {
        let value = self.0.get(name).ok_or_else(|| {
            Error::decode(name, "no such parameter in this trial (is it inactive?)")
        })?;
        T::from_value(value).map_err(|message| Error::decode(name, message))
    }

    /// The value of `name` as a `T` when present; `Ok(None)` when absent.
    pub fn get_opt<T: FromValue>(&self, name: &str) -> Result<Option<T>> {
        match self.0.get(name) {
            None => Ok(None),
            Some(value) => T::from_value(value)
                .map(Some)
                .map_err(|message| Error::decode(name, message)),
        }
    }

    /// Whether `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name)
    }

    /// Number of parameters present.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no parameter is present.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The parameters in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Copies every parameter of `other` into `self`, each under `prefix.name`
    /// (or `name` when `prefix` is empty).
    pub fn extend_prefixed(&mut self, prefix: &str, other: Params) {
        for (name, value) in other.0 {
            self.0.insert(super::join_path(prefix, &name), value);
        }
    }

    /// Whether both hold the same names with the same values (floats compared exactly).
    pub fn same(&self, other: &Params) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|((ka, va), (kb, vb))| ka == kb && va.same(vb))
    }
}

impl FromIterator<(String, Value)> for Params {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Params(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Params {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::collections::btree_map::Iter<'a, String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
