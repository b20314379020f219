//! Kubernetes label selectors (`matchLabels` and `matchExpressions`), shared by
//! every analyzer that selects objects by label: NetworkPolicy pod and namespace
//! selectors, ClusterRole aggregation rules.

use std::collections::BTreeMap;

use crate::node::Node;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

/// A conjunction of requirements. The empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// The selector that matches every label set.
    pub fn everything() -> LabelSelector {
        LabelSelector::default()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Reads a `LabelSelector` node. A null node is the empty selector (which is
    /// what the API decodes `podSelector:` with no value to). Errors name the
    /// problem the API server would reject.
    pub fn parse(node: &Node) -> Result<LabelSelector, String> {
        if node.is_null() {
            return Ok(LabelSelector::everything());
        }
        if node.as_map().is_none() {
            return Err(format!(
                "a label selector must be a mapping, not a {}",
                node.type_name()
            ));
        }
        let mut requirements = Vec::new();
        if let Some(labels) = node.get("matchLabels").filter(|n| !n.is_null()) {
            let map = labels.as_map().ok_or("matchLabels must be a mapping")?;
            for (key, value) in map.iter() {
                let value = scalar_text(value).ok_or_else(|| {
                    format!("matchLabels value of {:?} must be a string", key.name)
                })?;
                requirements.push(Requirement {
                    key: key.name.to_string(),
                    operator: Operator::In,
                    values: vec![value],
                });
            }
        }
        for expr in node
            .get("matchExpressions")
            .into_iter()
            .flat_map(Node::items)
        {
            let key = expr
                .get("key")
                .and_then(Node::as_str)
                .ok_or("a matchExpressions entry needs a string key")?
                .to_owned();
            let operator = match expr.get("operator").and_then(Node::as_str) {
                Some("In") => Operator::In,
                Some("NotIn") => Operator::NotIn,
                Some("Exists") => Operator::Exists,
                Some("DoesNotExist") => Operator::DoesNotExist,
                other => {
                    return Err(format!(
                        "unknown matchExpressions operator {other:?} for key {key:?}"
                    ));
                }
            };
            let values: Vec<String> = expr
                .get("values")
                .into_iter()
                .flat_map(Node::items)
                .filter_map(scalar_text)
                .collect();
            match operator {
                Operator::In | Operator::NotIn if values.is_empty() => {
                    return Err(format!(
                        "operator {operator:?} on key {key:?} needs at least one value"
                    ));
                }
                Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                    return Err(format!(
                        "operator {operator:?} on key {key:?} takes no values"
                    ));
                }
                _ => {}
            }
            requirements.push(Requirement {
                key,
                operator,
                values,
            });
        }
        Ok(LabelSelector { requirements })
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| {
            let value = labels.get(&r.key);
            match r.operator {
                Operator::In => value.is_some_and(|v| r.values.contains(v)),
                Operator::NotIn => value.is_none_or(|v| !r.values.contains(v)),
                Operator::Exists => value.is_some(),
                Operator::DoesNotExist => value.is_none(),
            }
        })
    }
}

/// Label values are strings; YAML may have decoded `true` or `1` into another
/// scalar, which the API server would reject, but np-guard reads as text. A
/// `null` is `""`, as Go decodes a `[]string` item.
fn scalar_text(node: &Node) -> Option<String> {
    use crate::node::Value;
    match &node.value {
        Value::String(s) => Some(s.to_string()),
        Value::Null => Some(String::new()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
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

    fn sel(json: serde_json::Value) -> LabelSelector {
        LabelSelector::parse(&Node::from_json(&json)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_null_value_is_the_empty_string_as_go_decodes_it() {
        let selector = sel(
            serde_json::json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": [null]}]}),
        );
        assert!(selector.matches(&labels(&[("tier", "")])));
        assert!(!selector.matches(&labels(&[("tier", "web")])));
    }

    #[test]
    fn empty_and_null_select_everything() {
        assert!(sel(serde_json::json!({})).matches(&labels(&[])));
        assert!(sel(serde_json::Value::Null).matches(&labels(&[("a", "b")])));
    }

    #[test]
    fn not_in_matches_a_missing_key_and_in_does_not() {
        let not_in = sel(
            serde_json::json!({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}),
        );
        let is_in = sel(
            serde_json::json!({"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}),
        );
        assert!(not_in.matches(&labels(&[])));
        assert!(!not_in.matches(&labels(&[("env", "prod")])));
        assert!(!is_in.matches(&labels(&[])));
        assert!(is_in.matches(&labels(&[("env", "prod")])));
    }

    #[test]
    fn labels_and_expressions_are_anded() {
        let s = sel(
            serde_json::json!({"matchLabels": {"app": "db"}, "matchExpressions": [{"key": "tier", "operator": "Exists"}]}),
        );
        assert!(s.matches(&labels(&[("app", "db"), ("tier", "x")])));
        assert!(!s.matches(&labels(&[("app", "db")])));
        assert!(!s.matches(&labels(&[("tier", "x")])));
    }

    #[test]
    fn invalid_expressions_are_rejected() {
        let bad = Node::from_json(
            &serde_json::json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}),
        );
        assert!(LabelSelector::parse(&bad).is_err());
        let bad = Node::from_json(
            &serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}),
        );
        assert!(LabelSelector::parse(&bad).is_err());
        let bad = Node::from_json(
            &serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Has"}]}),
        );
        assert!(LabelSelector::parse(&bad).is_err());
    }
}
