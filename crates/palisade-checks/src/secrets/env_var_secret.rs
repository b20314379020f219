//! `secrets/env-var-secret`: Secrets handed to a container through its
//! environment (CIS Benchmark 5.4.1).

use palisade_core::{Finding, Rule, Severity};

use super::env::{Source, references};
use crate::context::{Context, finding_at};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container, init container or ephemeral container that reads a Secret
    /// through its environment: an `env[].valueFrom.secretKeyRef` (one key) or
    /// an `envFrom[].secretRef` (every key of the Secret). Low for one key,
    /// medium for `envFrom`, which also imports every key added to the Secret
    /// later.
    ///
    /// ## Why it matters
    /// Environment variables leak: the application and its libraries print them
    /// in crash reports and debug pages, `kubectl exec ... env` and
    /// `/proc/<pid>/environ` show them to anyone who can exec into the pod,
    /// child processes inherit them, and bug reports carry them away. A value
    /// read from a mounted file stays where it is, can be rotated without a
    /// restart, and is not inherited.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: {name: db, key: password}
    /// ```
    ///
    /// ## How to fix
    /// Mount the Secret as a volume (a `secret` volume, with `items` to choose
    /// keys) and have the application read the file, for example through a
    /// `DB_PASSWORD_FILE=/run/secrets/db/password` variable; or fetch it from
    /// the secret store with the Secrets Store CSI driver.
    id: "secrets/env-var-secret",
    title: "a container reads a Secret through its environment",
    severity: Severity::Low,
    severity_varies: "medium for envFrom, which imports every key of the Secret",
};

pub(super) static RULES: &[&Rule] = &[&RULE];

const REMEDIATION: &str = "Mount the Secret as a volume and read it from the file (or use the Secrets Store CSI driver) instead of the environment.";

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        for reference in references(&container) {
            if reference.source != Source::Secret {
                continue;
            }
            let (severity, what) = match (reference.variable, reference.key) {
                (Some(variable), Some(key)) => (
                    Severity::Low,
                    format!("env {variable} reads key {key:?} of Secret {:?}", reference.name),
                ),
                _ => (
                    Severity::Medium,
                    format!("envFrom imports every key of Secret {:?}", reference.name),
                ),
            };
            out.push(
                finding_at(
                    &RULE,
                    severity,
                    container.object(),
                    Some(reference.node),
                    format!("{}: {what} into the environment", container.describe()),
                )
                .with_remediation(REMEDIATION),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_core::Severity;

    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_is_flagged() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.example/app:1.4.2
        env:
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef: {name: db, key: password}
"#,
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            r#"container "app" of Deployment prod/web: env DB_PASSWORD reads key "password" of Secret "db" into the environment"#
        );
        assert_eq!(findings[0].severity, Severity::Low);
        assert_eq!(findings[0].line_column(), Some((14, 27)));
    }

    #[test]
    fn env_from_every_container_kind_and_clean_references() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: app}
spec:
  initContainers:
  - name: init
    image: a:1
    envFrom:
    - secretRef: {name: all-of-it}
    - configMapRef: {name: settings}
  containers:
  - name: main
    image: a:1
    env:
    - name: LEVEL
      valueFrom: {configMapKeyRef: {name: settings, key: level}}
    - name: PLAIN
      value: x
    - name: NODE
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    volumeMounts:
    - {name: creds, mountPath: /run/secrets/db, readOnly: true}
  ephemeralContainers:
  - name: debug
    image: a:1
    env:
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: api, key: token, optional: true}}
  volumes:
  - name: creds
    secret: {secretName: db}
"#,
        );
        let flagged: Vec<(&str, Severity)> =
            findings.iter().map(|f| (f.message.as_str(), f.severity)).collect();
        assert_eq!(
            flagged,
            [
                (
                    r#"init container "init" of Pod app/p: envFrom imports every key of Secret "all-of-it" into the environment"#,
                    Severity::Medium
                ),
                (
                    r#"ephemeral container "debug" of Pod app/p: env TOKEN reads key "token" of Secret "api" into the environment"#,
                    Severity::Low
                ),
            ]
        );
    }
}
