//! `workload/low-user-id` and `workload/low-group-id`: containers that run as
//! a user or group id below 10000, where ids of host accounts live.

use palisade_core::{Finding, Rule, Severity};

use super::read_only_root_filesystem::is_windows;
use crate::context::{ContainerKind, Context};

/// Ids below this collide with the accounts of a typical host.
pub(crate) const LOWEST_SAFE_ID: i64 = 10000;

pub static LOW_USER_ID: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container or init container whose effective `runAsUser` (the
    /// container's `securityContext`, else the pod's) is set below 10000.
    /// An unset `runAsUser` is not flagged: the image's user applies, and
    /// running as root is the Pod Security Standards' concern
    /// (`pss/runAsNonRoot`). Windows pods are skipped.
    ///
    /// ## Why it matters
    /// Without user namespaces a container's uid is the host's uid. Low ids
    /// belong to host accounts and system daemons; a process that escapes the
    /// container as uid 1000 acts with that account's rights on the node and on
    /// anything shared with it (host paths, NFS volumes).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsUser: 1000
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## How to fix
    /// Run as a uid of 10000 or more (`runAsUser: 10001`), built into the
    /// image or set in the pod's `securityContext`; or use a user namespace
    /// (`hostUsers: false`).
    id: "workload/low-user-id",
    title: "a container runs as a user id below 10000",
    severity: Severity::Low,
};

pub static LOW_GROUP_ID: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container or init container whose effective `runAsGroup` (the
    /// container's `securityContext`, else the pod's) is set below 10000.
    /// Unset is not flagged. Windows pods are skipped.
    ///
    /// ## Why it matters
    /// Without user namespaces a container's primary gid is the host's gid.
    /// Low gids are host groups (`disk`, `adm`, `docker`); a process that
    /// escapes the container keeps that group's access to host files.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   securityContext:
    ///     runAsUser: 10001
    ///     runAsGroup: 0
    /// ```
    ///
    /// ## How to fix
    /// Set `runAsGroup` to 10000 or more (`runAsGroup: 10001`), or use a user
    /// namespace (`hostUsers: false`).
    id: "workload/low-group-id",
    title: "a container runs as a group id below 10000",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&LOW_USER_ID, &LOW_GROUP_ID];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        if container.kind == ContainerKind::Ephemeral || is_windows(container.template.spec) {
            continue;
        }
        for (rule, field, noun) in [
            (&LOW_USER_ID, "runAsUser", "user"),
            (&LOW_GROUP_ID, "runAsGroup", "group"),
        ] {
            let Some(node) = container.effective_security(field) else {
                continue;
            };
            let Some(id) = node.as_i64().filter(|id| *id < LOWEST_SAFE_ID) else {
                continue;
            };
            out.push(
                container
                    .finding(
                        rule,
                        Some(node),
                        format!(
                            "{} runs as {noun} id {id} ({field} below {LOWEST_SAFE_ID})",
                            container.describe()
                        ),
                    )
                    .with_remediation(format!(
                        "Set securityContext.{field} to {LOWEST_SAFE_ID} or more, or run the pod in a user namespace (hostUsers: false)."
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn run(yaml: &str) -> Vec<palisade_core::Finding> {
        findings_of(super::RULES, super::check, yaml)
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_pod_field() {
        let findings = run(r#"
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: app}
spec:
  securityContext:
    runAsUser: 1000
  containers:
  - name: app
    image: registry.example/app:1.4.2
"#);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, "workload/low-user-id");
        assert_eq!(
            findings[0].message,
            r#"container "app" of Pod app/p runs as user id 1000 (runAsUser below 10000)"#
        );
        assert_eq!(findings[0].line_column(), Some((7, 16)));
    }

    #[test]
    fn the_container_value_overrides_the_pod_value() {
        let findings = run(r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    spec:
      securityContext: {runAsUser: 1000, runAsGroup: 20000}
      containers:
      - name: high
        image: a:1
        securityContext: {runAsUser: 10001}
      - name: inherits
        image: a:1
      - name: lowgroup
        image: a:1
        securityContext: {runAsUser: 10000, runAsGroup: 0}
"#);
        let summary: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.rule.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "workload/low-user-id",
                    r#"container "inherits" of Deployment prod/web runs as user id 1000 (runAsUser below 10000)"#
                ),
                (
                    "workload/low-group-id",
                    r#"container "lowgroup" of Deployment prod/web runs as group id 0 (runAsGroup below 10000)"#
                ),
            ]
        );
        assert_eq!(findings[1].line_column(), Some((17, 57)));
    }

    #[test]
    fn unset_ids_and_windows_pods_are_not_flagged() {
        let findings = run(r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: w}
spec:
  os: {name: windows}
  securityContext: {runAsUser: 1}
  containers: [{name: c, image: a:1}]
"#);
        assert!(findings.is_empty(), "{findings:?}");
    }
}
