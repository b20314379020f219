//! Whether a rule applies to a resource: Kyverno's `match` and `exclude`
//! (`pkg/engine/utils/match.go`).
//!
//! `match.any` needs one block to match, `match.all` every block, the legacy
//! form its one block. `exclude.any` excludes when one block matches,
//! `exclude.all` when every block does. Inside a block every field given must
//! hold; inside a list field one item is enough. User-info fields of a match
//! block are ignored when the request carries no user info (as in `kyverno
//! test` without a user-info file); in an exclude block they are kept, and
//! then cannot match.

use std::collections::BTreeMap;

use palisade_core::{LabelSelector, Node};

use crate::Json;
use crate::policy::{MatchResources, ResourceDescription, ResourceFilter, Subject, UserFilter};
use crate::wildcard;

/// Who asks and for what, as far as matching needs it.
#[derive(Clone, Debug, Default)]
pub struct RequestInfo {
    /// CREATE, UPDATE, DELETE or CONNECT.
    pub operation: String,
    /// Labels of the resource's namespace (for `namespaceSelector`).
    pub namespace_labels: BTreeMap<String, String>,
    /// `None` when the request carries no user info.
    pub user: Option<UserInfo>,
}

/// The requesting user with the roles that bind it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserInfo {
    pub username: String,
    pub groups: Vec<String>,
    /// `namespace:name` of Roles bound to the user.
    pub roles: Vec<String>,
    pub cluster_roles: Vec<String>,
}

/// Group, version and kind of a resource, from `apiVersion` and `kind`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn of(resource: &Json) -> Gvk {
        let api_version = resource
            .get("apiVersion")
            .and_then(Json::as_str)
            .unwrap_or("");
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk {
            group,
            version,
            kind: resource
                .get("kind")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string(),
        }
    }
}

/// Whether a rule with these blocks applies to `resource`.
pub fn rule_applies(
    matching: &MatchResources,
    exclude: Option<&MatchResources>,
    resource: &Json,
    request: &RequestInfo,
) -> bool {
    let gvk = Gvk::of(resource);
    let block_matches = |filter: &ResourceFilter, in_exclude: bool| {
        filter_matches(filter, in_exclude, resource, &gvk, request)
    };
    let included = if !matching.any.is_empty() {
        matching.any.iter().any(|f| block_matches(f, false))
    } else if !matching.all.is_empty() {
        matching.all.iter().all(|f| block_matches(f, false))
    } else {
        matching
            .legacy
            .as_ref()
            .is_some_and(|f| block_matches(f, false))
    };
    if !included {
        return false;
    }
    let Some(exclude) = exclude else {
        return true;
    };
    let excluded = if !exclude.any.is_empty() {
        exclude.any.iter().any(|f| block_matches(f, true))
    } else if !exclude.all.is_empty() {
        exclude.all.iter().all(|f| block_matches(f, true))
    } else {
        exclude
            .legacy
            .as_ref()
            .is_some_and(|f| block_matches(f, true))
    };
    !excluded
}

fn filter_matches(
    filter: &ResourceFilter,
    in_exclude: bool,
    resource: &Json,
    gvk: &Gvk,
    request: &RequestInfo,
) -> bool {
    // Kyverno drops a match block's user fields when the request has none.
    let user_filter = if !in_exclude && request.user.is_none() {
        &UserFilter::default()
    } else {
        &filter.user
    };
    if filter.resources == ResourceDescription::default() && user_filter.is_empty() {
        // "match cannot be empty"; an empty exclude block excludes nothing.
        return false;
    }
    description_matches(&filter.resources, resource, gvk, request)
        && user_matches(user_filter, request.user.as_ref())
}

