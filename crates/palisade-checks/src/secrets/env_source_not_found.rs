//! `secrets/env-source-not-found`: env references to Secrets and ConfigMaps
//! (or keys of them) that the input does not hold. Off by default: most inputs
//! are a slice of what the cluster holds.

use std::collections::BTreeSet;

use palisade_core::{Finding, Inventory, Node, Object, Rule, Severity};

use super::env::{Source, references};
use crate::context::Context;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A non-optional env reference (`env[].valueFrom.secretKeyRef` /
    /// `configMapKeyRef`, `envFrom[].secretRef` / `configMapRef`) to a Secret or
    /// ConfigMap that is not in the input, or to a key the referenced object
    /// does not have (`data` and `stringData` of a Secret, `data` and
    /// `binaryData` of a ConfigMap). Only judged in a namespace where the input
    /// holds at least one object of that kind: an input without any Secrets
    /// says nothing about the cluster's. References with `optional: true` are
    /// skipped. Off by default.
    ///
    /// ## Why it matters
    /// The kubelet refuses to start a container whose required env source is
    /// missing (`CreateContainerConfigError`), so the rollout stalls; when the
    /// manifests of an application are kept together, a misspelt name is
    /// caught here instead of in the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: db, namespace: prod}
    /// stringData: {password: s3cr3t-Pa55}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: app, namespace: prod}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    ///     env:
    ///     - name: DB_PASSWORD
    ///       valueFrom:
    ///         secretKeyRef: {name: db, key: pasword}
    /// ```
    ///
    /// ## How to fix
    /// Correct the name or key, add the object to the manifests, or mark the
    /// reference `optional: true` if the container can run without it.
    id: "secrets/env-source-not-found",
    title: "an env reference names a Secret, ConfigMap or key the input does not hold",
    severity: Severity::Medium,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    let inventory = context.inventory;
    for container in context.containers() {
        let namespace = container.object().namespace();
        for reference in references(&container) {
            let kind = reference.source.kind();
            if reference.optional || reference.name.is_empty() || !holds_kind(inventory, kind, namespace) {
                continue;
            }
            let what = match reference.variable {
                Some(variable) => format!("env {variable}"),
                None => "envFrom".to_owned(),
            };
            let problem = match find(inventory, kind, namespace, reference.name) {
                None => format!("{kind} {:?}, which is not in the input", reference.name),
                Some(object) => match reference.key {
                    Some(key) if !keys(object, reference.source).contains(key) => {
                        format!("key {key:?} of {kind} {:?}, which has no such key", reference.name)
                    }
                    _ => continue,
                },
            };
            out.push(
                container
                    .finding(&RULE, Some(reference.node), format!("{}: {what} reads {problem}", container.describe()))
                    .with_remediation("Correct the name or key, add the object to the manifests, or mark the reference optional: true."),
            );
        }
    }
}

/// The core-group object of `kind` named `name` in `namespace`.
fn find<'a>(inventory: &'a Inventory, kind: &str, namespace: Option<&str>, name: &str) -> Option<&'a Object> {
    inventory.get(kind, namespace, name).filter(|o| o.group().is_empty())
}

/// True when the input holds a core-group object of `kind` in `namespace`.
fn holds_kind(inventory: &Inventory, kind: &str, namespace: Option<&str>) -> bool {
    inventory.of_kind(kind).any(|o| o.group().is_empty() && o.namespace() == namespace)
}

/// The keys an object offers to env references.
fn keys(object: &Object, source: Source) -> BTreeSet<&str> {
    let fields: &[&str] = match source {
        Source::Secret => &["data", "stringData"],
        Source::ConfigMap => &["data", "binaryData"],
    };
    fields
        .iter()
        .filter_map(|field| object.root().get(field).and_then(Node::as_map))
        .flat_map(|map| map.keys())
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_is_flagged() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: prod}
stringData: {password: s3cr3t-Pa55}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: prod}
spec:
  containers:
  - name: app
    image: registry.example/app:1.4.2
    env:
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef: {name: db, key: pasword}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [r#"container "app" of Pod prod/app: env DB_PASSWORD reads key "pasword" of Secret "db", which has no such key"#]
        );
        assert_eq!(findings[0].line_column(), Some((17, 23)));
    }

    #[test]
    fn missing_objects_optional_references_and_other_namespaces() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: prod}
data: {password: aHVudGVyMg==}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: prod}
binaryData: {blob: aGk=}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    spec:
      containers:
      - name: app
        image: a:1
        env:
        - {name: A, valueFrom: {secretKeyRef: {name: db, key: password}}}
        - {name: B, valueFrom: {configMapKeyRef: {name: settings, key: blob}}}
        - {name: C, valueFrom: {secretKeyRef: {name: gone, key: x, optional: true}}}
        envFrom:
        - secretRef: {name: missing}
        - configMapRef: {name: settings}
---
apiVersion: v1
kind: Pod
metadata: {name: elsewhere, namespace: other}
spec:
  containers:
  - name: app
    image: a:1
    envFrom: [{secretRef: {name: unknown}}]
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [r#"container "app" of Deployment prod/web: envFrom reads Secret "missing", which is not in the input"#]
        );
    }
}
