//! `allowPrivilegeEscalation` (restricted, from v1.8).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "allowPrivilegeEscalation",
    level: Level::Restricted,
    versions: &[imp(8, v1_8), imp(25, v1_25)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Any container (init, regular or ephemeral) that does not explicitly set
        /// `securityContext.allowPrivilegeEscalation: false`. Unset counts as allowed
        /// escalation. From v1.25, Windows pods (`spec.os.name: windows`) are exempt.
        ///
        /// ## Why it matters
        /// With escalation allowed, a process can gain more privileges than its parent
        /// through setuid/setgid binaries or file capabilities (`no_new_privs` is off).
        ///
        /// ## Failing example
        /// ```yaml
        /// containers:
        /// - name: app
        ///   securityContext: {}
        /// ```
        /// `allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)`
        ///
        /// ## How to fix
        /// Set securityContext.allowPrivilegeEscalation: false in every container.
        id: "pss/allowPrivilegeEscalation",
        title: "Privilege escalation must be disallowed",
        severity: Severity::Medium,
        versions: "v1.8 and later (revised in v1.25)",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) fn v1_8(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, false)
}

pub(crate) fn v1_25(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, true)
}

fn check(pod: &Pod<'_>, windows_exempt: bool) -> Option<Forbidden> {
    if windows_exempt && pod.is_windows() {
        return None;
    }
    let mut bad = Vec::new();
    let mut pos = None;
    for c in pod.containers() {
        match bool_field(c.sc, "allowPrivilegeEscalation") {
            Some((false, _)) => {}
            Some((true, node)) => {
                bad.push(c.name);
                pos = pos.or(at(node));
            }
            None => {
                bad.push(c.name);
                pos = pos.or(c.missing_pos());
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    Forbidden::new(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad)
        ),
        pos,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn only_explicit_false_passes_and_ephemeral_containers_count() {
        let pod = json!({"spec": {
            "initContainers": [{"name": "i", "securityContext": {"allowPrivilegeEscalation": false}}],
            "containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": true}}, {"name": "b"}],
            "ephemeralContainers": [{"name": "debug", "securityContext": {}}]
        }});
        assert_eq!(
            run(v1_8, pod).as_deref(),
            Some(
                r#"allowPrivilegeEscalation != false (containers "a", "b", "debug" must set securityContext.allowPrivilegeEscalation=false)"#
            )
        );
    }

    #[test]
    fn wrong_typed_value_is_absent() {
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": "false"}}]}});
        assert!(run(v1_8, pod).is_some());
    }

    #[test]
    fn windows_pods_exempt_from_v1_25_only() {
        let pod = json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}});
        assert!(run(v1_8, pod.clone()).is_some());
        assert_eq!(run(v1_25, pod), None);
        let linux = json!({"spec": {"os": {"name": "linux"}, "containers": [{"name": "a"}]}});
        assert!(run(v1_25, linux).is_some());
    }
}
