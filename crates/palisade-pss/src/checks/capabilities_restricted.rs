//! `capabilities_restricted` (restricted, from v1.22; replaces
//! `capabilities_baseline` at the restricted level).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "capabilities_restricted",
    level: Level::Restricted,
    versions: &[
        imp_over(22, v1_22, &["capabilities_baseline"]),
        imp_over(25, v1_25, &["capabilities_baseline"]),
    ],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// A container that does not drop `ALL` capabilities
        /// (`securityContext.capabilities.drop` must contain the exact string `ALL`), or
        /// that adds any capability other than `NET_BIND_SERVICE`. From v1.25, Windows
        /// pods are exempt.
        ///
        /// ## Why it matters
        /// Starting from no capabilities and adding back only what is needed keeps a
        /// compromised process from using kernel privileges it never needed.
        ///
        /// ## Failing example
        /// ```yaml
        /// containers:
        /// - name: app
        ///   securityContext:
        ///     capabilities:
        ///       add: [SYS_ADMIN]
        /// ```
        /// `unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)`
        ///
        /// ## How to fix
        /// Set securityContext.capabilities.drop: ["ALL"] in every container and add
        /// back only NET_BIND_SERVICE if needed.
        id: "pss/capabilities_restricted",
        title: "Containers must drop ALL capabilities and add at most NET_BIND_SERVICE",
        severity: Severity::Medium,
        severity_varies: "high when a capability outside the default set is added, which baseline's capabilities_baseline forbids",
        versions: "v1.22 and later (revised in v1.25)",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) fn v1_22(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, false)
}

pub(crate) fn v1_25(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, true)
}

fn check(pod: &Pod<'_>, windows_exempt: bool) -> Option<Forbidden> {
    if windows_exempt && pod.is_windows() {
        return None;
    }
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut caps = Vec::new();
    let mut pos = None;
    for c in pod.containers() {
        let Some(capabilities) = object(c.sc, "capabilities") else {
            missing_drop.push(c.name);
            pos = pos.or(c.missing_pos());
            continue;
        };
        let listed = |key| capabilities.get(key).into_iter().flat_map(Node::go_strings);
        if !listed("drop").any(|(d, _)| d == "ALL") {
            missing_drop.push(c.name);
            pos = pos.or(at(capabilities));
        }
        let mut bad = false;
        // A `null` item is the capability "" to the API server: not allowed.
        for (cap, item) in listed("add") {
            if cap != "NET_BIND_SERVICE" {
                bad = true;
                caps.push(cap);
                pos = pos.or(at(item));
            }
        }
        if bad {
            adding.push(c.name);
        }
    }
    if missing_drop.is_empty() && adding.is_empty() {
        return None;
    }
    let mut parts = Vec::with_capacity(2);
    if !missing_drop.is_empty() {
        parts.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        parts.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            quote_list(sorted_set(caps))
        ));
    }
    Forbidden::new("unrestricted capabilities", parts.join("; "), pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn a_null_item_is_an_added_capability_and_not_a_drop_of_all() {
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"add": [null], "drop": [null]}}}]}});
        let message = run(v1_25, pod).unwrap_or_default();
        assert!(
            message.contains(r#"must not include "" in securityContext.capabilities.add"#),
            "{message}"
        );
        assert!(
            message.contains(r#"must set securityContext.capabilities.drop=["ALL"]"#),
            "{message}"
        );
    }

    #[test]
    fn both_parts_in_order() {
        let pod = json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"capabilities": {"add": ["FOO", "BAR"]}}},
            {"name": "b"},
            {"name": "c", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["BAZ", "CHOWN", "NET_BIND_SERVICE"]}}}
        ]}});
        assert_eq!(
            run(v1_22, pod).as_deref(),
            Some(
                r#"unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add)"#
            )
        );
    }

    #[test]
    fn drop_all_is_case_sensitive_and_literal() {
        let lower = json!({"spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["all"]}}}]}});
        assert!(run(v1_22, lower).is_some());
        let ok = json!({"spec": {"ephemeralContainers": [{"name": "e", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}]}});
        assert_eq!(run(v1_22, ok), None);
        let eph = json!({"spec": {"ephemeralContainers": [{"name": "e"}]}});
        assert_eq!(
            run(v1_22, eph).as_deref(),
            Some(
                r#"unrestricted capabilities (container "e" must set securityContext.capabilities.drop=["ALL"])"#
            )
        );
    }

    #[test]
    fn windows_exempt_from_v1_25() {
        let pod = json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}});
        assert!(run(v1_22, pod.clone()).is_some());
        assert_eq!(run(v1_25, pod), None);
    }
}