fn description_matches(
    description: &ResourceDescription,
    resource: &Json,
    gvk: &Gvk,
    request: &RequestInfo,
) -> bool {
    let metadata = resource.get("metadata");
    let meta_str = |key: &str| {
        metadata
            .and_then(|m| m.get(key))
            .and_then(Json::as_str)
            .unwrap_or("")
    };
    if !description.kinds.is_empty() && !description.kinds.iter().any(|k| kind_matches(k, gvk)) {
        return false;
    }
    if !description.names.is_empty() {
        let mut name = meta_str("name");
        if name.is_empty() {
            name = meta_str("generateName");
        }
        if !description.names.iter().any(|n| wildcard::matches(n, name)) {
            return false;
        }
    }
    if !description.namespaces.is_empty() {
        // A Namespace is matched by its own name.
        let namespace = if gvk.kind == "Namespace" && gvk.group.is_empty() {
            meta_str("name")
        } else {
            meta_str("namespace")
        };
        if !description
            .namespaces
            .iter()
            .any(|n| wildcard::matches(n, namespace))
        {
            return false;
        }
    }
    if !description.operations.is_empty() && !description.operations.contains(&request.operation) {
        return false;
    }
    if !description.annotations.is_empty() {
        let annotations = crate::policy::string_map(metadata.and_then(|m| m.get("annotations")));
        let all_present = description.annotations.iter().all(|(key, value)| {
            annotations
                .iter()
                .any(|(k, v)| wildcard::matches(key, k) && wildcard::matches(value, v))
        });
        if !all_present {
            return false;
        }
    }
    if let Some(selector) = &description.selector {
        let labels = crate::policy::string_map(metadata.and_then(|m| m.get("labels")));
        if !selector_matches(selector, &labels) {
            return false;
        }
    }
    if let Some(selector) = &description.namespace_selector {
        // Kyverno never matches a Namespace object by namespaceSelector.
        if gvk.kind == "Namespace" || !selector_matches(selector, &request.namespace_labels) {
            return false;
        }
    }
    true
}

/// A label selector against labels. Kyverno first replaces wildcard keys
/// and values of `matchLabels` with the label they match; an invalid
/// selector matches nothing.
fn selector_matches(selector: &Json, labels: &BTreeMap<String, String>) -> bool {
    let mut selector = selector.clone();
    if let Some(Json::Object(match_labels)) = selector.get_mut("matchLabels") {
        let replaced: serde_json::Map<String, Json> = match_labels
            .iter()
            .map(|(key, value)| {
                let value_text = value.as_str().unwrap_or("");
                if !wildcard::has_wildcards(key) && !wildcard::has_wildcards(value_text) {
                    return (key.clone(), value.clone());
                }
                match labels
                    .iter()
                    .find(|(k, v)| wildcard::matches(key, k) && wildcard::matches(value_text, v))
                {
                    Some((k, v)) => (k.clone(), Json::String(v.clone())),
                    None => (key.clone(), value.clone()),
                }
            })
            .collect();
        *match_labels = replaced;
    }
    match LabelSelector::parse(&Node::from_json(&selector)) {
        Ok(parsed) => parsed.matches(labels),
        Err(_) => false,
    }
}

/// A kind selector: `Kind`, `version/Kind`, `group/version/Kind`,
/// `Kind/subresource` (Kyverno's `ParseKindSelector`), each part a
/// wildcard. Requests here are never for a subresource.
pub(crate) fn kind_matches(selector: &str, gvk: &Gvk) -> bool {
    let parts: Vec<&str> = selector.split('/').collect();
    let starts_upper = |s: &str| s.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    let (group, version, kind, subresource) = match parts.as_slice() {
        [kind] => ("*", "*", *kind, ""),
        [first, second] if starts_upper(first) => ("*", "*", *first, *second),
        [version, kind] => ("*", *version, *kind, ""),
        [a, b, c] if starts_upper(b) => ("*", *a, *b, *c),
        [group, version, kind] => (*group, *version, *kind, ""),
        [group, version, kind, sub] => (*group, *version, *kind, *sub),
        _ => return false,
    };
    wildcard::matches(group, &gvk.group)
        && wildcard::matches(version, &gvk.version)
        && wildcard::matches(kind, &gvk.kind)
        && wildcard::matches(subresource, "")
}

fn user_matches(filter: &UserFilter, user: Option<&UserInfo>) -> bool {
    if filter.is_empty() {
        return true;
    }
    let Some(user) = user else {
        return false;
    };
    if !filter.roles.is_empty() && !filter.roles.iter().any(|r| user.roles.contains(r)) {
        return false;
    }
    if !filter.cluster_roles.is_empty()
        && !filter
            .cluster_roles
            .iter()
            .any(|r| user.cluster_roles.contains(r))
    {
        return false;
    }
    if !filter.subjects.is_empty() && !filter.subjects.iter().any(|s| subject_matches(s, user)) {
        return false;
    }
    true
}

