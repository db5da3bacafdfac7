//! An ordered, validated list of parameters, possibly conditional.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{join_path, Domain, Params, Value};
use crate::error::{Error, Result};

/// "Active only when categorical `parent` takes one of `values`."
///
/// JSON form: `{"parent":"optimizer","values":["adam"]}`. Conditions nest: a parent may
/// itself be conditional, which makes tree-structured spaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// Name of the categorical parameter this one depends on.
    pub parent: String,
    /// The parent values under which this parameter is active.
    pub values: Vec<Value>,
}

impl Condition {
    /// Active when `parent` equals `value`.
    pub fn equals(parent: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition {
            parent: parent.into(),
            values: vec![value.into()],
        }
    }

    /// Whether the condition holds for `params` (an absent parent means it does not).
    pub fn holds(&self, params: &Params) -> bool {
        params
            .value(&self.parent)
            .is_some_and(|v| self.values.iter().any(|w| w.same(v)))
    }
}

/// One parameter of a search space.
///
/// JSON form: `{"name":"lr","type":"float","low":1e-5,"high":0.1,"log":true,"step":null}`,
/// plus `"condition":{...}` for a conditional parameter. An unknown key (`"stpe": 2`) is
/// an error naming the param and the nearest known key, never silently ignored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// Path-like name, unique in the space (`optimizer.Adam.lr`).
    pub name: String,
    /// The values it may take.
    #[serde(flatten)]
    pub domain: Domain,
    /// When set, the parameter exists only under this condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
}

impl Param {
    /// An unconditional parameter.
    pub fn new(name: impl Into<String>, domain: Domain) -> Self {
        Param {
            name: name.into(),
            domain,
            condition: None,
        }
    }
}

/// An ordered, validated list of parameters; what samplers search.
///
/// Built with [`SearchSpace::builder`] or loaded from JSON (a list of params, validated on
/// load). Parents are listed before the parameters conditioned on them.
///
/// ```
/// use tunekit::{Domain, SearchSpace};
///
/// let space = SearchSpace::builder()
///     .add("lr", Domain::float(1e-5, 1e-1).log())
///     .add("optimizer", Domain::categorical(["adam", "sgd"]))
///     .add_when("momentum", Domain::float(0.0, 0.99), "optimizer", ["sgd"])
///     .build()?;
/// assert_eq!(space.len(), 3);
/// let json = serde_json::to_string(&space).unwrap();
/// let back: SearchSpace = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, space);
/// # Ok::<(), tunekit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Param>", into = "Vec<Param>")]
pub struct SearchSpace {
    params: Vec<Param>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

impl SearchSpace {
    /// Validates `params` into a space: each domain valid, names unique and non-empty,
    /// each condition naming an earlier categorical parent and values it can take.
    ///
    /// A stepped range whose grid misses `high` (`0..=10` with step 3) has its `high`
    /// lowered to the last grid point (`9`), with a `tracing` warning, as Optuna does.
    /// (`#[tunable]` and `space!` refuse such a range at compile time when they know
    /// its bounds.)
    pub fn new(mut params: Vec<Param>) -> Result<Self> {
        let mut index = HashMap::with_capacity(params.len());
        for param in &mut params {
            if param.name.is_empty() {
                return Err(Error::space("", "a parameter name cannot be empty"));
            }
            param
                .domain
                .validate()
                .map_err(|message| Error::space(&param.name, message))?;
            if let Some(note) = param.domain.end_on_grid() {
                tracing::warn!(
                    "param `{}`: {note}; searching up to the last grid point instead",
                    param.name
                );
            }
        }
        for (i, param) in params.iter().enumerate() {
            if let Some(condition) = &param.condition {
                check_condition(param, condition, &params, &index)?;
            }
            if index.insert(param.name.clone(), i).is_some() {
                return Err(Error::space(
                    &param.name,
                    "the name is used twice; give every parameter its own name",
                ));
            }
        }
        Ok(SearchSpace { params, index })
    }

    /// An empty space (a study over it evaluates one fixed configuration per trial).
    pub fn empty() -> Self {
        SearchSpace {
            params: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Starts a builder; errors are reported by [`SearchSpaceBuilder::build`].
    pub fn builder() -> SearchSpaceBuilder {
        SearchSpaceBuilder::default()
    }

    /// Parses and validates a space from its JSON form (a list of params).
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::json("parsing a search space", e))
    }

