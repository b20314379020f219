//! Does one rule match one request? The upstream matchers, exactly (SPEC §3, §4).
//!
//! Every comparison is exact and case-sensitive. The only wildcards are a whole
//! `*` entry, `*/SUB` for subresources, and a trailing `*` on non-resource URLs.

use crate::model::PolicyRule;
use crate::request::{Request, ResourceAttributes};

const ALL: &str = "*";

pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == ALL || v == verb)
}

pub fn group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == ALL || g == group)
}

/// `*` covers every resource and subresource; otherwise the entry must equal
/// `resource[/subresource]`, or be `*/subresource` when there is one.
pub fn resource_matches(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    rule.resources
        .iter()
        .any(|entry| resource_entry_matches(entry, resource, subresource))
}

pub fn resource_entry_matches(entry: &str, resource: &str, subresource: &str) -> bool {
    if entry == ALL {
        return true;
    }
    if subresource.is_empty() {
        return entry == resource;
    }
    // Compare `resource/subresource` without allocating the combined string.
    match entry.split_once('/') {
        Some((r, s)) => s == subresource && (r == resource || r == ALL),
        None => false,
    }
}

/// An empty `resourceNames` admits every name, including none; a non-empty list
/// admits only the listed names, so it never admits a request without a name.
pub fn name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// `*`, an exact path, or a trailing-`*` prefix (all trailing stars stripped).
pub fn url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls
        .iter()
        .any(|u| url_entry_matches(u, path))
}

pub fn url_entry_matches(entry: &str, path: &str) -> bool {
    if entry == ALL || entry == path {
        return true;
    }
    entry.ends_with('*') && path.starts_with(entry.trim_end_matches('*'))
}

pub fn resource_rule_matches(rule: &PolicyRule, attrs: &ResourceAttributes) -> bool {
    verb_matches(rule, &attrs.verb)
        && group_matches(rule, &attrs.api_group)
        && resource_matches(rule, &attrs.resource, &attrs.subresource)
        && name_matches(rule, &attrs.name)
}

/// Upstream's RuleAllows: resource requests consult only the resource fields,
/// non-resource requests only `nonResourceURLs`.
pub fn rule_allows(rule: &PolicyRule, request: &Request) -> bool {
    match request {
        Request::Resource(attrs) => resource_rule_matches(rule, attrs),
        Request::NonResource { verb, path } => verb_matches(rule, verb) && url_matches(rule, path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(verb: &str, group: &str, res: &str, sub: &str, name: &str) -> Request {
        Request::Resource(
            ResourceAttributes::new(verb, group, res, "ns")
                .with_subresource(sub)
                .with_name(name),
        )
    }

    #[test]
    fn star_resource_covers_subresources_but_parent_does_not() {
        let star = PolicyRule::new(&["get"], &[""], &["*"]);
        let pods = PolicyRule::new(&["get"], &[""], &["pods"]);
        assert!(rule_allows(&star, &attrs("get", "", "pods", "log", "")));
        assert!(!rule_allows(&pods, &attrs("get", "", "pods", "log", "")));
        let log = PolicyRule::new(&["get"], &[""], &["pods/log"]);
        assert!(!rule_allows(&log, &attrs("get", "", "pods", "", "")));
    }

    #[test]
    fn star_slash_sub_matches_any_parent_but_slash_star_is_literal() {
        let scale = PolicyRule::new(&["update"], &["*"], &["*/scale"]);
        assert!(rule_allows(
            &scale,
            &attrs("update", "apps", "deployments", "scale", "")
        ));
        assert!(rule_allows(
            &scale,
            &attrs("update", "x.io", "foos", "scale", "")
        ));
        assert!(!rule_allows(
            &scale,
            &attrs("update", "apps", "deployments", "", "")
        ));
        let pods_star = PolicyRule::new(&["get"], &[""], &["pods/*"]);
        assert!(!rule_allows(
            &pods_star,
            &attrs("get", "", "pods", "log", "")
        ));
        assert!(rule_allows(&pods_star, &attrs("get", "", "pods", "*", "")));
        let star_star = PolicyRule::new(&["get"], &[""], &["*/*"]);
        assert!(!rule_allows(
            &star_star,
            &attrs("get", "", "pods", "log", "")
        ));
    }

    #[test]
    fn core_group_is_empty_and_not_aliased() {
        let core = PolicyRule::new(&["get"], &["core"], &["pods"]);
        assert!(!rule_allows(&core, &attrs("get", "", "pods", "", "")));
        let star = PolicyRule::new(&["get"], &["*"], &["pods"]);
        assert!(rule_allows(&star, &attrs("get", "", "pods", "", "")));
    }

    #[test]
    fn verbs_are_case_sensitive_and_star_matches_special_verbs() {
        let upper = PolicyRule::new(&["GET"], &[""], &["pods"]);
        assert!(!rule_allows(&upper, &attrs("get", "", "pods", "", "")));
        let star = PolicyRule::new(&["*"], &["rbac.authorization.k8s.io"], &["clusterroles"]);
        assert!(rule_allows(
            &star,
            &attrs(
                "escalate",
                "rbac.authorization.k8s.io",
                "clusterroles",
                "",
                ""
            )
        ));
    }

    #[test]
    fn resource_names_need_a_name() {
        let named = PolicyRule::new(&["list", "create"], &[""], &["configmaps"]).with_names(&["a"]);
        assert!(!rule_allows(
            &named,
            &attrs("list", "", "configmaps", "", "")
        ));
        assert!(!rule_allows(
            &named,
            &attrs("create", "", "configmaps", "", "")
        ));
        assert!(rule_allows(
            &named,
            &attrs("list", "", "configmaps", "", "a")
        ));
        assert!(!rule_allows(
            &named,
            &attrs("list", "", "configmaps", "", "A")
        ));
    }

    #[test]
    fn url_star_is_a_prefix_only_at_the_end() {
        assert!(url_entry_matches("/healthz/*", "/healthz/etcd"));
        assert!(url_entry_matches("/healthz/*", "/healthz/"));
        assert!(!url_entry_matches("/healthz/*", "/healthz"));
        assert!(url_entry_matches("/api*", "/apis"));
        assert!(url_entry_matches("/api**", "/api"));
        assert!(!url_entry_matches("/a*/b", "/ax/b"));
        assert!(url_entry_matches("*", "/anything"));
    }

    #[test]
    fn resource_rules_never_match_urls_and_vice_versa() {
        let res = PolicyRule::new(&["get"], &["*"], &["*"]);
        assert!(!rule_allows(
            &res,
            &Request::non_resource("get", "/healthz")
        ));
        let url = PolicyRule::non_resource(&["get"], &["*"]);
        assert!(!rule_allows(&url, &attrs("get", "", "pods", "", "")));
    }
}
