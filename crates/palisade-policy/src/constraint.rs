//! Constraints: instances of a template's kind (`constraints.gatekeeper.sh`),
//! with their `match`, `parameters` and enforcement action.

use std::collections::BTreeMap;
use std::sync::Arc;

use palisade_core::selector::LabelSelector;
use palisade_core::{Node, Object};

use crate::review::Review;
use crate::template::origin_of;

/// What happens to a result: Gatekeeper's `enforcementAction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Deny,
    Warn,
    /// Recorded only (audit and annotations), never shown to the requester.
    Dryrun,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "deny",
            Action::Warn => "warn",
            Action::Dryrun => "dryrun",
        }
    }

    fn parse(text: &str) -> Option<Action> {
        match text {
            "deny" => Some(Action::Deny),
            "warn" => Some(Action::Warn),
            "dryrun" => Some(Action::Dryrun),
            _ => None,
        }
    }
}

/// Where a constraint is enforced; `scoped` actions name these.
pub mod enforcement_point {
    /// The validating webhook (`palisade serve`).
    pub const WEBHOOK: &str = "validation.gatekeeper.sh";
    /// Gatekeeper's audit of existing objects (`palisade scan`).
    pub const AUDIT: &str = "audit.gatekeeper.sh";
    /// The gator CLI (`palisade policy verify`).
    pub const GATOR: &str = "gator.gatekeeper.sh";
}

/// One `kinds` entry of a match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindSelector {
    pub api_groups: Vec<String>,
    pub kinds: Vec<String>,
}

/// `spec.match.scope`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    All,
    Cluster,
    Namespaced,
}

/// `spec.match`, as Gatekeeper evaluates it.
#[derive(Clone, Debug, Default)]
pub struct Match {
    pub kinds: Vec<KindSelector>,
    pub scope: Scope,
    pub namespaces: Vec<String>,
    pub excluded_namespaces: Vec<String>,
    pub label_selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    pub name: String,
}

/// One Constraint.
#[derive(Clone, Debug)]
pub struct Constraint {
    pub kind: String,
    pub name: String,
    pub matcher: Match,
    /// `spec.parameters` (`None` when absent; Rego then sees `{}`).
    pub parameters: Option<Node>,
    /// The action per enforcement point; `*` applies to every point.
    actions: BTreeMap<String, Vec<Action>>,
    pub origin: Arc<str>,
    /// The whole object as JSON, for the CEL engine (`variables.params`).
    pub json: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {kind} {name:?}: {message}")]
pub struct ConstraintError {
    pub origin: Arc<str>,
    pub kind: String,
    pub name: String,
    pub message: String,
}

/// Whether an object is a Constraint (of any template's kind).
pub fn is_constraint(object: &Object) -> bool {
    object.group() == "constraints.gatekeeper.sh"
}

/// `*` at the start, the end or both, as Gatekeeper's wildcards.
pub fn wildcard_matches(pattern: &str, candidate: &str) -> bool {
    let starts = pattern.starts_with('*');
    let ends = pattern.ends_with('*');
    match (starts, ends) {
        (true, true) => {
            // Go trims one `*` from each end; `*` alone becomes "" and matches all.
            let inner = &pattern[1..];
            let inner = inner.strip_suffix('*').unwrap_or(inner);
            candidate.contains(inner)
        }
        (true, false) => candidate.ends_with(&pattern[1..]),
        (false, true) => candidate.starts_with(&pattern[..pattern.len() - 1]),
        (false, false) => pattern == candidate,
    }
}

impl Constraint {
    /// Reads a Constraint object; errors name the field.
    pub fn from_object(object: &Object) -> Result<Constraint, ConstraintError> {
        let origin = origin_of(object);
        let fail = |message: String| ConstraintError {
            origin: origin.clone(),
            kind: object.kind().to_owned(),
            name: object.name().to_owned(),
            message,
        };
        let spec = object.root().get("spec").filter(|s| !s.is_null());
        if let Some(spec) = spec
            && spec.as_map().is_none()
        {
            return Err(fail("spec must be an object".to_owned()));
        }
        let matcher = match spec.and_then(|s| s.get("match")).filter(|m| !m.is_null()) {
            None => Match::default(),
            Some(node) => Match::parse(node).map_err(|e| fail(format!("spec.match.{e}")))?,
        };
        let parameters = spec
            .and_then(|s| s.get("parameters"))
            .filter(|p| !p.is_null())
            .cloned();
        let action_text = spec
            .and_then(|s| s.get("enforcementAction"))
            .and_then(Node::as_str)
            .unwrap_or("deny");
        let mut actions: BTreeMap<String, Vec<Action>> = BTreeMap::new();
        if action_text == "scoped" {
            let scoped = spec
                .and_then(|s| s.get("scopedEnforcementActions"))
                .and_then(Node::as_seq)
                .ok_or_else(|| {
                    fail("enforcementAction scoped needs spec.scopedEnforcementActions".to_owned())
                })?;
            for (i, entry) in scoped.iter().enumerate() {
                let action_name = entry.get("action").and_then(Node::as_str).unwrap_or("");
                let action = Action::parse(action_name).ok_or_else(|| {
                    fail(format!(
                        "spec.scopedEnforcementActions[{i}].action {action_name:?} is not deny, warn or dryrun"
                    ))
                })?;
                let points = entry.get("enforcementPoints").map(Node::items);
                for point in points.into_iter().flatten() {
                    let point = point.get("name").and_then(Node::as_str).unwrap_or("");
                    actions.entry(point.to_owned()).or_default().push(action);
                }
            }
        } else {
            let action = Action::parse(action_text).ok_or_else(|| {
                fail(format!(
                    "spec.enforcementAction {action_text:?} is not deny, warn, dryrun or scoped"
                ))
            })?;
            actions.insert("*".to_owned(), vec![action]);
        }
        Ok(Constraint {
            kind: object.kind().to_owned(),
            name: object.name().to_owned(),
            matcher,
            parameters,
            actions,
            origin,
            json: object.root().to_json(),
        })
    }

