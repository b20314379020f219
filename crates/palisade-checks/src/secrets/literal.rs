//! Whether a value is a literal credential or something that only sits where
//! one would: empty, a placeholder, a reference resolved elsewhere, a flag, a
//! number, a path, a URL.
//!
//! Decisions (documented in the rules too):
//! - A *placeholder* is a value that cannot work as a credential and is meant
//!   to be replaced: `<your-token>`, `INSERT_ETCD_DISCOVERY_TOKEN`,
//!   `REPLACE_ME`, `xxxx`, `****`, `...`, anything saying `example`, `sample`,
//!   `dummy`, `redacted` or `placeholder` (AWS's documented example keys end in
//!   `EXAMPLE`). Placeholders are not findings.
//! - A *well-known default* such as `changeme`, `changeit`, `password` or
//!   `admin` is not a placeholder: the service accepts it, and a deployment
//!   that keeps it runs with a guessable password. It is reported, and the
//!   message says it is a well-known default.
//! - References (`$(VAR)`, the kubelet's expansion; `${VAR}`; `{{ .Values.x }}`
//!   and other templating) are resolved elsewhere and are not findings.

use std::sync::LazyLock;

use regex::Regex;

/// Why a value is not a literal credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotLiteral {
    Empty,
    Placeholder,
    Reference,
    Flag,
    Number,
    Path,
    Url,
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*<[^<>]*>\s*$|your[-_ ]?|insert[-_ ]|^insert|replace[-_ ]?me|^replace|placeholder|^(todo|tbd|fixme|none|null|nil|n/a|tba)$|redacted|example|sample|dummy|x{4,}|\*{3,}|\.{3}|…",
    )
    .unwrap_or_else(|e| panic!("placeholder pattern: {e}"))
});

/// `SOME_VARIABLE_NAME`: an identifier standing where a value should be.
static IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
        .unwrap_or_else(|e| panic!("identifier pattern: {e}"))
});

/// `$(VAR)` (the kubelet's expansion, or a shell's), `${VAR}`, `{{ x }}`,
/// `#{x}`, `%{x}`, `%(x)s`, `<%= x %>`, `@VAR@`, or a whole `$VAR` or `$1`.
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\([^)]*\)|\$\{[^}]*\}|\{\{.*\}\}|[#%]\{[^}]*\}|%\([^)]*\)s|<%.*%>|^@[A-Za-z_]+@$|^\$(\w+|[@*#?!$-])$")
        .unwrap_or_else(|e| panic!("reference pattern: {e}"))
});

/// Integers, decimals, and sizes or durations (`2048`, `0.5`, `30s`, `10Mi`).
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[+-]?[0-9]+(\.[0-9]+)?([a-zA-Z]{1,3})?$")
        .unwrap_or_else(|e| panic!("number pattern: {e}"))
});

/// Absolute or relative paths, and file names with a key or config extension.
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(/|\./|\.\./|~/|[a-z]:\\|file://)\S*$|^[\w.-]+\.(json|pem|key|crt|cer|p12|pfx|jks|txt|ya?ml|conf|cfg|ini|env|properties)$",
    )
    .unwrap_or_else(|e| panic!("path pattern: {e}"))
});

/// A URL with no user information (credentials in URLs are a provider pattern).
static PLAIN_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^@\s]*$")
        .unwrap_or_else(|e| panic!("url pattern: {e}"))
});

const FLAGS: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "y", "n", "enabled", "disabled", "~",
];

/// Default passwords that services ship with and deployments keep.
const WELL_KNOWN_DEFAULTS: &[&str] = &[
    "changeme", "changeit", "password", "passw0rd", "admin", "secret", "root", "default",
    "letmein", "qwerty", "123456", "12345678", "test", "guest",
];

/// Why `value` is not a literal credential, or `None` when it is one.
/// `numbers_count`: whether a long run of digits is a credential (a PIN under
/// a password name) rather than a size or a flag.
pub(crate) fn not_literal(value: &str, numbers_count: bool) -> Option<NotLiteral> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed == "\"\"" || trimmed == "''" {
        return Some(NotLiteral::Empty);
    }
    if REFERENCE.is_match(trimmed) {
        return Some(NotLiteral::Reference);
    }
    if is_placeholder(trimmed) {
        return Some(NotLiteral::Placeholder);
    }
    if FLAGS.iter().any(|f| f.eq_ignore_ascii_case(trimmed)) {
        return Some(NotLiteral::Flag);
    }
    let long_digits = trimmed.len() >= 6 && trimmed.bytes().all(|b| b.is_ascii_digit());
    if NUMBER.is_match(trimmed) && !(numbers_count && long_digits) {
        return Some(NotLiteral::Number);
    }
    if PATH.is_match(trimmed) {
        return Some(NotLiteral::Path);
    }
    if PLAIN_URL.is_match(trimmed) {
        return Some(NotLiteral::Url);
    }
    None
}

