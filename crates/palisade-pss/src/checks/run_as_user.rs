//! `runAsUser` (restricted, from v1.23; from v1.35 pods with `hostUsers: false`
//! are exempt).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "runAsUser",
    level: Level::Restricted,
    versions: &[imp(23, v1_23), imp(35, v1_35)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// `runAsUser: 0` in the pod's or any container's security context.
        ///
        /// ## Why it matters
        /// UID 0 is root; setting it explicitly defeats `runAsNonRoot` and the image's
        /// own non-root user.
        ///
        /// ## Failing example
        /// ```yaml
        /// spec:
        ///   securityContext: {runAsUser: 0}
        /// ```
        /// `runAsUser=0 (pod must not set runAsUser=0)`
        ///
        /// ## How to fix
        /// Remove runAsUser: 0 from the pod and container security contexts, or set a
        /// non-zero UID.
        id: "pss/runAsUser",
        title: "Containers must not run as UID 0",
        severity: Severity::High,
        versions: "v1.23 and later (revised in v1.35)",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) fn v1_23(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod)
}

pub(crate) fn v1_35(pod: &Pod<'_>) -> Option<Forbidden> {
    if pod.in_user_namespace() {
        return None;
    }
    check(pod)
}

fn check(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut pos = None;
    let pod_root = match int_field(pod.security_context(), "runAsUser") {
        Some((0, node)) => {
            pos = at(node);
            true
        }
        _ => false,
    };
    let mut containers = Vec::new();
    for c in pod.containers() {
        if let Some((0, node)) = int_field(c.sc, "runAsUser") {
            containers.push(c.name);
            pos = pos.or(at(node));
        }
    }
    if !pod_root && containers.is_empty() {
        return None;
    }
    let mut setters = Setters::new();
    setters.pod(pod_root).containers(&containers);
    Forbidden::new(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", setters.joined()),
        pos,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn pod_and_containers() {
        let pod = json!({"spec": {"securityContext": {"runAsUser": 0},
            "containers": [{"name": "a", "securityContext": {"runAsUser": 0}}, {"name": "b", "securityContext": {"runAsUser": 1000}}],
            "ephemeralContainers": [{"name": "e", "securityContext": {"runAsUser": 0}}]}});
        assert_eq!(
            run(v1_23, pod).as_deref(),
            Some(r#"runAsUser=0 (pod and containers "a", "e" must not set runAsUser=0)"#)
        );
    }

    #[test]
    fn user_namespace_relaxation_from_v1_35() {
        let pod = json!({"spec": {"hostUsers": false, "securityContext": {"runAsUser": 0}}});
        assert!(run(v1_23, pod.clone()).is_some());
        assert_eq!(run(v1_35, pod), None);
    }
}
