//! `hygiene/default-namespace`: objects placed in the `default` namespace by
//! name. Objects without a namespace are not flagged (the survey's decided
//! disagreement): they go wherever they are applied (`kubectl -n`, Helm's
//! release namespace), which is not a choice the manifest made.

use palisade_core::api_resources::builtin_kind_namespaced;
use palisade_core::{Finding, Rule, Severity};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A namespaced object whose `metadata.namespace` is explicitly `default`.
    /// An object with no namespace is not flagged: it lands in whatever
    /// namespace it is applied to (`kubectl apply -n`, a Helm release, a
    /// kustomize overlay), so treating it as `default` would flag nearly every
    /// chart and base. Cluster-scoped kinds are skipped (kubectl drops their
    /// namespace).
    ///
    /// ## Why it matters
    /// `default` is where everything without a home ends up: policies scoped by
    /// namespace (RBAC, NetworkPolicy, Pod Security labels, quotas) end up
    /// shared between unrelated applications, and nobody owns what runs there.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    ///   namespace: default
    /// ```
    ///
    /// ## How to fix
    /// Give the application its own namespace, or leave `metadata.namespace`
    /// out and choose the namespace when applying.
    id: "hygiene/default-namespace",
    title: "an object is placed in the default namespace",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for object in context.inventory.objects() {
        if object.namespace() != Some("default")
            || builtin_kind_namespaced(object.group(), object.kind()) == Some(false)
        {
            continue;
        }
        let field = object.root().path(&["metadata", "namespace"]);
        out.push(
            finding(
                &RULE,
                object,
                field,
                format!("{} is placed in the default namespace", describe_object(object)),
            )
            .with_remediation(
                "Use a namespace of the application's own, or omit metadata.namespace and set it when applying.",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_is_flagged_at_the_namespace() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\n",
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, "Service default/web is placed in the default namespace");
        assert_eq!(findings[0].line_column(), Some((5, 14)));
    }

    #[test]
    fn namespace_less_other_namespaces_and_cluster_scoped_kinds_are_clean() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Service
metadata: {name: unplaced}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader, namespace: default}
"#,
        );
        assert!(findings.is_empty(), "{findings:?}");
    }
}