/// True for values meant to be replaced (see the module's decisions).
pub(crate) fn is_placeholder(value: &str) -> bool {
    let mut chars = value.chars();
    let same_character = chars
        .next()
        .is_some_and(|first| value.chars().count() > 2 && chars.all(|c| c == first));
    same_character || PLACEHOLDER.is_match(value) || IDENTIFIER.is_match(value)
}

/// True when a value is a reference or template resolved elsewhere.
pub(crate) fn is_reference(value: &str) -> bool {
    REFERENCE.is_match(value)
}

/// True for a default password services ship with (`changeme`, `admin`).
/// Values that start with `changeme` or `changeit` (Kiali's `CHANGEME00000000`
/// signing key) count too.
pub(crate) fn is_well_known_default(value: &str) -> bool {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    WELL_KNOWN_DEFAULTS
        .iter()
        .any(|d| d.eq_ignore_ascii_case(value))
        || lower.starts_with("changeme")
        || lower.starts_with("changeit")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_literals() {
        for value in [
            "<your-token>",
            "INSERT_ETCD_DISCOVERY_TOKEN",
            "GOOGLE_API_KEY_VAL",
            "HF_TOKEN",
            "REPLACE_ME",
            "replace-me",
            "xxxxxxxx",
            "********",
            "...",
            "your_password_here",
            "TODO",
            "dummy",
            "AKIAIOSFODNN7EXAMPLE",
            "aaaaaaaaaa",
        ] {
            assert_eq!(
                not_literal(value, true),
                Some(NotLiteral::Placeholder),
                "{value}"
            );
        }
    }

    #[test]
    fn references_and_templates_are_not_literals() {
        for value in [
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "${DB_PASSWORD:-x}",
            "{{ .Values.password }}",
            "$TOKEN",
            "$1",
            "#{token}",
            "pre-$(X)-post",
            "%(password)s",
            "@DB_PASSWORD@",
        ] {
            assert_eq!(
                not_literal(value, true),
                Some(NotLiteral::Reference),
                "{value}"
            );
        }
    }

    #[test]
    fn flags_numbers_paths_and_urls_are_not_literals() {
        assert_eq!(not_literal("", true), Some(NotLiteral::Empty));
        assert_eq!(not_literal("  ", true), Some(NotLiteral::Empty));
        assert_eq!(not_literal("\"\"", true), Some(NotLiteral::Empty));
        assert_eq!(not_literal("true", true), Some(NotLiteral::Flag));
        assert_eq!(not_literal("1", true), Some(NotLiteral::Number));
        assert_eq!(not_literal("3600", false), Some(NotLiteral::Number));
        assert_eq!(not_literal("30s", false), Some(NotLiteral::Number));
        assert_eq!(
            not_literal("/var/secrets/google/key.json", true),
            Some(NotLiteral::Path)
        );
        assert_eq!(not_literal("key.json", true), Some(NotLiteral::Path));
        assert_eq!(
            not_literal("https://auth.example.org/token", true),
            Some(NotLiteral::Placeholder)
        );
        assert_eq!(
            not_literal("https://auth.internal/token", true),
            Some(NotLiteral::Url)
        );
    }

    #[test]
    fn real_values_are_literals() {
        for value in [
            "minio123",
            "migration",
            "c-krit",
            "supersecret",
            "changeme",
            "S3cr3t!pass",
        ] {
            assert_eq!(not_literal(value, true), None, "{value}");
        }
        // Six digits or more under a password name are a PIN, under other names a size.
        assert_eq!(not_literal("90210777", true), None);
        assert_eq!(not_literal("90210777", false), Some(NotLiteral::Number));
        assert!(is_well_known_default("changeme") && !is_well_known_default("c-krit"));
        assert!(is_well_known_default("CHANGEME00000000"));
    }
}