    /// The parameters, in order.
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// The parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.index.get(name).map(|&i| &self.params[i])
    }

    /// Position of `name` in [`params`](Self::params).
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Number of parameters (active or not).
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// Whether the space has no parameters.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// Whether `param` is active given the values chosen so far. Because parents come
    /// first, walking the params in order and asking this decides every param.
    pub fn is_active(&self, param: &Param, chosen: &Params) -> bool {
        param.condition.as_ref().is_none_or(|c| c.holds(chosen))
    }

    /// Checks that `params` is one point of this space: every active parameter present
    /// with an allowed value, nothing inactive or unknown present.
    pub fn check(&self, params: &Params) -> Result<()> {
        for (name, _) in params.iter() {
            if self.get(name).is_none() {
                return Err(Error::InvalidParams(format!(
                    "`{name}` is not a parameter of this space"
                )));
            }
        }
        for param in &self.params {
            let active = self.is_active(param, params);
            match (active, params.value(&param.name)) {
                (true, None) => {
                    return Err(Error::InvalidParams(format!(
                        "`{}` is active but has no value; give it {}",
                        param.name,
                        param.domain.describe()
                    )))
                }
                (false, Some(_)) => {
                    return Err(Error::InvalidParams(format!(
                    "`{}` is inactive here (its condition on `{}` does not hold) but has a value",
                    param.name,
                    param.condition.as_ref().map_or("", |c| c.parent.as_str())
                )))
                }
                (true, Some(value)) if !param.domain.contains(value) => {
                    return Err(Error::InvalidParams(format!(
                        "`{}` = {}",
                        param.name,
                        param.domain.explain_outside(value)
                    )))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// What JSON deserializes a param into once its keys are checked.
#[derive(Deserialize)]
struct ParamRepr {
    name: String,
    #[serde(flatten)]
    domain: Domain,
    #[serde(default)]
    condition: Option<Condition>,
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let raw = serde_json::Value::deserialize(deserializer)?;
        check_keys(&raw).map_err(D::Error::custom)?;
        let repr = ParamRepr::deserialize(raw).map_err(D::Error::custom)?;
        Ok(Param {
            name: repr.name,
            domain: repr.domain,
            condition: repr.condition,
        })
    }
}

const RANGE_KEYS: &[&str] = &["name", "type", "low", "high", "log", "step", "condition"];
const CATEGORICAL_KEYS: &[&str] = &["name", "type", "choices", "condition"];
const CONDITION_KEYS: &[&str] = &["parent", "values"];

/// Refuses keys a param (or its condition) does not have, with the nearest known key.
fn check_keys(raw: &serde_json::Value) -> std::result::Result<(), String> {
    let Some(object) = raw.as_object() else {
        return Ok(()); // the typed pass reports what was expected
    };
    let name = object.get("name").and_then(|n| n.as_str()).unwrap_or("");
    let kind = object.get("type").and_then(|t| t.as_str()).unwrap_or("");
    let known = match kind {
        "float" | "int" => RANGE_KEYS,
        "categorical" => CATEGORICAL_KEYS,
        _ => return Ok(()), // an unknown or missing type is reported by the typed pass
    };
    let unknown = |key: &str, known: &[&str], what: &str| {
        let hint = match nearest(key, known) {
            Some(near) => format!("did you mean `{near}`? "),
            None => String::new(),
        };
        format!(
            "invalid search space: param `{name}`: unknown key `{key}` in {what}; {hint}\
             the keys are {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    for key in object.keys() {
        if !known.contains(&key.as_str()) {
            return Err(unknown(key, known, &format!("a param of type `{kind}`")));
        }
    }
    if let Some(condition) = object.get("condition").and_then(|c| c.as_object()) {
        for key in condition.keys() {
            if !CONDITION_KEYS.contains(&key.as_str()) {
                return Err(unknown(key, CONDITION_KEYS, "its condition"));
            }
        }
    }
    Ok(())
}

/// The known key closest to `key` by edit distance, when it is close enough to be a typo.
fn nearest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|&k| (edit_distance(key, k), k))
        .filter(|&(d, k)| d <= (k.len().max(key.len()) / 2).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, with an adjacent swap counting as one edit (`stpe` -> `step`).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in table.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in table[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (table[i - 1][j] + 1)
                .min(table[i][j - 1] + 1)
                .min(table[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(table[i - 2][j - 2] + 1);
            }
            table[i][j] = d;
        }
    }
    table[a.len()][b.len()]
}

fn check_condition(
    param: &Param,
    condition: &Condition,
    params: &[Param],
    seen: &HashMap<String, usize>,
) -> Result<()> {
    let Some(&parent_index) = seen.get(&condition.parent) else {
        let message = if params.iter().any(|p| p.name == condition.parent) {
            format!(
                "its condition names `{}`, which is listed after it; list parents first",
                condition.parent
            )
        } else {
            format!(
                "its condition names `{}`, which is not a parameter of this space",
                condition.parent
            )
        };
        return Err(Error::space(&param.name, message));
    };
    let Domain::Categorical { choices } = &params[parent_index].domain else {
        return Err(Error::space(
            &param.name,
            format!(
                "its condition names `{}`, which is not categorical; conditions depend on categorical parents",
                condition.parent
            ),
        ));
    };
    if condition.values.is_empty() {
        return Err(Error::space(
            &param.name,
            "its condition lists no parent values; list at least one",
        ));
    }
    for (i, value) in condition.values.iter().enumerate() {
        if condition.values[..i]
            .iter()
            .any(|earlier| earlier.same(value))
        {
            return Err(Error::space(
                &param.name,
                format!(
                    "its condition lists `{}` = {value} twice; list each parent value once",
                    condition.parent
                ),
            ));
        }
        if !choices.iter().any(|c| c.same(value)) {
            return Err(Error::space(
                &param.name,
                format!(
                    "its condition needs `{}` = {value}, which is not one of that parameter's choices",
                    condition.parent
                ),
            ));
        }
    }
    Ok(())
}

impl TryFrom<Vec<Param>> for SearchSpace {
    type Error = Error;
    fn try_from(params: Vec<Param>) -> Result<Self> {
        SearchSpace::new(params)
    }
}

impl From<SearchSpace> for Vec<Param> {
    fn from(space: SearchSpace) -> Self {
        space.params
    }
}

/// Collects parameters; [`build`](Self::build) validates them all at once.
#[derive(Debug, Default, Clone)]
pub struct SearchSpaceBuilder {
    params: Vec<Param>,
}

impl SearchSpaceBuilder {
    /// Adds an unconditional parameter.
    #[must_use]
    pub fn add(mut self, name: impl Into<String>, domain: Domain) -> Self {
        self.params.push(Param::new(name, domain));
        self
    }

    /// Adds a parameter active only when `parent` takes one of `values`.
    #[must_use]
    pub fn add_when<V: Into<Value>>(
        mut self,
        name: impl Into<String>,
        domain: Domain,
        parent: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.params.push(Param {
            name: name.into(),
            domain,
            condition: Some(Condition {
                parent: parent.into(),
                values: values.into_iter().map(Into::into).collect(),
            }),
        });
        self
    }

    /// Adds a ready-made parameter.
    #[must_use]
    pub fn param(mut self, param: Param) -> Self {
        self.params.push(param);
        self
    }

    /// Adds every parameter of `space` under `prefix.` (conditions re-pathed to match);
    /// its unconditional parameters get `condition`, so a whole sub-space can hang under
    /// one parent value.
    #[must_use]
    pub fn nest(mut self, prefix: &str, space: SearchSpace, condition: Option<Condition>) -> Self {
        for mut param in space.params {
            param.name = join_path(prefix, &param.name);
            param.condition = match param.condition {
                Some(mut inner) => {
                    inner.parent = join_path(prefix, &inner.parent);
                    Some(inner)
                }
                None => condition.clone(),
            };
            self.params.push(param);
        }
        self
    }

    /// Validates and returns the space.
    pub fn build(self) -> Result<SearchSpace> {
        SearchSpace::new(self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        SearchSpace::from_json(json).unwrap_err().to_string()
    }

    #[test]
    fn json_form_matches_the_design() {
        let space = SearchSpace::from_json(
            r#"[{"name":"lr","type":"float","low":1e-5,"high":0.1,"log":true,"step":null},
                {"name":"layers","type":"int","low":1,"high":4},
                {"name":"opt","type":"categorical","choices":["adam","sgd"]}]"#,
        )
        .unwrap();
        assert_eq!(space.len(), 3);
        assert_eq!(
            space.get("lr").unwrap().domain,
            Domain::float(1e-5, 0.1).log()
        );
        let json = serde_json::to_string(&space).unwrap();
        assert_eq!(
            json,
            r#"[{"name":"lr","type":"float","low":0.00001,"high":0.1,"log":true,"step":null},{"name":"layers","type":"int","low":1,"high":4,"log":false,"step":null},{"name":"opt","type":"categorical","choices":["adam","sgd"]}]"#
        );
        assert_eq!(SearchSpace::from_json(&json).unwrap(), space);
    }

    /// Hardening item 3: JSON spaces take one-value ranges, and a step that misses
    /// `high` lowers `high` to the last grid point.
    #[test]
    fn json_one_value_ranges_load_and_off_step_highs_end_on_the_grid() {
        let space = SearchSpace::from_json(
            r#"[{"name":"n","type":"int","low":2,"high":2},
                {"name":"lr","type":"float","low":0.01,"high":0.01,"log":true},
                {"name":"k","type":"int","low":0,"high":10,"step":3},
                {"name":"d","type":"float","low":0,"high":0.5,"step":0.2}]"#,
        )
        .unwrap();
        assert_eq!(space.get("n").unwrap().domain, Domain::int(2, 2));
        assert_eq!(
            space.get("lr").unwrap().domain,
            Domain::float(0.01, 0.01).log()
        );
        assert_eq!(space.get("k").unwrap().domain, Domain::int(0, 9).step(3.0));
        assert_eq!(
            space.get("d").unwrap().domain,
            Domain::float(0.0, 0.4).step(0.2)
        );
    }

    #[test]
    fn conditional_json_round_trips() {
        let space = SearchSpace::builder()
            .add("opt", Domain::categorical(["adam", "sgd"]))
            .add_when("momentum", Domain::float(0.0, 0.9), "opt", ["sgd"])
            .build()
            .unwrap();
        let json = serde_json::to_string(&space).unwrap();
        assert!(json.contains(r#""condition":{"parent":"opt","values":["sgd"]}"#));
        assert_eq!(SearchSpace::from_json(&json).unwrap(), space);
    }

    #[test]
    fn every_invalid_space_names_the_param_and_the_fix() {
        let cases = [
            (
                r#"[{"name":"x","type":"float","low":1,"high":0}]"#,
                "param `x`: range is reversed",
            ),
            (
                r#"[{"name":"lr","type":"float","low":0,"high":1,"log":true}]"#,
                "param `lr`: a log scale needs low > 0",
            ),
            (
                r#"[{"name":"x","type":"float","low":0,"high":1,"step":-0.5}]"#,
                "param `x`: step must be > 0",
            ),
            (
                r#"[{"name":"x","type":"int","low":0,"high":4,"step":5}]"#,
                "param `x`: step = 5 is wider than the range",
            ),
            (
                r#"[{"name":"c","type":"categorical","choices":[]}]"#,
                "param `c`: a categorical needs at least one choice",
            ),
            (
                r#"[{"name":"c","type":"categorical","choices":[1,2,1]}]"#,
                "param `c`: choice 1 is listed twice",
            ),
            (
                r#"[{"name":"x","type":"int","low":0,"high":4},{"name":"x","type":"int","low":0,"high":4}]"#,
                "param `x`: the name is used twice",
            ),
            (
                r#"[{"name":"m","type":"float","low":0,"high":1,"condition":{"parent":"opt","values":["sgd"]}}]"#,
                "param `m`: its condition names `opt`, which is not a parameter",
            ),
            (
                r#"[{"name":"opt","type":"categorical","choices":["adam"]},{"name":"m","type":"float","low":0,"high":1,"condition":{"parent":"opt","values":["sgd"]}}]"#,
                "param `m`: its condition needs `opt` = \"sgd\", which is not one of",
            ),
            (
                r#"[{"name":"m","type":"float","low":0,"high":1,"condition":{"parent":"opt","values":["sgd"]}},{"name":"opt","type":"categorical","choices":["sgd"]}]"#,
                "listed after it; list parents first",
            ),
            (
                r#"[{"name":"n","type":"int","low":0,"high":4},{"name":"m","type":"float","low":0,"high":1,"condition":{"parent":"n","values":[1]}}]"#,
                "which is not categorical",
            ),
            // Issue 11, item 1: a value listed twice would make grid search count the
            // child twice and propose one point forever.
            (
                r#"[{"name":"opt","type":"categorical","choices":["x","y"]},{"name":"m","type":"int","low":0,"high":1,"condition":{"parent":"opt","values":["x","x"]}}]"#,
                "param `m`: its condition lists `opt` = \"x\" twice; list each parent value once",
            ),
            // Issue 11, item 5: unknown keys are refused with the nearest known one.
            (
                r#"[{"name":"layers","type":"int","low":1,"high":4,"stpe":2}]"#,
                "param `layers`: unknown key `stpe` in a param of type `int`; did you mean `step`?",
            ),
            (
                r#"[{"name":"c","type":"categorical","choices":["a"],"choice":["b"]}]"#,
                "param `c`: unknown key `choice` in a param of type `categorical`; did you mean `choices`?",
            ),
            (
                r#"[{"name":"o","type":"categorical","choices":["a"]},{"name":"m","type":"float","low":0,"high":1,"condition":{"parent":"o","value":["a"]}}]"#,
                "param `m`: unknown key `value` in its condition; did you mean `values`?",
            ),
            (
                r#"[{"name":"x","type":"float","low":0,"high":1,"zzzzzz":1}]"#,
                "param `x`: unknown key `zzzzzz` in a param of type `float`; the keys are `name`",
            ),
        ];
        for (json, expected) in cases {
            let message = err(json);
            assert!(
                message.contains(expected),
                "{json}\n  gave: {message}\n  want: {expected}"
            );
        }
    }

    #[test]
    fn check_catches_missing_inactive_unknown_and_out_of_domain() {
        let space = SearchSpace::builder()
            .add("opt", Domain::categorical(["adam", "sgd"]))
            .add_when("momentum", Domain::float(0.0, 0.9), "opt", ["sgd"])
            .build()
            .unwrap();
        let ok = Params::new().with("opt", "sgd").with("momentum", 0.5);
        space.check(&ok).unwrap();
        space.check(&Params::new().with("opt", "adam")).unwrap();
        let cases = [
            (
                Params::new().with("opt", "sgd"),
                "`momentum` is active but has no value; give it a float in 0..=0.9",
            ),
            (
                Params::new(),
                "`opt` is active but has no value; give it one of \"adam\", \"sgd\"",
            ),
            (
                Params::new().with("opt", "rmsprop"),
                "`opt` = \"rmsprop\" is not among the choices; give one of \"adam\", \"sgd\"",
            ),
            (
                Params::new().with("opt", "adam").with("momentum", 0.5),
                "is inactive here",
            ),
            (
                Params::new().with("opt", "adam").with("lr", 0.5),
                "not a parameter",
            ),
            (
                Params::new().with("opt", "sgd").with("momentum", 1.5),
                "`momentum` = 1.5 is outside 0..=0.9; give a float in 0..=0.9",
            ),
        ];
        for (params, expected) in cases {
            let message = space.check(&params).unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn nest_prefixes_names_and_conditions() {
        let inner = SearchSpace::builder()
            .add("kind", Domain::categorical(["a", "b"]))
            .add_when("x", Domain::int(1, 3), "kind", ["b"])
            .build()
            .unwrap();
        let space = SearchSpace::builder()
            .add("model", Domain::categorical(["mlp", "tree"]))
            .nest("model.mlp", inner, Some(Condition::equals("model", "mlp")))
            .build()
            .unwrap();
        let names: Vec<_> = space.params().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["model", "model.mlp.kind", "model.mlp.x"]);
        assert_eq!(
            space.get("model.mlp.x").unwrap().condition,
            Some(Condition::equals("model.mlp.kind", "b"))
        );
        assert_eq!(
            space.get("model.mlp.kind").unwrap().condition,
            Some(Condition::equals("model", "mlp"))
        );
    }
}
