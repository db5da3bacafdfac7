//! Group decomposition: which parameters are modelled jointly.
//!
//! Parameters that are active in exactly the same trials can share a product kernel;
//! a conditional parameter cannot share one with a parameter it is not always seen with.
//! Optuna discovers these groups from the history; a tunekit space states its conditions,
//! so the groups follow from it directly: parameters whose chains of conditions up to the
//! root are identical are always active together, and form one group. A plain space is one
//! group (fully multivariate); an enum-shaped space gets the root group plus one group per
//! variant's fields.

use std::collections::HashMap;

use crate::space::{SearchSpace, Value};

/// One group: positions of its parameters in the space, ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub params: Vec<usize>,
}

/// The groups of `space`, ordered by their first parameter, so a parent's group always
/// comes before its children's. Without `multivariate` every parameter is its own group
/// (independent, univariate TPE).
pub(crate) fn decompose(space: &SearchSpace, multivariate: bool) -> Vec<Group> {
    let params = space.params();
    if !multivariate {
        return (0..params.len())
            .map(|j| Group { params: vec![j] })
            .collect();
    }
    // An activation class is (parent's class, parent position, parent values); class 0 is
    // "always active". Two params share a class iff their condition chains are equal.
    let mut classes: Vec<&[Value]> = Vec::new();
    let mut classes_under: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    let mut class_of = Vec::with_capacity(params.len());
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of_class: Vec<usize> = Vec::new();
    for (j, param) in params.iter().enumerate() {
        let class = match &param.condition {
            None => 0,
            Some(condition) => {
                let parent = space
                    .position(&condition.parent)
                    .expect("a validated space names existing parents");
                let key = (class_of[parent], parent, condition.values.as_slice());
                // Only classes under the same parent class and parent can match: look up
                // those (a linear scan of every class made deep chains quadratic).
                let candidates = classes_under.entry((key.0, key.1)).or_default();
                let found = candidates.iter().copied().find(|&i| {
                    let values: &[Value] = classes[i];
                    values.len() == key.2.len() && values.iter().zip(key.2).all(|(a, b)| a.same(b))
                });
                match found {
                    Some(i) => i + 1,
                    None => {
                        classes.push(key.2);
                        candidates.push(classes.len() - 1);
                        classes.len()
                    }
                }
            }
        };
        class_of.push(class);
        if group_of_class.len() <= class {
            group_of_class.resize(class + 1, usize::MAX);
        }
        if group_of_class[class] == usize::MAX {
            group_of_class[class] = groups.len();
            groups.push(Group { params: Vec::new() });
        }
        groups[group_of_class[class]].params.push(j);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::Domain;

    #[test]
    fn conditional_params_group_by_their_condition_chain() {
        let space = SearchSpace::builder()
            .add("lr", Domain::float(1e-4, 1.0).log())
            .add("opt", Domain::categorical(["sgd", "adam"]))
            .add_when("momentum", Domain::float(0.0, 0.99), "opt", ["sgd"])
            .add_when("beta1", Domain::float(0.8, 0.999), "opt", ["adam"])
            .add("layers", Domain::int(1, 4))
            .add_when(
                "nesterov",
                Domain::categorical([true, false]),
                "opt",
                ["sgd"],
            )
            .add_when("dampening", Domain::float(0.0, 0.5), "nesterov", [false])
            .build()
            .unwrap();
        let groups: Vec<Vec<usize>> = decompose(&space, true)
            .into_iter()
            .map(|g| g.params)
            .collect();
        assert_eq!(groups, vec![vec![0, 1, 4], vec![2, 5], vec![3], vec![6]]);
        assert_eq!(decompose(&space, false).len(), 7);
    }
}
