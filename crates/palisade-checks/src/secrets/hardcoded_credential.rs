//! `secrets/hardcoded-credential`: credentials written into a container's
//! env values.

use palisade_core::{Finding, Node, Rule, Severity};

use super::detection;
use crate::context::{Context, finding_at};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An `env[].value` of a container (of any kind) that holds a credential:
    /// - whatever the variable's name, a provider token recognised by its
    ///   shape: a PEM private key, an AWS access key id, a GitHub, GitLab,
    ///   Slack or Stripe live token, a Slack webhook URL, a Google or NVIDIA
    ///   API key, a JWT, or a password inside a URL (`scheme://user:pw@host`);
    /// - under a name that says password or secret (`DB_PASSWORD`, `API_KEY`,
    ///   `client_secret`, `GITHUB_TOKEN`, `credentials`, `jwt`...), any literal
    ///   value; under a weaker hint (`AUTH`, `*_KEY`, `salt`), only a
    ///   high-entropy token; a 40-character value under `AWS_SECRET_ACCESS_KEY`
    ///   is an AWS secret key.
    ///
    /// Not flagged: names that are about a secret rather than the secret
    /// (`PASSWORD_FILE`, `TOKEN_TTL`, `*_SECRET_NAME`, `*_PATH`, `*_URL`,
    /// `MAX_TOTAL_TOKENS`, `MYSQL_ALLOW_EMPTY_PASSWORD`); empty values, flags,
    /// numbers, paths and URLs without credentials; references and templates
    /// (`$(VAR)`, `${VAR}`, `{{ .Values.x }}`), `valueFrom`; placeholders
    /// meant to be replaced (`<your-token>`, `INSERT_TOKEN_HERE`, `xxxx`,
    /// anything saying `example`, AWS's documented `...EXAMPLE` keys). A
    /// well-known default such as `changeme` or `admin` *is* flagged: it is
    /// not a placeholder but a password the service accepts. High; critical for
    /// private keys, AWS secret access keys and GitHub, GitLab, Slack and
    /// Stripe live tokens. The value is never shown in full.
    ///
    /// ## Why it matters
    /// A credential in a manifest is in every clone of the repository, every
    /// CI log that prints the rendered manifests, and the object stored in the
    /// cluster, readable by anyone who can `get` the workload. It cannot be
    /// rotated without a commit, and it is usually reused across environments.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   env:
    ///   - name: DB_PASSWORD
    ///     value: s3cr3t-Pa55
    /// ```
    ///
    /// ## How to fix
    /// Revoke or rotate the credential first: it is already in the history.
    /// Then keep it in a Secret that is not committed in plain text (Sealed
    /// Secrets, External Secrets, the Secrets Store CSI driver) and mount it as
    /// a file.
    id: "secrets/hardcoded-credential",
    title: "an env value holds a hard-coded credential",
    severity: Severity::High,
    severity_varies: "critical for private keys, AWS secret access keys and GitHub, GitLab, Slack and Stripe live tokens",
};

pub(super) static RULES: &[&Rule] = &[&RULE];

