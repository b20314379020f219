//! `secrets/committed-secret`: Secret objects with real data beside the
//! manifests.

use palisade_core::{Finding, Node, Object, Rule, Severity};

use super::{detection, go_base64, literal};
use crate::context::{Context, describe_object, finding_at};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A `Secret` whose `data` or `stringData` holds a real value. `data`
    /// values are base64-decoded first, as the API server decodes them. Not
    /// real: empty values, placeholders (`<token>`, `REPLACE_ME`, `xxxx`, ...),
    /// references and templates (`${VAR}`, `{{ .Values.x }}`), and public
    /// certificates (a value holding only `CERTIFICATE` PEM blocks, such as
    /// `ca.crt`). A well-known default such as `changeme` is real: the
    /// service accepts it. A `data` value that is not valid base64 is
    /// reported all the same (the API server would refuse the object, but the
    /// text is committed). A `kubernetes.io/service-account-token` Secret with
    /// no data, the usual way to request a token, has nothing to report; a
    /// Helm release record (`type: helm.sh/release.v1`) is reported, since its
    /// payload holds every rendered manifest of the release, Secrets included.
    /// One finding per Secret, at its first real value, naming the keys (never
    /// the values). Medium; raised to the severity of a provider credential
    /// found in a value (critical for a private key).
    ///
    /// ## Why it matters
    /// Base64 is an encoding, not encryption: a Secret committed beside the
    /// manifests is a credential in plain text in every clone of the
    /// repository and in its history forever.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: db, namespace: prod}
    /// type: Opaque
    /// stringData:
    ///   password: s3cr3t-Pa55
    /// ```
    ///
    /// ## How to fix
    /// Rotate the credential, remove the Secret from the repository (and its
    /// history), and commit something that is safe to share instead: a
    /// `SealedSecret` (Sealed Secrets), an `ExternalSecret` (External Secrets
    /// Operator) or a `SecretProviderClass` (Secrets Store CSI driver) naming
    /// where the value lives.
    id: "secrets/committed-secret",
    title: "a Secret with real data is committed beside the manifests",
    severity: Severity::Medium,
    severity_varies: "raised to the severity of a provider credential in a value: critical for a private key",
};

pub(super) static RULES: &[&Rule] = &[&RULE];

const REMEDIATION: &str = "Rotate the values and commit a SealedSecret, an ExternalSecret or a SecretProviderClass (Secrets Store CSI driver) instead of the Secret.";

/// One `data` or `stringData` value judged real.
struct RealValue<'a> {
    key: &'a str,
    node: &'a Node,
    /// Set for `data` values that are not valid base64.
    undecodable: bool,
    /// The text, when it is text (for provider shapes).
    text: Option<String>,
}

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for object in context.inventory.of_kind("Secret").filter(|o| o.group().is_empty()) {
        let real = real_values(object);
        let Some(first) = real.first() else {
            continue;
        };
        let detections: Vec<_> = real
            .iter()
            .filter_map(|v| v.text.as_deref())
            .flat_map(detection::in_text)
            .collect();
        let severity = detections.iter().map(|d| d.severity).max().map_or(RULE.severity, |s| s.max(RULE.severity));
        let keys: Vec<String> = real.iter().map(|v| format!("{:?}", v.key)).collect();
        let mut message = format!(
            "{}: {} in plain text: {} {}",
            describe_object(object),
            if real.len() == 1 { "holds a value" } else { "holds values" },
            if real.len() == 1 { "key" } else { "keys" },
            keys.join(", "),
        );
        if let Some(strongest) = detections.first() {
            message.push_str(&format!(", with {}", strongest.describe()));
        }
        let undecodable: Vec<&str> = real.iter().filter(|v| v.undecodable).map(|v| v.key).collect();
        if !undecodable.is_empty() {
            message.push_str(&format!(
                " ({} not valid base64: the API server would refuse the object, but the text is committed)",
                undecodable.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
            ));
        }
        if object.root().get("type").and_then(Node::as_str) == Some("helm.sh/release.v1") {
            message.push_str(" (a Helm release record: its payload holds every manifest of the release)");
        }
        out.push(finding_at(&RULE, severity, object, Some(first.node), message).with_remediation(REMEDIATION));
    }
}

