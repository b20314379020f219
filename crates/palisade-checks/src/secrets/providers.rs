//! Credentials recognisable by their shape wherever they appear, whatever the
//! key they sit under: private keys, cloud and SaaS tokens, JWTs, passwords in
//! URLs.
//!
//! The shapes are the providers' documented token formats (the same ones
//! GitHub secret scanning, gitleaks and Kubescape's C-0012 match). Severity is
//! critical for private keys and for tokens that grant access on their own in
//! production (GitHub, GitLab, Slack, Stripe live keys); high for the rest,
//! which identify an account (an AWS access key id), are often restricted (a
//! Google API key) or may have expired (a JWT).

use std::sync::LazyLock;

use base64::Engine;
use palisade_core::Severity;
use regex::Regex;

use super::literal;

/// One provider's token shape.
pub(crate) struct Provider {
    /// How messages name it: "GitHub token".
    pub name: &'static str,
    pub severity: Severity,
    /// The token is capture group 1 when there is one, else the whole match.
    pattern: Regex,
    /// A further test of a candidate token beyond its shape.
    confirm: fn(&str) -> bool,
}

/// A token found in a text.
pub(crate) struct Found<'t> {
    pub provider: &'static Provider,
    pub token: &'t str,
}

fn provider(
    name: &'static str,
    severity: Severity,
    pattern: &str,
    confirm: fn(&str) -> bool,
) -> Provider {
    Provider {
        name,
        severity,
        pattern: Regex::new(pattern).unwrap_or_else(|e| panic!("{name} pattern: {e}")),
        confirm,
    }
}

fn always(_: &str) -> bool {
    true
}

static PROVIDERS: LazyLock<Vec<Provider>> = LazyLock::new(|| {
    use Severity::{Critical, High};
    vec![
        provider(
            "private key",
            Critical,
            r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END|\z)",
            pem_body_is_real,
        ),
        provider(
            "GitHub token",
            Critical,
            r"\b(gh[pousr]_[A-Za-z0-9]{36,255})\b",
            always,
        ),
        provider(
            "GitHub token",
            Critical,
            r"\b(github_pat_[A-Za-z0-9_]{82})\b",
            always,
        ),
        provider(
            "GitLab token",
            Critical,
            r"\b(glpat-[A-Za-z0-9_-]{20,})",
            always,
        ),
        provider(
            "Slack token",
            Critical,
            r"\b(xox[baprs]-[A-Za-z0-9-]{10,})",
            always,
        ),
        provider(
            "Slack webhook URL",
            High,
            r"(https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,})",
            always,
        ),
        provider(
            "Stripe live key",
            Critical,
            r"\b((?:sk|rk)_live_[A-Za-z0-9]{20,})\b",
            always,
        ),
        provider(
            "AWS access key id",
            High,
            r"\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
            always,
        ),
        provider("Google API key", High, r"\b(AIza[0-9A-Za-z_-]{35})", always),
        provider(
            "NVIDIA API key",
            High,
            r"\b(nvapi-[A-Za-z0-9_-]{60,})",
            always,
        ),
        provider(
            "JWT",
            High,
            r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)",
            jwt_header_is_json,
        ),
        provider(
            "password in a URL",
            High,
            r#"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:@/\s"'<>]+:([^@/\s"'<>]+)@[^\s/"'@]+"#,
            url_password_is_literal,
        ),
    ]
});

/// Prefixes of the token shapes above; a value starting with one that does not
/// have the full shape (`nvapi-NVKEY`) is a placeholder.
const PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxa-",
    "xoxp-",
    "xoxr-",
    "xoxs-",
    "sk_live_",
    "rk_live_",
    "AKIA",
    "ASIA",
    "AIza",
    "nvapi-",
];

/// Every provider token in `text`, placeholders (AWS's `…EXAMPLE` keys,
/// elided PEM bodies) left out.
pub(crate) fn find(text: &str) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    for provider in PROVIDERS.iter() {
        for captures in provider.pattern.captures_iter(text) {
            let Some(token) = captures.get(1).or_else(|| captures.get(0)) else {
                continue;
            };
            let token = token.as_str();
            if (provider.confirm)(token) && !literal::is_placeholder(token) {
                found.push(Found { provider, token });
            }
        }
    }
    found
}

/// True when `value` starts like a provider token (see [`PREFIXES`]).
pub(crate) fn has_provider_prefix(value: &str) -> bool {
    PREFIXES.iter().any(|p| value.trim_start().starts_with(p))
}

/// A PEM body with real base64 in it, not `...` standing for it.
fn pem_body_is_real(block: &str) -> bool {
    static BASE64_RUN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[A-Za-z0-9+/]{16,}").unwrap_or_else(|e| panic!("base64 run: {e}"))
    });
    let body = block
        .split_once("-----\n")
        .or_else(|| block.split_once("-----"))
        .map_or("", |(_, b)| b);
    BASE64_RUN.is_match(body) && !body.contains("...") && !body.contains('…')
}

