//! `workload/missing-security-context`: containers that neither set a
//! `securityContext` nor inherit one from the pod, so every setting is the
//! runtime's default.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{ContainerKind, Context};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container or init container with no `securityContext` (absent, null
    /// or `{}`) in a pod whose own `securityContext` is also absent or empty.
    /// Ephemeral containers are skipped: they are added to running pods for
    /// debugging, not written in manifests.
    ///
    /// ## Why it matters
    /// With no security context at all, every hardening decision is left to the
    /// image and the runtime's defaults: the image's user (often root), a
    /// writable root filesystem, the runtime's capability set, privilege
    /// escalation allowed. It usually means nobody has looked at the workload's
    /// privileges yet.
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
    /// Give the pod or the container a `securityContext` that states its
    /// privileges: `runAsNonRoot: true`, `allowPrivilegeEscalation: false`,
    /// `capabilities.drop: [ALL]`, `readOnlyRootFilesystem: true` and
    /// `seccompProfile.type: RuntimeDefault`.
    id: "workload/missing-security-context",
    title: "neither the container nor its pod sets a securityContext",
    severity: Severity::High,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

/// Absent, null and `{}` all leave every field at its default.
fn is_empty_context(node: Option<&Node>) -> bool {
    match node {
        None => true,
        Some(node) => node.is_null() || node.as_map().is_some_and(|m| m.is_empty()),
    }
}

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        if container.kind == ContainerKind::Ephemeral {
            continue;
        }
        let own = container.get(&["securityContext"]);
        if !is_empty_context(own) || !is_empty_context(container.template.spec.get("securityContext")) {
            continue;
        }
        out.push(
            container
                .finding(
                    &RULE,
                    own,
                    format!(
                        "{}: no securityContext on the container or its pod",
                        container.describe()
                    ),
                )
                .with_remediation(
                    "Add a securityContext with runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop: [ALL], readOnlyRootFilesystem: true and seccompProfile.type: RuntimeDefault.",
                ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn messages(yaml: &str) -> Vec<String> {
        findings_of(super::RULES, super::check, yaml)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_container() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            r#"container "app" of Pod app/p: no securityContext on the container or its pod"#
        );
        assert_eq!(findings[0].line_column(), Some((6, 5)));
    }

    #[test]
    fn an_empty_context_counts_as_none_and_is_pointed_at() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {}\n  containers:\n  - name: app\n    image: a:1\n    securityContext: {}\n",
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line_column(), Some((9, 22)));
    }

    #[test]
    fn a_context_on_either_level_is_enough() {
        assert!(messages(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers: [{name: a, image: a:1}]\n"
        )
        .is_empty());
        assert_eq!(
            messages(
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: a:1, securityContext: {runAsNonRoot: true}}\n  - {name: b, image: a:1}\n"
            ),
            [r#"container "b" of Pod p: no securityContext on the container or its pod"#]
        );
    }
}
