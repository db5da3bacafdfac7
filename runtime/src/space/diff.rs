//! Telling a user exactly how the space of a reopened study differs from the stored one.
//! The study builder uses it for every storage.

use super::{Domain, Param, SearchSpace};

/// The first difference between the space a study was stored with and the space of the
/// study reopening it, as (param name, what differs); `None` when they hold the same
/// params. Order does not count: samplers look params up by name.
pub(crate) fn first_difference(
    stored: &SearchSpace,
    study: &SearchSpace,
) -> Option<(String, String)> {
    for param in stored.params() {
        match study.get(&param.name) {
            None => {
                return Some((
                    param.name.clone(),
                    format!(
                        "the stored space has it ({}) but the study's space does not",
                        describe(param)
                    ),
                ))
            }
            Some(other) if other != param => {
                return Some((
                    param.name.clone(),
                    format!(
                        "the stored space has {} but the study's has {}{}",
                        describe(param),
                        describe(other),
                        relabeled_hint(param, other)
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    study
        .params()
        .iter()
        .find(|param| stored.get(&param.name).is_none())
        .map(|param| {
            (
                param.name.clone(),
                format!(
                    "the study's space has it ({}) but the stored space does not",
                    describe(param)
                ),
            )
        })
}

/// A param in its JSON form, the way users write spaces by hand.
/// For two categoricals with as many choices: the note that tunekit once labeled some
/// choices by their source text (hardening item 1), so a study stored then differs in
/// its labels only.
fn relabeled_hint(stored: &Param, study: &Param) -> &'static str {
    match (&stored.domain, &study.domain) {
        (Domain::Categorical { choices: a }, Domain::Categorical { choices: b })
            if a.len() == b.len() && stored.condition == study.condition =>
        {
            "; if only the choice labels differ, the study was stored by a tunekit that \
             labeled choices other than literals by their source text (`cfg.small`, \
             `Optimizer::Sgd{momentum:0.9}`), which are now labeled by their values \
             (`0.5`, `Sgd(momentum=0.9)`): start a new study, or reopen this one with \
             `allow_space_change()` (its old trials then no longer decode into configs)"
        }
        _ => "",
    }
}

fn describe(param: &Param) -> String {
    serde_json::to_string(param).unwrap_or_else(|_| format!("{param:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::Domain;

    fn space(params: &[(&str, Domain)]) -> SearchSpace {
        params
            .iter()
            .fold(SearchSpace::builder(), |b, (name, domain)| {
                b.add(*name, domain.clone())
            })
            .build()
            .unwrap()
    }

    /// Hardening item 1: a study stored with source-text choice labels says why it no
    /// longer matches.
    #[test]
    fn relabeled_choices_explain_the_old_labels() {
        let stored = space(&[("lr", Domain::categorical(["cfg.small", "cfg.large"]))]);
        let now = space(&[("lr", Domain::categorical([0.25, 0.5]))]);
        let (param, message) = first_difference(&stored, &now).unwrap();
        assert_eq!(param, "lr");
        assert!(message.contains("labeled by their values"), "{message}");
        assert!(message.contains("allow_space_change()"), "{message}");
        let narrowed = space(&[("lr", Domain::categorical([0.25]))]);
        let (_, message) = first_difference(&stored, &narrowed).unwrap();
        assert!(!message.contains("labeled"), "{message}");
    }

    #[test]
    fn names_the_param_that_differs() {
        let stored = space(&[("x", Domain::int(0, 9)), ("lr", Domain::float(0.0, 1.0))]);
        let same_reordered = space(&[("lr", Domain::float(0.0, 1.0)), ("x", Domain::int(0, 9))]);
        assert_eq!(first_difference(&stored, &same_reordered), None);

        let widened = space(&[("x", Domain::int(0, 20)), ("lr", Domain::float(0.0, 1.0))]);
        let (param, message) = first_difference(&stored, &widened).unwrap();
        assert_eq!(param, "x");
        assert!(
            message.contains("\"high\":9") && message.contains("\"high\":20"),
            "{message}"
        );

        let dropped = space(&[("x", Domain::int(0, 9))]);
        let (param, message) = first_difference(&stored, &dropped).unwrap();
        assert_eq!(param, "lr");
        assert!(message.starts_with("the stored space has it"), "{message}");

        let added = space(&[
            ("x", Domain::int(0, 9)),
            ("lr", Domain::float(0.0, 1.0)),
            ("depth", Domain::int(1, 3)),
        ]);
        let (param, message) = first_difference(&stored, &added).unwrap();
        assert_eq!(param, "depth");
        assert!(message.starts_with("the study's space has it"), "{message}");
    }
}
