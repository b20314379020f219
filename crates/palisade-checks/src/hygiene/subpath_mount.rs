//! `hygiene/subpath-mount`: volume mounts with `subPath` or `subPathExpr`,
//! the mounts CVE-2021-25741 abused (off by default: fixed in every supported
//! Kubernetes release).

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::Context;

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: the vulnerability is fixed in Kubernetes 1.19.15,
    /// 1.20.11, 1.21.5 and 1.22.2 and every later release. Turn it on when
    /// nodes run older kubelets.
    ///
    /// ## What it flags
    /// A container's `volumeMounts` entry with a non-empty `subPath` or
    /// `subPathExpr`.
    ///
    /// ## Why it matters
    /// CVE-2021-25741: on unpatched kubelets a container could make a
    /// `subPath` point through a symlink at any file or directory of the node,
    /// and the next container mounting it got the host's filesystem, including
    /// with pod specs that Pod Security allows.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   volumeMounts:
    ///   - name: data
    ///     mountPath: /data
    ///     subPath: app
    /// ```
    ///
    /// ## How to fix
    /// Upgrade the nodes to a fixed release; on old nodes, mount the whole
    /// volume (or a separate volume per path) instead of a `subPath`.
    id: "hygiene/subpath-mount",
    title: "a volume mount uses subPath (CVE-2021-25741 on old kubelets)",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        for mount in container.get(&["volumeMounts"]).into_iter().flat_map(Node::items) {
            for key in ["subPath", "subPathExpr"] {
                let Some(field) = mount.get(key).filter(|n| n.as_str().is_some_and(|s| !s.is_empty())) else {
                    continue;
                };
                let volume = mount.get("name").and_then(Node::as_str).unwrap_or("");
                out.push(
                    container
                        .finding(
                            &RULE,
                            Some(field),
                            format!("{} mounts volume {volume:?} with {key}", container.describe()),
                        )
                        .with_remediation(
                            "Run kubelets fixed for CVE-2021-25741 (1.19.15, 1.20.11, 1.21.5, 1.22.2 or later), or mount the whole volume.",
                        ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_is_flagged_at_the_sub_path() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: registry.example/app:1.4.2
    volumeMounts:
    - name: data
      mountPath: /data
      subPath: app
    - name: whole
      mountPath: /whole
    - name: empty
      mountPath: /e
      subPath: ""
  volumes: [{name: data, emptyDir: {}}, {name: whole, emptyDir: {}}, {name: empty, emptyDir: {}}]
"#,
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].message, r#"container "app" of Pod p mounts volume "data" with subPath"#);
        assert_eq!(findings[0].line_column(), Some((11, 16)));
    }
}
