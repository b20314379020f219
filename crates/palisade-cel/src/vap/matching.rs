//! Which requests a policy's `matchConstraints` and a binding's
//! `matchResources` select, as the API server's policy matcher decides:
//! namespace selector, object selector, excluded rules, then rules.

use super::policy::{MatchResources, NamedRule, RuleScope};
use super::request::{AdmissionRequest, ObjectSource, labels_of};

/// Whether `m` selects `req`. An empty rule list selects everything (a
/// binding without `resourceRules` narrows nothing).
pub fn matches<S: ObjectSource + ?Sized>(
    m: &MatchResources,
    req: &AdmissionRequest,
    source: &S,
) -> bool {
    namespace_matches(m, req, source)
        && object_matches(m, req)
        && !m
            .exclude_resource_rules
            .iter()
            .any(|r| rule_matches(r, req))
        && (m.resource_rules.is_empty() || m.resource_rules.iter().any(|r| rule_matches(r, req)))
}

/// Cluster-scoped objects other than Namespaces always pass; a Namespace is
/// judged by its own labels; a namespaced object by its Namespace's labels.
/// An unknown Namespace does not match (upstream reports it as not found,
/// and the policy is skipped).
fn namespace_matches<S: ObjectSource + ?Sized>(
    m: &MatchResources,
    req: &AdmissionRequest,
    source: &S,
) -> bool {
    if req.namespace.is_empty() && !req.is_namespace() {
        return true;
    }
    if m.namespace_selector.is_empty() {
        return true;
    }
    let labels = if req.is_namespace() {
        match req.object.as_ref().or(req.old_object.as_ref()) {
            Some(o) => labels_of(o),
            None => return false,
        }
    } else {
        match source.namespace(&req.namespace) {
            Some(ns) => labels_of(&ns),
            None => return false,
        }
    };
    m.namespace_selector.matches(&labels)
}

/// The object selector matches the new or the old object.
fn object_matches(m: &MatchResources, req: &AdmissionRequest) -> bool {
    if m.object_selector.is_empty() {
        return true;
    }
    [req.object.as_ref(), req.old_object.as_ref()]
        .into_iter()
        .flatten()
        .any(|o| m.object_selector.matches(&labels_of(o)))
}

fn listed(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

/// One rule: operation, group, version, resource (with `*`, `res/*`,
/// `*/sub`, `*/*`), resource names and scope.
pub fn rule_matches(r: &NamedRule, req: &AdmissionRequest) -> bool {
    listed(&r.operations, &req.operation)
        && listed(&r.api_groups, &req.group)
        && listed(&r.api_versions, &req.version)
        && r.resources.iter().any(|spec| {
            let (res, sub) = spec.split_once('/').unwrap_or((spec.as_str(), ""));
            (res == "*" || res == req.resource) && (sub == "*" || sub == req.sub_resource)
        })
        && (r.resource_names.is_empty() || r.resource_names.contains(&req.name))
        && match r.scope {
            RuleScope::All => true,
            RuleScope::Namespaced => !req.is_namespace() && !req.namespace.is_empty(),
            RuleScope::Cluster => req.is_namespace() || req.namespace.is_empty(),
        }
}
