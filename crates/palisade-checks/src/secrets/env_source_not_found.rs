//! `secrets/env-source-not-found`: env references to Secrets and ConfigMaps
//! (or keys of them) that the input does not hold. Off by default: most inputs
//! are a slice of what the cluster holds.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use palisade_core::{Finding, Inventory, Node, Object, Rule, Severity};

use super::env::{Source, references};
use crate::context::Context;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A non-optional env reference (`env[].valueFrom.secretKeyRef` /
    /// `configMapKeyRef`, `envFrom[].secretRef` / `configMapRef`) to a Secret or
    /// ConfigMap that is not in the input, or to a key the referenced object
    /// does not have (`data` and `stringData` of a Secret, `data` and
    /// `binaryData` of a ConfigMap). Only judged where the input holds at
    /// least one object of that kind in the workload's namespace *and folder*
    /// (the folder of the workload's file): an input without any Secrets says
    /// nothing about the cluster's, and a folder of one application says
    /// nothing about another's kept beside it. The referenced object itself may
    /// be anywhere in the input; when the input defines it more than once, a
    /// key any of the definitions has counts. References with `optional: true`
    /// are skipped. Off by default.
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
    let sources = SourceObjects::new(context.inventory);
    for container in context.containers() {
        let namespace = container.object().namespace();
        for reference in references(&container) {
            let kind = reference.source.kind();
            if reference.optional
                || reference.name.is_empty()
                || !sources.beside.contains(&(kind, namespace, folder(container.object())))
            {
                continue;
            }
            let what = match reference.variable {
                Some(variable) => format!("env {variable}"),
                None => "envFrom".to_owned(),
            };
            let definitions = sources
                .by_name
                .get(&(kind, namespace, reference.name))
                .map_or(&[][..], Vec::as_slice);
            let problem = match reference.key {
                _ if definitions.is_empty() => format!("{kind} {:?}, which is not in the input", reference.name),
                Some(key) if !definitions.iter().any(|o| has_key(o, reference.source, key)) => {
                    format!("key {key:?} of {kind} {:?}, which has no such key", reference.name)
                }
                _ => continue,
            };
            out.push(
                container
                    .finding(&RULE, Some(reference.node), format!("{}: {what} reads {problem}", container.describe()))
                    .with_remediation("Correct the name or key, add the object to the manifests, or mark the reference optional: true."),
            );
        }
    }
}

/// The input's core-group Secrets and ConfigMaps, indexed once per run: by
/// kind, namespace and folder (the input "holds" that kind beside a workload),
/// and by kind, namespace and name (the definitions a reference reads).
struct SourceObjects<'a> {
    beside: HashSet<(&'a str, Option<&'a str>, Option<&'a Path>)>,
    by_name: HashMap<(&'a str, Option<&'a str>, &'a str), Vec<&'a Object>>,
}

impl<'a> SourceObjects<'a> {
    fn new(inventory: &'a Inventory) -> SourceObjects<'a> {
        let mut out = SourceObjects {
            beside: HashSet::new(),
            by_name: HashMap::new(),
        };
        for kind in [Source::Secret.kind(), Source::ConfigMap.kind()] {
            for object in inventory.of_kind(kind).filter(|o| o.group().is_empty()) {
                out.beside.insert((kind, object.namespace(), folder(object)));
                out.by_name
                    .entry((kind, object.namespace(), object.name()))
                    .or_default()
                    .push(object);
            }
        }
        out
    }
}

/// The folder of the file an object was read from.
fn folder(object: &Object) -> Option<&Path> {
    Path::new(&*object.source().file).parent()
}

/// True when the object offers `key` to env references (`data` and
/// `stringData` of a Secret, `data` and `binaryData` of a ConfigMap).
fn has_key(object: &Object, source: Source, key: &str) -> bool {
    let fields: &[&str] = match source {
        Source::Secret => &["data", "stringData"],
        Source::ConfigMap => &["data", "binaryData"],
    };
    fields
        .iter()
        .filter_map(|field| object.root().get(field).and_then(Node::as_map))
        .any(|map| map.contains_key(key))
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

    /// Secrets of another folder say nothing about this one's.
    #[test]
    fn only_folders_holding_secrets_are_judged() {
        use palisade_core::{Inventory, Options};
        use palisade_load::{Limits, load_bytes};

        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n  - name: app\n    image: a:1\n    envFrom: [{secretRef: {name: creds}}]\n";
        let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: other}\n";
        let run = |files: &[(&str, &str)]| {
            let objects = files
                .iter()
                .flat_map(|(path, yaml)| {
                    load_bytes((*path).into(), yaml.as_bytes(), &Limits::default())
                        .unwrap_or_else(|e| panic!("{e}"))
                        .objects
                })
                .collect();
            let inventory = Inventory::new(objects);
            let options = Options::default();
            let mut out = Vec::new();
            super::check(&crate::Context::new(&inventory, &options), &mut out);
            out.len()
        };
        assert_eq!(run(&[("one/app.yaml", pod), ("two/secret.yaml", secret)]), 0);
        assert_eq!(run(&[("one/app.yaml", pod), ("one/secret.yaml", secret)]), 1);
    }
}
