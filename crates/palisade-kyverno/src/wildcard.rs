//! Kyverno's wildcard matching (`IGLOU-EU/go-wildcard` v1.0.3): `*` matches
//! any run of characters (also none), `?` exactly one character; matching is
//! case-sensitive, there are no escapes, and an empty pattern matches only
//! the empty string. Used for names, namespaces, kinds, label and annotation
//! keys, pattern values and the `In`-family operators.

use wildmatch::WildMatch;

/// Whether `text` matches the wildcard `pattern`.
pub fn matches(pattern: &str, text: &str) -> bool {
    if !has_wildcards(pattern) {
        return pattern == text;
    }
    WildMatch::new(pattern).matches(text)
}

/// Whether `pattern` contains `*` or `?`.
pub fn has_wildcards(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn star_matches_any_run_including_none() {
        assert!(matches("nginx*", "nginx"));
        assert!(matches("nginx*", "nginx:1.25"));
        assert!(matches("*", ""));
        assert!(!matches("nginx*", "redis"));
    }

    #[test]
    fn question_mark_matches_exactly_one_character() {
        assert!(matches("?*", "a"));
        assert!(!matches("?*", ""));
        assert!(matches("v?", "v1"));
        assert!(!matches("v?", "v12"));
    }

    #[test]
    fn matching_is_case_sensitive_and_empty_matches_only_empty() {
        assert!(!matches("Pod", "pod"));
        assert!(matches("", ""));
        assert!(!matches("", "x"));
    }
}
