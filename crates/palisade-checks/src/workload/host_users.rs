//! `workload/host-users`: pods that share the host's user namespace (off by
//! default: user namespaces are new and need node support).

use palisade_core::{Finding, Node, Rule, Severity};

use super::read_only_root_filesystem::is_windows;
use crate::context::{Context, describe_template, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: user namespaces need Kubernetes 1.33 or later (on by
    /// default there) and a runtime and filesystems that support id-mapped
    /// mounts, which many clusters do not have yet.
    ///
    /// ## What it flags
    /// A pod template that does not set `hostUsers: false`. Windows pods are
    /// skipped (the field is Linux-only), and so are pods with `hostNetwork`,
    /// `hostPID` or `hostIPC`, which the API server does not allow in a user
    /// namespace.
    ///
    /// ## Why it matters
    /// In a user namespace, uid 0 in the container maps to an unprivileged uid
    /// on the node. A process that escapes the container, or writes through a
    /// mounted volume, has no rights on the host, which defuses whole classes of
    /// container-escape vulnerabilities.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## How to fix
    /// Set `hostUsers: false` in the pod spec, once the nodes support user
    /// namespaces.
    id: "workload/host-users",
    title: "a pod shares the host's user namespace",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for template in context.pod_templates() {
        let spec = template.spec;
        let shares_host = ["hostNetwork", "hostPID", "hostIPC"]
            .iter()
            .any(|field| spec.get(field).and_then(Node::as_bool) == Some(true));
        if is_windows(spec) || shares_host {
            continue;
        }
        let field = spec.get("hostUsers");
        if field.and_then(Node::as_bool) == Some(false) {
            continue;
        }
        let state = if field.is_some_and(|f| !f.is_null()) { "is not false" } else { "is not set" };
        out.push(
            finding(
                &RULE,
                template.object,
                field.or(Some(spec)),
                format!("{}: hostUsers {state}; the pod runs in the host's user namespace", describe_template(template)),
            )
            .with_remediation("Set hostUsers: false in the pod spec where the nodes support user namespaces."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn run(yaml: &str) -> Vec<palisade_core::Finding> {
        findings_of(super::RULES, super::check, yaml)
    }

    #[test]
    fn the_documented_example_and_an_explicit_true_are_flagged() {
        let findings = run(r#"
apiVersion: v1
kind: Pod
metadata: {name: unset}
spec:
  containers:
  - name: app
    image: registry.example/app:1.4.2
---
apiVersion: v1
kind: Pod
metadata: {name: shared}
spec:
  hostUsers: true
  containers: [{name: c, image: a:1}]
"#);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Pod unset: hostUsers is not set; the pod runs in the host's user namespace",
                "Pod shared: hostUsers is not false; the pod runs in the host's user namespace",
            ]
        );
        assert_eq!(findings[1].line_column(), Some((14, 14)));
    }

    #[test]
    fn user_namespaces_windows_and_host_namespace_pods_are_not_flagged() {
        let findings = run(r#"
apiVersion: v1
kind: Pod
metadata: {name: isolated}
spec:
  hostUsers: false
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: net}
spec:
  hostNetwork: true
  containers: [{name: c, image: a:1}]
"#);
        assert!(findings.is_empty(), "{findings:?}");
    }
}
