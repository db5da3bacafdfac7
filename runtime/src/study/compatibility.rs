//! Whether a stored study fits the study being built: decided here, once, for every
//! storage, so each backend only stores and every backend answers with the same errors.

use crate::error::{Error, Result};
use crate::space::diff::first_difference;
use crate::storage::StudyInfo;
use crate::trial::Direction;

/// What reopening a stored study asks of the storage.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Reopen {
    /// The stored study is the study being built.
    AsStored,
    /// The space changed and the user allowed it: the storage records the new space.
    ChangeSpace,
}

/// Checks `stored` (what `location` holds) against `wanted`: the same name and direction,
/// and the same space (params compared by name, order aside) unless `allow_space_change`.
pub(super) fn check(
    stored: &StudyInfo,
    wanted: &StudyInfo,
    location: &str,
    allow_space_change: bool,
) -> Result<Reopen> {
    if stored.name != wanted.name {
        return Err(Error::Config(format!(
            "{location} holds study `{}`, not `{}`: name the study `{}` \
             (StudyBuilder::name) or use another storage",
            stored.name, wanted.name, stored.name
        )));
    }
    if stored.direction != wanted.direction {
        return Err(Error::Config(format!(
            "{location} holds study `{}`, which {}s, but this study {}s: a study's \
             direction cannot change; use another study name or the same direction",
            stored.name,
            verb(stored.direction),
            verb(wanted.direction)
        )));
    }
    let Some((param, difference)) = first_difference(&stored.space, &wanted.space) else {
        return Ok(Reopen::AsStored);
    };
    if allow_space_change {
        tracing::info!(%location, study = %stored.name, param, "the study's space changed: {difference}");
        return Ok(Reopen::ChangeSpace);
    }
    Err(Error::InvalidSpace {
        param,
        message: format!(
            "{location} holds study `{}` with another space: {difference}; build the study \
             with the space it was stored with, or call StudyBuilder::allow_space_change() \
             to extend it",
            stored.name
        ),
    })
}

fn verb(direction: Direction) -> &'static str {
    match direction {
        Direction::Minimize => "minimize",
        Direction::Maximize => "maximize",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{Domain, SearchSpace};

    fn info(name: &str, direction: Direction, params: &[(&str, Domain)]) -> StudyInfo {
        let space = params
            .iter()
            .fold(SearchSpace::builder(), |b, (name, domain)| {
                b.add(*name, domain.clone())
            })
            .build()
            .unwrap();
        StudyInfo {
            name: name.into(),
            direction,
            space,
        }
    }

    #[test]
    fn same_study_in_any_param_order_reopens_as_stored() {
        let x = ("x", Domain::int(0, 9));
        let lr = ("lr", Domain::float(0.0, 1.0));
        let stored = info("s", Direction::Minimize, &[x.clone(), lr.clone()]);
        let wanted = info("s", Direction::Minimize, &[lr, x]);
        assert_eq!(
            check(&stored, &wanted, "here", false).unwrap(),
            Reopen::AsStored
        );
    }

    #[test]
    fn each_mismatch_has_its_error() {
        let x = ("x", Domain::int(0, 9));
        let stored = info("s", Direction::Minimize, std::slice::from_ref(&x));
        let other_name = info("t", Direction::Minimize, std::slice::from_ref(&x));
        let message = check(&stored, &other_name, "the journal a.jsonl", true)
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "invalid study configuration: the journal a.jsonl holds study `s`, not `t`: \
             name the study `s` (StudyBuilder::name) or use another storage"
        );
        let maximize = info("s", Direction::Maximize, std::slice::from_ref(&x));
        let err = check(&stored, &maximize, "here", true).unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("which minimizes, but this study maximizes")),
            "{err}"
        );
        let widened = info("s", Direction::Minimize, &[("x", Domain::int(0, 20))]);
        let err = check(&stored, &widened, "here", false).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidSpace { param, message }
                if param == "x" && message.contains("allow_space_change")),
            "{err}"
        );
        assert_eq!(
            check(&stored, &widened, "here", true).unwrap(),
            Reopen::ChangeSpace
        );
    }
}
