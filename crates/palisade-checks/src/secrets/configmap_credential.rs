//! `secrets/configmap-credential`: credentials kept in a ConfigMap.

use palisade_core::{Finding, Node, Object, Rule, Severity};

use super::detection::{self, Detection};
use super::go_base64;
use crate::context::{Context, describe_object, finding_at};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A ConfigMap whose `data` or `binaryData` holds a credential, judged as
    /// `secrets/hardcoded-credential` judges env values: a single-line entry by
    /// its key and value (`DB_PASSWORD: s3cr3t`), a file (a multi-line entry,
    /// or `binaryData` that decodes to text) by the provider shapes anywhere in
    /// it and by its `key: value` and `key=value` lines
    /// (`spring.datasource.password=s3cr3t`). References, templates,
    /// placeholders, paths and flags are not credentials; binary `binaryData`
    /// is not read. One finding per entry, at its value, naming the most severe
    /// credential and how many others the entry holds. The value is never
    /// shown in full.
    ///
    /// ## Why it matters
    /// ConfigMaps are meant to be read widely: RBAC grants `get` on them to
    /// roles that must not see Secrets, they are printed by `kubectl describe`,
    /// mounted into pods that do not need the credential, and committed in
    /// plain text beside the manifests.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata: {name: app-config, namespace: prod}
    /// data:
    ///   DB_PASSWORD: s3cr3t-Pa55
    /// ```
    ///
    /// ## How to fix
    /// Rotate the credential, move it into a Secret that is not committed in
    /// plain text (Sealed Secrets, External Secrets, the Secrets Store CSI
    /// driver), and keep only references to it in the ConfigMap.
    id: "secrets/configmap-credential",
    title: "a ConfigMap holds a credential",
    severity: Severity::High,
    severity_varies: "critical for private keys, AWS secret access keys and GitHub, GitLab, Slack and Stripe live tokens",
};

pub(super) static RULES: &[&Rule] = &[&RULE];

const REMEDIATION: &str = "Rotate the credential and move it into a Secret that is not committed in plain text (Sealed Secrets, External Secrets, Secrets Store CSI driver).";

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for object in context.inventory.of_kind("ConfigMap").filter(|o| o.group().is_empty()) {
        for field in ["data", "binaryData"] {
            let Some(entries) = object.root().get(field).and_then(Node::as_map) else {
                continue;
            };
            for (key, value) in entries.iter() {
                let Some(text) = value.as_str() else {
                    continue;
                };
                let decoded;
                let text = if field == "binaryData" {
                    match go_base64::decode(text).map(String::from_utf8) {
                        Some(Ok(plain)) => {
                            decoded = plain;
                            decoded.as_str()
                        }
                        // Binary content, or base64 the API server refuses.
                        _ => continue,
                    }
                } else {
                    text
                };
                let found = if text.trim_end().contains('\n') {
                    detection::in_file(text)
                } else {
                    detection::in_pair(&key.name, text).into_iter().collect()
                };
                if let Some(first) = found.first() {
                    out.push(report(object, field, &key.name, value, first, found.len() - 1));
                }
            }
        }
    }
}

fn report(object: &Object, field: &str, key: &str, at: &Node, first: &Detection, others: usize) -> Finding {
    let more = match others {
        0 => String::new(),
        1 => " and 1 more credential".to_owned(),
        n => format!(" and {n} more credentials"),
    };
    finding_at(
        &RULE,
        first.severity,
        object,
        Some(at),
        format!("{}: {field} key {key:?} holds {}{more}", describe_object(object), first.describe()),
    )
    .with_remediation(REMEDIATION)
}

#[cfg(test)]
mod tests {
    use palisade_core::{Finding, Severity};

    use crate::testing::findings_of;

    fn run(yaml: &str) -> Vec<Finding> {
        findings_of(super::RULES, super::check, yaml)
    }

    #[test]
    fn the_documented_example_is_flagged() {
        let findings = run(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config, namespace: prod}\ndata:\n  DB_PASSWORD: s3cr3t-Pa55\n",
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            r#"ConfigMap prod/app-config: data key "DB_PASSWORD" holds a password (11 chars)"#
        );
        assert_eq!(findings[0].line_column(), Some((5, 16)));
        assert!(!findings[0].message.contains("s3cr3t"));
    }

    #[test]
    fn files_and_binary_data() {
        let key = ["-----BEGIN PRIVATE", " KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"].concat();
        let properties = "spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password=s3cr3t-Pa55\napi.token=Zq7Lm2Vx9Rt4\n";
        let binary = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, properties);
        let yaml = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: files, namespace: prod}}\ndata:\n  app.properties: |\n{}\n  tls.key: {key:?}\nbinaryData:\n  copy.properties: {binary}\n  blob: 3q2+7w==\n",
            properties.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n"),
        );
        let findings = run(&yaml);
        let summary: Vec<(&str, Severity)> = findings.iter().map(|f| (f.message.as_str(), f.severity)).collect();
        assert_eq!(
            summary,
            [
                (
                    r#"ConfigMap prod/files: data key "app.properties" holds a password under `spring.datasource.password` (11 chars) and 1 more credential"#,
                    Severity::High
                ),
                (r#"ConfigMap prod/files: data key "tls.key" holds a private key ("----…" (69 chars))"#, Severity::Critical),
                (
                    r#"ConfigMap prod/files: binaryData key "copy.properties" holds a password under `spring.datasource.password` (11 chars) and 1 more credential"#,
                    Severity::High
                ),
            ]
        );
    }

    #[test]
    fn ordinary_configuration_is_clean() {
        let findings = run(
            r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  LOG_LEVEL: debug
  TOKEN_TTL: "3600"
  PASSWORD_FILE: /run/secrets/db/password
  DB_PASSWORD: "{{ .Values.db.password }}"
  ca.crt: |
    -----BEGIN CERTIFICATE-----
    MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa
    -----END CERTIFICATE-----
  entrypoint.sh: |
    #!/bin/sh
    PASSWORD="$1"
    TOKEN=$(cat /run/secrets/token)
    exec app --password-file=/run/secrets/db
"#,
        );
        assert!(findings.is_empty(), "{findings:#?}");
    }
}