fn subject_matches(subject: &Subject, user: &UserInfo) -> bool {
    match subject.kind.as_str() {
        "ServiceAccount" => {
            user.username
                == format!(
                    "system:serviceaccount:{}:{}",
                    subject.namespace, subject.name
                )
        }
        "Group" => user
            .groups
            .iter()
            .any(|g| wildcard::matches(&subject.name, g)),
        _ => wildcard::matches(&subject.name, &user.username),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(block: Json) -> MatchResources {
        MatchResources::parse(&block).unwrap_or_default()
    }

    fn create() -> RequestInfo {
        RequestInfo {
            operation: "CREATE".into(),
            ..RequestInfo::default()
        }
    }

    fn pod(ns: &str, name: &str) -> Json {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": ns, "labels": {"app": "web"}}})
    }

    #[test]
    fn kinds_accept_group_version_and_wildcards() {
        let gvk = Gvk::of(&json!({"apiVersion": "apps/v1", "kind": "Deployment"}));
        assert!(kind_matches("Deployment", &gvk));
        assert!(kind_matches("apps/v1/Deployment", &gvk));
        assert!(kind_matches("v1/Deployment", &gvk));
        assert!(kind_matches("*", &gvk));
        assert!(!kind_matches("batch/v1/Deployment", &gvk));
        assert!(!kind_matches("Deployment/scale", &gvk));
        assert!(!kind_matches("Pod", &gvk));
    }

    #[test]
    fn any_needs_one_block_and_all_needs_every_block() {
        let any = parse(json!({"any": [
            {"resources": {"kinds": ["Service"]}},
            {"resources": {"kinds": ["Pod"], "namespaces": ["prod-*"]}}]}));
        assert!(rule_applies(&any, None, &pod("prod-eu", "a"), &create()));
        assert!(!rule_applies(&any, None, &pod("dev", "a"), &create()));
        let all = parse(json!({"all": [
            {"resources": {"kinds": ["Pod"]}},
            {"resources": {"names": ["a*"]}}]}));
        assert!(rule_applies(&all, None, &pod("dev", "ab"), &create()));
        assert!(!rule_applies(&all, None, &pod("dev", "b"), &create()));
    }

    #[test]
    fn exclude_any_removes_a_resource_one_block_matches() {
        let matching = parse(json!({"any": [{"resources": {"kinds": ["Pod"]}}]}));
        let exclude = parse(json!({"any": [{"resources": {"namespaces": ["kube-system"]}}]}));
        assert!(!rule_applies(
            &matching,
            Some(&exclude),
            &pod("kube-system", "a"),
            &create()
        ));
        assert!(rule_applies(
            &matching,
            Some(&exclude),
            &pod("default", "a"),
            &create()
        ));
    }

    #[test]
    fn operations_selector_and_namespace_selector() {
        let matching = parse(json!({"any": [{"resources": {"kinds": ["Pod"],
            "operations": ["UPDATE"], "selector": {"matchLabels": {"app": "w*"}}}}]}));
        assert!(!rule_applies(&matching, None, &pod("d", "a"), &create()));
        let update = RequestInfo {
            operation: "UPDATE".into(),
            ..RequestInfo::default()
        };
        assert!(rule_applies(&matching, None, &pod("d", "a"), &update));
        let by_namespace = parse(json!({"any": [{"resources": {"kinds": ["Pod"],
            "namespaceSelector": {"matchLabels": {"env": "prod"}}}}]}));
        assert!(!rule_applies(
            &by_namespace,
            None,
            &pod("d", "a"),
            &create()
        ));
        let mut labelled = create();
        labelled
            .namespace_labels
            .insert("env".into(), "prod".into());
        assert!(rule_applies(&by_namespace, None, &pod("d", "a"), &labelled));
    }

    #[test]
    fn user_fields_are_ignored_in_match_without_user_info_but_kept_in_exclude() {
        let matching = parse(json!({"any": [{"resources": {"kinds": ["Pod"]},
            "clusterRoles": ["cluster-admin"]}]}));
        assert!(rule_applies(&matching, None, &pod("d", "a"), &create()));
        let exclude = parse(json!({"any": [{"clusterRoles": ["cluster-admin"]}]}));
        let plain = parse(json!({"any": [{"resources": {"kinds": ["Pod"]}}]}));
        assert!(rule_applies(
            &plain,
            Some(&exclude),
            &pod("d", "a"),
            &create()
        ));
        let mut admin = create();
        admin.user = Some(UserInfo {
            cluster_roles: vec!["cluster-admin".into()],
            ..UserInfo::default()
        });
        assert!(!rule_applies(
            &plain,
            Some(&exclude),
            &pod("d", "a"),
            &admin
        ));
    }

    #[test]
    fn a_namespace_matches_namespaces_by_its_own_name() {
        let matching = parse(json!({"any": [{"resources": {"kinds": ["Namespace"],
            "namespaces": ["team-*"]}}]}));
        let ns = json!({"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": "team-a", "namespace": "default"}});
        assert!(rule_applies(&matching, None, &ns, &create()));
    }
}