const REMEDIATION: &str = "Rotate the credential, keep it in a Secret that is not committed in plain text (Sealed Secrets, External Secrets, Secrets Store CSI driver) and mount it as a file.";

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        for item in container.get(&["env"]).into_iter().flat_map(Node::items) {
            let name = item.get("name").and_then(Node::as_str).unwrap_or("");
            let Some(value) = item.get("value").filter(|v| v.as_str().is_some()) else {
                continue;
            };
            let Some(detection) = detection::in_pair(name, value.as_str().unwrap_or("")) else {
                continue;
            };
            out.push(
                finding_at(
                    &RULE,
                    detection.severity,
                    container.object(),
                    Some(value),
                    format!("{}: env {name} holds {}", container.describe(), detection.describe()),
                )
                .with_remediation(REMEDIATION),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_core::{Finding, Severity};

    use crate::testing::findings_of;

    fn run(yaml: &str) -> Vec<Finding> {
        findings_of(super::RULES, super::check, yaml)
    }

    /// A Pod with one container whose env is `entries` (YAML list items).
    fn pod(entries: &[(&str, &str)]) -> String {
        let mut yaml = String::from(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  containers:\n  - name: c\n    image: a:1\n    env:\n",
        );
        for (name, value) in entries {
            yaml.push_str(&format!("    - name: {name}\n      value: {value:?}\n"));
        }
        yaml
    }

    /// Every text a finding carries, for checks that a value never appears.
    fn texts(findings: &[Finding]) -> String {
        findings
            .iter()
            .map(|f| format!("{} {}", f.message, f.remediation.as_deref().unwrap_or("")))
            .collect()
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_value() {
        let findings = run(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    env:\n    - name: DB_PASSWORD\n      value: s3cr3t-Pa55\n",
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            r#"container "app" of Pod app/p: env DB_PASSWORD holds a password (11 chars)"#
        );
        assert_eq!(findings[0].severity, Severity::High);
        assert_eq!(findings[0].line_column(), Some((10, 14)));
        assert!(!texts(&findings).contains("s3cr3t-Pa55"));
    }

    #[test]
    fn provider_tokens_under_any_name_and_never_in_full() {
        let tokens = [
            (["ghp", "_Zq7Lm2Vx9Rt4Kp8Wn3Bc6Yd1Hs5Jf0Ga2Tq7"].concat(), "GitHub token", Severity::Critical),
            (["glpat", "-Zq7Lm2Vx9Rt4Kp8Wn3Bc"].concat(), "GitLab token", Severity::Critical),
            (["xox", "p-1234567890-Zq7Lm2Vx9Rt4Kp8Wn3"].concat(), "Slack token", Severity::Critical),
            (["sk", "_live_Zq7Lm2Vx9Rt4Kp8Wn3Bc6Yd1"].concat(), "Stripe live key", Severity::Critical),
            (["AKIA", "Z7QWRTYUPLKJHGFD"].concat(), "AWS access key id", Severity::High),
            (["AIza", "SyZq7Lm2Vx9Rt4Kp8Wn3Bc6Yd1Hs5Jf0Ga2T"].concat(), "Google API key", Severity::High),
            (
                ["eyJhbGciOiJIUzI1NiJ9.", "eyJzdWIiOiIxMjM0NTY3ODkwIn0.", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"].concat(),
                "JWT",
                Severity::High,
            ),
            (["amqp://app:", "Zq7Lm2Vx9Rt4@rabbit:5672/"].concat(), "password in a URL", Severity::High),
            (
                ["-----BEGIN EC PRIVATE", " KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oPLo\n-----END EC PRIVATE KEY-----\n"].concat(),
                "private key",
                Severity::Critical,
            ),
        ];
        for (token, what, severity) in &tokens {
            let findings = run(&pod(&[("SETTING", token)]));
            assert_eq!(findings.len(), 1, "{what}");
            assert!(findings[0].message.contains(&format!(" {what} (")), "{}", findings[0].message);
            assert_eq!(findings[0].severity, *severity, "{what}");
            let text = texts(&findings);
            // Neither the token nor any 8-character piece of it past its prefix shows.
            assert!(!text.contains(token.as_str()), "{text}");
            let tail: String = token.chars().skip(5).take(8).collect();
            assert!(!text.contains(&tail), "{text}");
        }
    }

    #[test]
    fn names_about_secrets_and_non_literals_are_clean() {
        let findings = run(&pod(&[
            ("PASSWORD_FILE", "/run/secrets/db/password"),
            ("TOKEN_TTL", "3600"),
            ("ALLOYDB_SECRET_NAME", "ALLOYDB_SECRET_NAME_VAL"),
            ("MAX_TOTAL_TOKENS", "2048"),
            ("MYSQL_ALLOW_EMPTY_PASSWORD", "1"),
            ("GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/google/key.json"),
            ("TOKEN_URL", "https://auth.internal/oauth/token"),
            ("DB_PASSWORD", "$(PASSWORD_FROM_SECRET)"),
            ("API_TOKEN", "{{ .Values.apiToken }}"),
            ("CLIENT_SECRET", "${CLIENT_SECRET}"),
            ("HF_TOKEN", "<your-token>"),
            ("ETCD_DISCOVERY_TOKEN", "INSERT_ETCD_DISCOVERY_TOKEN"),
            ("NGC_API_KEY", "nvapi-NVKEY"),
            ("ADMIN_PASSWORD", ""),
            ("AUTH_ENABLED", "true"),
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            ("GREETING", "hello"),
        ]));
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn value_from_and_non_string_values_are_clean() {
        let findings = run(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: a:1\n    env:\n    - name: DB_PASSWORD\n      valueFrom: {secretKeyRef: {name: db, key: password}}\n    - name: API_TOKEN\n",
        );
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn demo_credentials_and_default_passwords_are_flagged() {
        let findings = run(&pod(&[
            ("MINIO_SECRET_KEY", "minio123"),
            ("MYSQL_ROOT_PASSWORD", "changeme"),
            ("ACCESS_KEY", "8312341g-5678-abcd-4a2b2c-33bcsd655"),
            ("SESSION_KEY", "q8Zr2LmX0vT7pK4nW9sB1cY6"),
        ]));
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                r#"container "c" of Pod app/p: env MINIO_SECRET_KEY holds a secret (8 chars)"#,
                r#"container "c" of Pod app/p: env MYSQL_ROOT_PASSWORD holds a well-known default password (8 chars)"#,
                r#"container "c" of Pod app/p: env ACCESS_KEY holds a secret ("8312…" (35 chars))"#,
                r#"container "c" of Pod app/p: env SESSION_KEY holds a high-entropy token ("q8Zr…" (24 chars))"#,
            ]
        );
    }

    /// The corpus README lists which secret-looking env names hold real
    /// (demo) credentials and which do not; the rule must find exactly the former.
    #[test]
    fn the_corpus_credentials_and_nothing_else() {
        use std::collections::BTreeSet;
        use std::path::{Path, PathBuf};

        use palisade_core::{Inventory, Options};
        use palisade_load::{Limits, load_bytes};

        fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    yaml_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    out.push(path);
                }
            }
        }

        let Some(corpus) = palisade_core::shared_data::shared_dir(env!("CARGO_MANIFEST_DIR"), "corpus", "index.jsonl") else {
            return;
        };
        let mut files = Vec::new();
        yaml_files(&corpus, &mut files);
        let objects = files
            .iter()
            .filter_map(|path| {
                let bytes = std::fs::read(path).ok()?;
                load_bytes(path.display().to_string().into(), &bytes, &Limits::default()).ok()
            })
            .flat_map(|load| load.objects)
            .collect();
        let inventory = Inventory::new(objects);
        let options = Options::default();
        let mut findings = Vec::new();
        super::check(&crate::Context::new(&inventory, &options), &mut findings);
        let names: BTreeSet<&str> = findings
            .iter()
            .filter_map(|f| f.message.split_once(": env ")?.1.split_once(" holds ").map(|(name, _)| name))
            .collect();
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            [
                "ACCESS_KEY",
                "MINIO_ACCESS_KEY",
                "MINIO_SECRET_KEY",
                "MYSQL_DB_PASSWORD",
                "MYSQL_PASSWORD",
                "MYSQL_ROOT_PASSWORD",
                "WSREP_SST_PASSWORD",
            ]
        );
    }
}
