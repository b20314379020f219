//! Deciding whether a value holds a credential: the one judgement the
//! env-value, ConfigMap and Secret rules share.
//!
//! A value is checked in this order:
//! 1. provider shapes anywhere in it ([`providers`]), whatever its key;
//! 2. AWS's secret access key (40 base64 characters) under a key naming it;
//! 3. the key's name ([`key_names`]): under a password or secret name any
//!    literal value ([`literal`]) is a credential; under a weaker hint (`auth`,
//!    `*_KEY`) only a high-entropy token ([`entropy`]) is.

use std::sync::LazyLock;

use palisade_core::Severity;
use regex::Regex;

use super::key_names::{self, Hint};
use super::redact::redact;
use super::{entropy, literal, providers};

/// A credential found in a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Detection {
    /// What it is: "GitHub token", "password".
    pub what: String,
    pub severity: Severity,
    /// The value as a finding may show it (see [`redact`]).
    pub shown: String,
}

impl Detection {
    /// `a GitHub token ("ghp_…" (40 chars))`.
    pub(crate) fn describe(&self) -> String {
        let article = if self
            .what
            .starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U'])
        {
            "an"
        } else {
            "a"
        };
        format!("{article} {} ({})", self.what, self.shown)
    }
}

static AWS_SECRET_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9/+]{40}$").unwrap_or_else(|e| panic!("aws secret key pattern: {e}"))
});

/// Provider tokens anywhere in `text`, most severe first.
pub(crate) fn in_text(text: &str) -> Vec<Detection> {
    let mut found: Vec<Detection> = providers::find(text)
        .into_iter()
        .map(|f| Detection {
            what: f.provider.name.to_owned(),
            severity: f.provider.severity,
            shown: redact(f.token),
        })
        .collect();
    found.sort_by_key(|d| std::cmp::Reverse(d.severity));
    found
}

/// The credential in the value of `key`, if any: provider shapes first, then
/// what the name says.
pub(crate) fn in_pair(key: &str, value: &str) -> Option<Detection> {
    in_text(value)
        .into_iter()
        .next()
        .or_else(|| by_name(key, value))
}

/// The credential a key's name makes of its value (provider shapes aside).
pub(crate) fn by_name(key: &str, value: &str) -> Option<Detection> {
    let value = value.trim();
    if key_names::names_aws_secret_key(key)
        && AWS_SECRET_KEY.is_match(value)
        && !literal::is_placeholder(value)
    {
        return Some(Detection {
            what: "AWS secret access key".to_owned(),
            severity: Severity::Critical,
            shown: redact(value),
        });
    }
    let hint = key_names::hint(key);
    if hint == Hint::None
        || literal::not_literal(value, hint == Hint::Password).is_some()
        || providers::has_provider_prefix(value)
    {
        return None;
    }
    let what = match hint {
        _ if entropy::looks_random(value) => "high-entropy token",
        Hint::Password if literal::is_well_known_default(value) => "well-known default password",
        Hint::Password => "password",
        Hint::Secret if literal::is_well_known_default(value) => "well-known default secret",
        Hint::Secret => "secret",
        Hint::Weak | Hint::None => return None,
    };
    Some(Detection {
        what: what.to_owned(),
        severity: Severity::High,
        shown: redact(value),
    })
}

/// A `key: value`, `key = value` or `"key": "value"` line of a configuration file.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([^"'\s]+)["']?\s*,?\s*$"#)
        .unwrap_or_else(|e| panic!("assignment pattern: {e}"))
});

/// Credentials in a configuration file's text: provider shapes anywhere, and
/// values of assignments whose key names a credential. One per kind of finding.
pub(crate) fn in_file(text: &str) -> Vec<Detection> {
    let mut found = in_text(text);
    for captures in ASSIGNMENT.captures_iter(text) {
        let (Some(key), Some(value)) = (captures.get(1), captures.get(2)) else {
            continue;
        };
        if is_name_service_line(key.as_str(), value.as_str()) {
            continue;
        }
        if let Some(detection) = by_name(key.as_str(), value.as_str()) {
            found.push(Detection {
                what: format!("{} under `{}`", detection.what, key.as_str()),
                ..detection
            });
        }
    }
    found.sort_by_key(|d| std::cmp::Reverse(d.severity));
    found
}