/// The first segment decodes to a JSON header naming an algorithm.
fn jwt_header_is_json(token: &str) -> bool {
    let header = token.split('.').next().unwrap_or("");
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .is_ok_and(|bytes| bytes.starts_with(b"{") && bytes.windows(5).any(|w| w == b"\"alg\""))
}

/// A URL password that is a literal, not `$(DB_PASSWORD)` or `<password>`.
fn url_password_is_literal(password: &str) -> bool {
    !password.is_empty() && !literal::is_reference(password) && !literal::is_placeholder(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test tokens are assembled at run time so that no secret scanner reads
    /// this file as holding credentials.
    fn join(parts: &[&str]) -> String {
        parts.concat()
    }

    fn names(text: &str) -> Vec<&'static str> {
        find(text).iter().map(|f| f.provider.name).collect()
    }

    #[test]
    fn each_provider_shape() {
        let cases = [
            (
                join(&[
                    "-----BEGIN RSA PRIVATE",
                    " KEY-----\nMIIEowIBAAKCAQEAzq3T\n-----END RSA PRIVATE KEY-----",
                ]),
                "private key",
            ),
            (
                join(&[
                    "-----BEGIN OPENSSH PRIVATE",
                    " KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA",
                ]),
                "private key",
            ),
            (
                join(&["ghp", "_", "Zq7Lm2Vx9Rt4Kp8Wn3Bc6Yd1Hs5Jf0Ga2Tq7"]),
                "GitHub token",
            ),
            (
                join(&[
                    "github",
                    "_pat_",
                    "11ABCDEFG0123456789abc_",
                    &"aB3".repeat(19),
                    "xy",
                ]),
                "GitHub token",
            ),
            (
                join(&["glpat", "-", "Zq7Lm2Vx9Rt4Kp8Wn3Bc"]),
                "GitLab token",
            ),
            (
                join(&[
                    "xox",
                    "b-",
                    "123456789012-1234567890123-Zq7Lm2Vx9Rt4Kp8Wn3Bc6Yd1",
                ]),
                "Slack token",
            ),
            (
                join(&[
                    "https://hooks.slack.com/services/",
                    "T0123ABCD/B0123ABCD/",
                    "Zq7Lm2Vx9Rt4Kp8Wn3Bc6Yd1",
                ]),
                "Slack webhook URL",
            ),
            (
                join(&["sk", "_live_", "Zq7Lm2Vx9Rt4Kp8Wn3Bc6Yd1"]),
                "Stripe live key",
            ),
            (join(&["AKIA", "Z7QWRTYUPLKJHGFD"]), "AWS access key id"),
            (
                join(&["AIza", "SyZq7Lm2Vx9Rt4Kp8Wn3Bc6Yd1Hs5Jf0Ga2T"]),
                "Google API key",
            ),
            (
                join(&[
                    "eyJhbGciOiJIUzI1NiJ9",
                    ".",
                    "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
                    ".",
                    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                ]),
                "JWT",
            ),
            (
                join(&["postgres://app:", "Zq7Lm2Vx9", "@db.internal:5432/app"]),
                "password in a URL",
            ),
        ];
        for (text, expected) in &cases {
            assert_eq!(names(text), [*expected], "{text}");
            // Inside a larger text too.
            assert_eq!(
                names(&format!("config:\n  value = {text}\n")),
                [*expected],
                "{text}"
            );
        }
    }

    #[test]
    fn shapes_that_are_not_tokens() {
        for text in [
            // AWS's documented example key id, and a key id one character short.
            "AKIAIOSFODNN7EXAMPLE".to_owned(),
            join(&["AKIA", "Z7QWRTYUPLKJHGF"]),
            // An elided PEM body, and a public certificate.
            join(&["-----BEGIN PRIVATE", " KEY-----\n...\n-----END PRIVATE KEY-----"]),
            "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----".to_owned(),
            // URLs whose password is a reference or a placeholder, or that have none.
            "postgres://app:$(DB_PASSWORD)@db:5432/app".to_owned(),
            "redis://:<password>@redis:6379".to_owned(),
            "https://user@example.org/x".to_owned(),
            "http://[::1]:8080/path@x".to_owned(),
            // eyJ-prefixed segments that do not decode to a JWT header.
            "eyJzdWIiOiIxMjM0NTY3ODkwIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.x".to_owned(),
            "nvapi-NVKEY".to_owned(),
        ] {
            assert!(names(&text).is_empty(), "{text}: {:?}", names(&text));
        }
        assert!(has_provider_prefix("nvapi-NVKEY") && !has_provider_prefix("hunter2"));
    }
}
