//! Label selectors as aggregation rules use them (`matchLabels` and
//! `matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`).

use std::collections::BTreeMap;

use palisade_core::{Node, string_entries};

/// One requirement of a selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
    /// An operator upstream would reject; it matches nothing, so a selector with
    /// one selects no role (the API server's conversion fails and selects nothing).
    Invalid,
}

/// `matchLabels` entries and `matchExpressions`, all ANDed. An empty selector
/// matches every label set (SPEC §7).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub expressions: Vec<Requirement>,
}

impl LabelSelector {
    pub fn from_node(node: &Node) -> LabelSelector {
        let match_labels = string_entries(node.get("matchLabels"))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let expressions = node
            .get("matchExpressions")
            .map(|n| n.items().map(requirement).collect())
            .unwrap_or_default();
        LabelSelector {
            match_labels,
            expressions,
        }
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.expressions.iter().all(|req| match req {
                Requirement::In(key, values) => labels.get(key).is_some_and(|v| values.contains(v)),
                Requirement::NotIn(key, values) => {
                    labels.get(key).is_none_or(|v| !values.contains(v))
                }
                Requirement::Exists(key) => labels.contains_key(key),
                Requirement::DoesNotExist(key) => !labels.contains_key(key),
                Requirement::Invalid => false,
            })
    }
}

fn requirement(node: &Node) -> Requirement {
    let key = node
        .get("key")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_owned();
    let values: Vec<String> = node
        .get("values")
        .map(|n| {
            n.items()
                .filter_map(Node::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    match node.get("operator").and_then(Node::as_str) {
        Some("In") => Requirement::In(key, values),
        Some("NotIn") => Requirement::NotIn(key, values),
        Some("Exists") => Requirement::Exists(key),
        Some("DoesNotExist") => Requirement::DoesNotExist(key),
        _ => Requirement::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn empty_selector_matches_everything() {
        assert!(LabelSelector::default().matches(&labels(&[])));
        assert!(LabelSelector::default().matches(&labels(&[("a", "b")])));
    }

    #[test]
    fn expressions_are_anded_with_labels() {
        let sel = LabelSelector::from_node(&Node::from_json(&serde_json::json!({
            "matchLabels": {"team": "a"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["x", "y"]},
                {"key": "legacy", "operator": "DoesNotExist"},
                {"key": "env", "operator": "NotIn", "values": ["prod"]}
            ]
        })));
        assert!(sel.matches(&labels(&[("team", "a"), ("tier", "x")])));
        assert!(sel.matches(&labels(&[("team", "a"), ("tier", "y"), ("env", "dev")])));
        assert!(!sel.matches(&labels(&[("team", "a"), ("tier", "z")])));
        assert!(!sel.matches(&labels(&[("team", "a"), ("tier", "x"), ("legacy", "")])));
        assert!(!sel.matches(&labels(&[("team", "a"), ("tier", "x"), ("env", "prod")])));
        assert!(!sel.matches(&labels(&[("tier", "x")])));
    }
}