/// Sources an `nsswitch.conf` line can name.
const NAME_SERVICE_SOURCES: &[&str] = &[
    "compat",
    "files",
    "db",
    "nis",
    "nisplus",
    "ldap",
    "sss",
    "systemd",
    "winbind",
    "extrausers",
];

/// `passwd: compat` in an `nsswitch.conf` names the passwd database and where
/// it is looked up, not a password.
fn is_name_service_line(key: &str, value: &str) -> bool {
    matches!(key, "passwd" | "shadow") && NAME_SERVICE_SOURCES.contains(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(key: &str, value: &str) -> Option<String> {
        in_pair(key, value).map(|d| d.what)
    }

    #[test]
    fn names_and_values() {
        assert_eq!(what("DB_PASSWORD", "c-krit").as_deref(), Some("password"));
        assert_eq!(
            what("MYSQL_ROOT_PASSWORD", "changeme").as_deref(),
            Some("well-known default password")
        );
        assert_eq!(
            what("MINIO_SECRET_KEY", "minio123").as_deref(),
            Some("secret")
        );
        assert_eq!(
            what("AUTH_SALT", "q8Zr2LmX0vT7pK4nW9sB1cY6").as_deref(),
            Some("high-entropy token")
        );
        assert_eq!(what("AUTH", "basic"), None);
        assert_eq!(what("LOG_LEVEL", "q8Zr2LmX0vT7pK4nW9sB1cY6"), None);
        assert_eq!(what("NGC_API_KEY", "nvapi-NVKEY"), None);
        assert_eq!(what("PASSWORD_FILE", "/run/secrets/db"), None);
        assert_eq!(what("TOKEN_TTL", "3600"), None);
        assert_eq!(what("DB_PASSWORD", "{{ .Values.password }}"), None);
        assert_eq!(what("DB_PASSWORD", "${DB_PASSWORD}"), None);
        assert_eq!(
            what("REDIS_PASSWORD", "123456789").as_deref(),
            Some("password")
        );
        assert_eq!(what("API_TOKEN", "123456789"), None);
    }

    #[test]
    fn aws_secret_key_by_name_and_shape() {
        let key = ["Zq7Lm2Vx9Rt4Kp8Wn3Bc", "6Yd1Hs5Jf0Ga2Tq7/+ab"].concat();
        let found = in_pair("AWS_SECRET_ACCESS_KEY", &key);
        assert_eq!(
            found.map(|d| (d.what, d.severity)),
            Some(("AWS secret access key".to_owned(), Severity::Critical))
        );
        // AWS's documented example secret key is a placeholder.
        assert_eq!(
            in_pair(
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
            ),
            None
        );
    }

    #[test]
    fn provider_shapes_win_over_names() {
        let token = ["ghp", "_Zq7Lm2Vx9Rt4Kp8Wn3Bc6Yd1Hs5Jf0Ga2Tq7"].concat();
        let found = in_pair("SOMETHING", &token);
        assert_eq!(
            found.as_ref().map(|d| d.what.as_str()),
            Some("GitHub token")
        );
        assert_eq!(
            found.map(|d| d.describe()),
            Some("a GitHub token (\"ghp_…\" (40 chars))".to_owned())
        );
    }

    #[test]
    fn configuration_files() {
        let text = "spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password=s3cr3t-Pa55\nspring.datasource.username=app\nclient_secret: ${CLIENT_SECRET}\ntimeout: 30s\n";
        let found: Vec<String> = in_file(text).into_iter().map(|d| d.what).collect();
        assert_eq!(found, ["password under `spring.datasource.password`"]);
        // An nsswitch.conf names databases, not passwords.
        assert!(
            in_file("passwd:         compat\ngroup:          compat\nshadow: files\n").is_empty()
        );
        assert_eq!(in_file("passwd: hunter2-x\n").len(), 1);
    }
}
