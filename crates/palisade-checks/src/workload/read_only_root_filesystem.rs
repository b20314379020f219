//! `workload/read-only-root-filesystem`.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{ContainerKind, Context};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container or init container whose `securityContext.readOnlyRootFilesystem`
    /// is not `true`. Windows pods (`spec.os.name: windows`) are skipped: the
    /// field does not apply to them.
    ///
    /// ## Why it matters
    /// An attacker who gets code running in a container with a writable root
    /// filesystem can drop tools, change binaries and configuration, and persist
    /// until the container restarts. A read-only root makes the image the only
    /// code that runs; the writable paths the application needs become explicit
    /// `emptyDir` mounts.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   securityContext:
    ///     readOnlyRootFilesystem: false
    /// ```
    ///
    /// ## How to fix
    /// Set `securityContext.readOnlyRootFilesystem: true` on the container and
    /// mount an `emptyDir` volume at each path the application writes to
    /// (`/tmp`, caches). `palisade fix` sets the field.
    id: "workload/read-only-root-filesystem",
    title: "a container's root filesystem is writable",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        if container.kind == ContainerKind::Ephemeral || is_windows(container.template.spec) {
            continue;
        }
        let field = container.get(&["securityContext", "readOnlyRootFilesystem"]);
        if field.and_then(Node::as_bool) == Some(true) {
            continue;
        }
        let state = if field.is_some_and(|f| !f.is_null()) { "is not true" } else { "is not set" };
        out.push(
            container
                .finding(
                    &RULE,
                    field,
                    format!("{}: securityContext.readOnlyRootFilesystem {state}", container.describe()),
                )
                .with_remediation(
                    "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the application writes.",
                ),
        );
    }
}

/// `spec.os.name: windows`: Linux-only fields do not apply.
pub(crate) fn is_windows(spec: &Node) -> bool {
    spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;


    #[test]
    fn flags_missing_and_false_but_not_true() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: app}
spec:
  containers:
  - name: missing
    image: a:1
  - name: writable
    image: a:1
    securityContext: {readOnlyRootFilesystem: false}
  - name: on
    image: a:1
    securityContext: {readOnlyRootFilesystem: true}
  initContainers:
  - name: init
    image: a:1
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                r#"container "missing" of Pod app/p: securityContext.readOnlyRootFilesystem is not set"#,
                r#"container "writable" of Pod app/p: securityContext.readOnlyRootFilesystem is not true"#,
                r#"init container "init" of Pod app/p: securityContext.readOnlyRootFilesystem is not set"#,
            ]
        );
        // The finding about the explicit `false` points at the value itself.
        assert_eq!(findings[1].line_column(), Some((11, 47)));
    }

    #[test]
    fn windows_pods_are_skipped() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  containers: [{name: c, image: a:1}]\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
    }
}