    /// The actions at one enforcement point (empty: not enforced there).
    pub fn actions_at(&self, point: &str) -> Vec<Action> {
        let mut actions: Vec<Action> = self
            .actions
            .iter()
            .filter(|(p, _)| p.as_str() == "*" || p.as_str() == point)
            .flat_map(|(_, a)| a.iter().copied())
            .collect();
        actions.sort();
        actions.dedup();
        actions
    }
}

/// Why a review could not be matched (Gatekeeper turns this into a result).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("failed to run Match criteria: {0}")]
pub struct MatchError(pub String);

impl Match {
    fn parse(node: &Node) -> Result<Match, String> {
        if node.as_map().is_none() {
            return Err(format!("must be an object, not {}", node.type_name()));
        }
        let strings = |node: Option<&Node>, field: &str| -> Result<Vec<String>, String> {
            let Some(node) = node.filter(|n| !n.is_null()) else {
                return Ok(Vec::new());
            };
            let items = node
                .as_seq()
                .ok_or_else(|| format!("{field} must be a list of strings"))?;
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("{field} must be a list of strings"))
                })
                .collect()
        };
        let mut kinds = Vec::new();
        for (i, entry) in node
            .get("kinds")
            .map(Node::items)
            .into_iter()
            .flatten()
            .enumerate()
        {
            kinds.push(KindSelector {
                api_groups: strings(entry.get("apiGroups"), &format!("kinds[{i}].apiGroups"))?,
                kinds: strings(entry.get("kinds"), &format!("kinds[{i}].kinds"))?,
            });
        }
        let scope = match node.get("scope").and_then(Node::as_str).unwrap_or("*") {
            "Cluster" => Scope::Cluster,
            "Namespaced" => Scope::Namespaced,
            // Gatekeeper treats anything else (typos included) as every scope.
            _ => Scope::All,
        };
        let selector = |key: &str| -> Result<Option<LabelSelector>, String> {
            node.get(key)
                .filter(|n| !n.is_null())
                .map(|n| LabelSelector::parse(n).map_err(|e| format!("{key}: {e}")))
                .transpose()
        };
        Ok(Match {
            kinds,
            scope,
            namespaces: strings(node.get("namespaces"), "namespaces")?,
            excluded_namespaces: strings(node.get("excludedNamespaces"), "excludedNamespaces")?,
            label_selector: selector("labelSelector")?,
            namespace_selector: selector("namespaceSelector")?,
            name: node
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned(),
        })
    }

    /// Whether the review matches: the object or the old object must pass every
    /// criterion. `namespace` is the labels of the object's Namespace when known.
    pub fn matches(
        &self,
        review: &Review,
        namespace: Option<&BTreeMap<String, String>>,
    ) -> Result<bool, MatchError> {
        for object in review.objects() {
            if self.matches_object(review, object, namespace)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether the kind criterion alone passes (cheap, checked first).
    pub fn kind_matches(&self, group: &str, kind: &str) -> bool {
        self.kinds.is_empty()
            || self.kinds.iter().any(|k| {
                let kind_ok = k.kinds.is_empty() || k.kinds.iter().any(|x| x == "*" || x == kind);
                let group_ok =
                    k.api_groups.is_empty() || k.api_groups.iter().any(|g| g == "*" || g == group);
                kind_ok && group_ok
            })
    }

    fn matches_object(
        &self,
        review: &Review,
        object: &Node,
        namespace: Option<&BTreeMap<String, String>>,
    ) -> Result<bool, MatchError> {
        let text = |path: &[&str]| object.path(path).and_then(Node::as_str).unwrap_or("");
        let (group, _) = crate::review::split_api_version(text(&["apiVersion"]));
        let kind = text(&["kind"]);
        if !self.kind_matches(group, kind) {
            return Ok(false);
        }
        let is_namespace = kind == "Namespace" && group.is_empty();
        let own_namespace = text(&["metadata", "namespace"]);
        let own_namespace = if own_namespace.is_empty() {
            review.namespace.as_str()
        } else {
            own_namespace
        };
        let has_namespace = !own_namespace.is_empty();
        match self.scope {
            Scope::Cluster if !is_namespace && has_namespace => return Ok(false),
            Scope::Namespaced if is_namespace || !has_namespace => return Ok(false),
            _ => {}
        }
        // The namespace the lists compare: a Namespace's own name, else the
        // object's; cluster-scoped objects are never filtered by the lists.
        let listed = if is_namespace {
            Some(text(&["metadata", "name"]))
        } else if has_namespace {
            Some(own_namespace)
        } else {
            None
        };
        if let Some(ns) = listed {
            if !self.namespaces.is_empty()
                && !self.namespaces.iter().any(|p| wildcard_matches(p, ns))
            {
                return Ok(false);
            }
            if self
                .excluded_namespaces
                .iter()
                .any(|p| wildcard_matches(p, ns))
            {
                return Ok(false);
            }
        }
        let labels = crate::review::labels_of(object);
        if let Some(selector) = &self.label_selector
            && !selector.matches(&labels)
        {
            return Ok(false);
        }
        if let Some(selector) = &self.namespace_selector {
            if is_namespace {
                if !selector.matches(&labels) {
                    return Ok(false);
                }
            } else if has_namespace {
                let Some(namespace_labels) = namespace else {
                    return Err(MatchError(
                        "namespace selector for namespace-scoped object but missing Namespace"
                            .to_owned(),
                    ));
                };
                if !selector.matches(namespace_labels) {
                    return Ok(false);
                }
            }
        }
        if !self.name.is_empty() {
            let name = text(&["metadata", "name"]);
            let generate_name = text(&["metadata", "generateName"]);
            let by_generate_name = !generate_name.is_empty()
                && self.name.ends_with('*')
                && generate_name.starts_with(self.name.trim_end_matches('*'));
            if !wildcard_matches(&self.name, name) && !by_generate_name {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use palisade_core::{Node, Object, SourceRef};

    use super::*;

    fn node(json: &str) -> Node {
        Node::from_json(&serde_json::from_str(json).expect("test JSON"))
    }

    fn source() -> SourceRef {
        SourceRef {
            file: "constraint.yaml".into(),
            pos: palisade_core::Pos::new(1, 1),
        }
    }

    fn constraint(spec: &str) -> Constraint {
        let root = node(&format!(
            r#"{{"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K", "metadata": {{"name": "c"}}, "spec": {spec}}}"#
        ));
        Constraint::from_object(&Object::new(root, source())).expect("valid constraint")
    }

    fn matches(
        c: &Constraint,
        object: &str,
        namespace: Option<&BTreeMap<String, String>>,
    ) -> Result<bool, MatchError> {
        let object = node(object);
        c.matcher.matches(&Review::of_object(&object), namespace)
    }

    const POD_IN_PROD: &str = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "prod-eu", "labels": {"app": "web"}}}"#;
    const NAMESPACE: &str = r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod-eu", "labels": {"tier": "prod"}}}"#;
    const CLUSTER_ROLE: &str = r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}}"#;

    #[test]
    fn wildcards_match_as_gatekeepers() {
        assert!(wildcard_matches("*", "anything"));
        assert!(wildcard_matches("prod-*", "prod-eu"));
        assert!(!wildcard_matches("prod-*", "dev-prod"));
        assert!(wildcard_matches("*-eu", "prod-eu"));
        assert!(wildcard_matches("*od-e*", "prod-eu"));
        assert!(!wildcard_matches("prod", "prod-eu"));
    }

    #[test]
    fn kinds_scope_and_namespace_lists() {
        let by_kind =
            constraint(r#"{"match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]}}"#);
        assert_eq!(matches(&by_kind, POD_IN_PROD, None), Ok(true));
        assert_eq!(matches(&by_kind, CLUSTER_ROLE, None), Ok(false));
        let any_group =
            constraint(r#"{"match": {"kinds": [{"apiGroups": ["*"], "kinds": ["ClusterRole"]}]}}"#);
        assert_eq!(matches(&any_group, CLUSTER_ROLE, None), Ok(true));

        let namespaced = constraint(r#"{"match": {"scope": "Namespaced"}}"#);
        assert_eq!(matches(&namespaced, POD_IN_PROD, None), Ok(true));
        assert_eq!(matches(&namespaced, CLUSTER_ROLE, None), Ok(false));
        assert_eq!(
            matches(&namespaced, NAMESPACE, None),
            Ok(false),
            "a Namespace is cluster-scoped"
        );
        let cluster = constraint(r#"{"match": {"scope": "Cluster"}}"#);
        assert_eq!(matches(&cluster, NAMESPACE, None), Ok(true));

        let only_prod = constraint(r#"{"match": {"namespaces": ["prod-*"]}}"#);
        assert_eq!(matches(&only_prod, POD_IN_PROD, None), Ok(true));
        assert_eq!(
            matches(&only_prod, NAMESPACE, None),
            Ok(true),
            "a Namespace's own name counts"
        );
        assert_eq!(
            matches(&only_prod, CLUSTER_ROLE, None),
            Ok(true),
            "cluster-scoped objects are never filtered"
        );
        let excluded = constraint(r#"{"match": {"excludedNamespaces": ["*-eu"]}}"#);
        assert_eq!(matches(&excluded, POD_IN_PROD, None), Ok(false));
        assert_eq!(matches(&excluded, CLUSTER_ROLE, None), Ok(true));
    }

    #[test]
    fn selectors_and_names() {
        let labelled =
            constraint(r#"{"match": {"labelSelector": {"matchLabels": {"app": "web"}}}}"#);
        assert_eq!(matches(&labelled, POD_IN_PROD, None), Ok(true));
        assert_eq!(matches(&labelled, CLUSTER_ROLE, None), Ok(false));

        let by_namespace =
            constraint(r#"{"match": {"namespaceSelector": {"matchLabels": {"tier": "prod"}}}}"#);
        let prod: BTreeMap<String, String> = [("tier".to_owned(), "prod".to_owned())].into();
        let dev: BTreeMap<String, String> = [("tier".to_owned(), "dev".to_owned())].into();
        assert_eq!(matches(&by_namespace, POD_IN_PROD, Some(&prod)), Ok(true));
        assert_eq!(matches(&by_namespace, POD_IN_PROD, Some(&dev)), Ok(false));
        assert!(
            matches(&by_namespace, POD_IN_PROD, None).is_err(),
            "an unknown namespace is an error"
        );
        assert_eq!(
            matches(&by_namespace, NAMESPACE, None),
            Ok(true),
            "a Namespace is selected by its own labels"
        );
        assert_eq!(matches(&by_namespace, CLUSTER_ROLE, None), Ok(true));

        let named = constraint(r#"{"match": {"name": "web-*"}}"#);
        assert_eq!(matches(&named, POD_IN_PROD, None), Ok(true));
        assert_eq!(matches(&named, CLUSTER_ROLE, None), Ok(false));
    }

    #[test]
    fn the_old_object_matches_too() {
        let c = constraint(r#"{"match": {"labelSelector": {"matchLabels": {"app": "web"}}}}"#);
        let review = node(&format!(
            r#"{{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {{"operation": "UPDATE",
                "object": {{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "p", "namespace": "n"}}}},
                "oldObject": {POD_IN_PROD}}}}}"#
        ));
        let review = Review::of_admission_review(&review).expect("a review");
        assert_eq!(c.matcher.matches(&review, None), Ok(true));
    }

    #[test]
    fn enforcement_actions_by_point() {
        let plain = constraint(r#"{"enforcementAction": "warn"}"#);
        assert_eq!(plain.actions_at(enforcement_point::WEBHOOK), [Action::Warn]);
        assert_eq!(plain.actions_at(enforcement_point::AUDIT), [Action::Warn]);
        let scoped = constraint(
            r#"{"enforcementAction": "scoped", "scopedEnforcementActions": [
                {"action": "deny", "enforcementPoints": [{"name": "validation.gatekeeper.sh"}]},
                {"action": "warn", "enforcementPoints": [{"name": "*"}]}]}"#,
        );
        assert_eq!(
            scoped.actions_at(enforcement_point::WEBHOOK),
            [Action::Deny, Action::Warn]
        );
        assert_eq!(scoped.actions_at(enforcement_point::AUDIT), [Action::Warn]);
        let root = node(
            r#"{"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K", "metadata": {"name": "c"}, "spec": {"enforcementAction": "block"}}"#,
        );
        let error = Constraint::from_object(&Object::new(root, source())).unwrap_err();
        assert!(error.message.contains("\"block\""), "{error}");
    }
}
