//! `runAsNonRoot` (restricted, from v1.0; from v1.35 pods with
//! `hostUsers: false` are exempt).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "runAsNonRoot",
    level: Level::Restricted,
    versions: &[imp(0, v1_0), imp(35, v1_35)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Containers that may run as root: `securityContext.runAsNonRoot` must be
        /// `true` on every container, or on the pod with no container setting it to
        /// `false`. An explicit `false` anywhere is reported first.
        ///
        /// ## Why it matters
        /// With `runAsNonRoot: true` the kubelet refuses to start an image whose user is
        /// root, so a container escape does not start out as UID 0.
        ///
        /// ## Failing example
        /// ```yaml
        /// containers:
        /// - name: app
        /// ```
        /// `runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)`
        ///
        /// ## How to fix
        /// Set securityContext.runAsNonRoot: true at pod level (or in every container)
        /// and use an image with a non-root user.
        id: "pss/runAsNonRoot",
        title: "Containers must run as a non-root user",
        severity: Severity::Medium,
        versions: "v1.0 and later (revised in v1.35)",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
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
    let mut pod_false = false;
    let mut pod_true = false;
    match bool_field(pod.security_context(), "runAsNonRoot") {
        Some((true, _)) => pod_true = true,
        Some((false, node)) => {
            pod_false = true;
            pos = at(node);
        }
        None => {}
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_pos = None;
    for c in pod.containers() {
        match bool_field(c.sc, "runAsNonRoot") {
            Some((true, _)) => {}
            Some((false, node)) => {
                explicit.push(c.name);
                pos = pos.or(at(node));
            }
            None if !pod_true => {
                implicit.push(c.name);
                implicit_pos = implicit_pos.or(c.missing_pos());
            }
            None => {}
        }
    }
    let reason = "runAsNonRoot != true";
    if pod_false || !explicit.is_empty() {
        let mut setters = Setters::new();
        setters.pod(pod_false).containers(&explicit);
        return Forbidden::new(
            reason,
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.joined()
            ),
            pos,
        );
    }
    if !implicit.is_empty() {
        return Forbidden::new(
            reason,
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicit)
            ),
            implicit_pos,
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn explicit_false_wins_over_implicit() {
        let pod = json!({"spec": {"securityContext": {"runAsNonRoot": false},
            "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}, {"name": "b"}],
            "ephemeralContainers": [{"name": "e", "securityContext": {"runAsNonRoot": false}}]}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"runAsNonRoot != true (pod and containers "a", "e" must not set securityContext.runAsNonRoot=false)"#
            )
        );
    }

    #[test]
    fn pod_true_covers_containers() {
        let pod = json!({"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}],
            "ephemeralContainers": [{"name": "e"}]}});
        assert_eq!(run(v1_0, pod), None);
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": {"runAsNonRoot": true}}],
            "ephemeralContainers": [{"name": "e"}]}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"runAsNonRoot != true (pod or container "e" must set securityContext.runAsNonRoot=true)"#
            )
        );
    }

    #[test]
    fn user_namespace_relaxation_from_v1_35() {
        let pod = json!({"spec": {"hostUsers": false, "containers": [{"name": "a"}]}});
        assert!(run(v1_0, pod.clone()).is_some());
        assert_eq!(run(v1_35, pod), None);
        let pod = json!({"spec": {"hostUsers": true, "containers": [{"name": "a"}]}});
        assert!(run(v1_35, pod).is_some());
    }
}