/// The real values of a Secret, `data` first, then `stringData`, in order.
fn real_values(object: &Object) -> Vec<RealValue<'_>> {
    let mut real = Vec::new();
    for field in ["data", "stringData"] {
        let Some(entries) = object.root().get(field).and_then(Node::as_map) else {
            continue;
        };
        for (key, node) in entries.iter() {
            let Some(raw) = node.as_str() else {
                continue;
            };
            let (text, undecodable) = if field == "data" {
                match go_base64::decode(raw) {
                    Some(bytes) => match String::from_utf8(bytes) {
                        Ok(text) => (Some(text), false),
                        // Binary content (a keystore, a DER key): real.
                        Err(_) => (None, false),
                    },
                    None => (Some(raw.to_owned()), true),
                }
            } else {
                (Some(raw.to_owned()), false)
            };
            if text.as_deref().is_some_and(|t| !is_real_text(t)) {
                continue;
            }
            real.push(RealValue { key: &key.name, node, undecodable, text });
        }
    }
    real
}

/// Text that is a value someone could use: not empty, not only public
/// certificates, and (for a one-line value) not a placeholder or a reference.
/// A file (several lines) is judged whole: a configuration that mentions
/// `example.com` or `${VAR}` somewhere is still a configuration.
fn is_real_text(text: &str) -> bool {
    let trimmed = text.trim();
    let only_certificates =
        trimmed.starts_with("-----BEGIN CERTIFICATE-----") && !trimmed.contains("PRIVATE KEY");
    let one_line_stand_in =
        !trimmed.contains('\n') && (literal::is_placeholder(trimmed) || literal::is_reference(trimmed));
    !(trimmed.is_empty() || trimmed == "\"\"" || only_certificates || one_line_stand_in)
}

#[cfg(test)]
mod tests {
    use palisade_core::{Finding, Severity};

    use crate::testing::findings_of;

    fn run(yaml: &str) -> Vec<Finding> {
        findings_of(super::RULES, super::check, yaml)
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_value() {
        let findings = run(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\ntype: Opaque\nstringData:\n  password: s3cr3t-Pa55\n",
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, r#"Secret prod/db: holds a value in plain text: key "password""#);
        assert_eq!(findings[0].severity, Severity::Medium);
        assert_eq!(findings[0].line_column(), Some((6, 13)));
    }

    #[test]
    fn data_is_decoded_and_placeholders_empty_values_and_certificates_are_not_real() {
        // "hunter2!", "", "<your-token>", "REPLACE_ME", "changeme"
        let findings = run(
            r#"
apiVersion: v1
kind: Secret
metadata: {name: mixed}
data:
  empty: ""
  token: PHlvdXItdG9rZW4+
  api: UkVQTEFDRV9NRQ==
  password: aHVudGVyMiE=
  default: Y2hhbmdlbWU=
  ca.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUQKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=
stringData:
  templated: "{{ .Values.token }}"
  blank: ""
  app.yaml: |
    endpoint: https://api.example.com
    user: ${USER}
"#,
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            r#"Secret mixed: holds values in plain text: keys "password", "default", "app.yaml""#
        );
        assert!(!findings[0].message.contains("hunter2"));
        assert_eq!(findings[0].line_column(), Some((9, 13)));
    }

    #[test]
    fn placeholder_only_and_token_request_secrets_are_clean() {
        let findings = run(
            r#"
apiVersion: v1
kind: Secret
metadata: {name: sa-token, annotations: {kubernetes.io/service-account.name: app}}
type: kubernetes.io/service-account-token
---
apiVersion: v1
kind: Secret
metadata: {name: to-fill}
stringData: {password: "<password>", token: "${TOKEN}", key: ""}
---
apiVersion: v1
kind: Secret
metadata: {name: nothing}
data: {}
"#,
        );
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn private_keys_raise_severity_and_bad_base64_is_reported() {
        let pem = ["-----BEGIN RSA PRIVATE", " KEY-----\nMIIEowIBAAKCAQEAzq3TZq7Lm2Vx9Rt4\n-----END RSA PRIVATE KEY-----\n"].concat();
        let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &pem);
        let findings = run(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: tls, namespace: x}}\ntype: kubernetes.io/tls\ndata:\n  tls.key: {encoded}\n  broken: not*base64\n"
        ));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert!(findings[0].message.contains(r#"keys "tls.key", "broken", with a private key ("#), "{}", findings[0].message);
        assert!(findings[0].message.contains(r#"("broken" not valid base64"#), "{}", findings[0].message);
        assert!(!findings[0].message.contains("MIIEowIBAAKCAQEA"));
        assert!(!findings[0].message.contains("not*base64"));
    }

    #[test]
    fn helm_release_records_are_reported_and_say_so() {
        let findings = run(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: sh.helm.release.v1.app.v1}\ntype: helm.sh/release.v1\ndata:\n  release: SDRzSUFBQUFBQUFBLzZ4VVRXL2JPQkQ5Sw==\n",
        );
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.ends_with("(a Helm release record: its payload holds every manifest of the release)"));
    }
}
