//! Rule patterns as every suppression and selection writes them: an exact rule
//! id (`pss/privileged`), or a prefix ending in `*` (`pss/*`, `rbac/esc-*`).
//! The same grammar as `--analyzers` and accept files, so a pattern means one
//! thing wherever it is written; the registry checks that it names a rule.

/// True when `pattern` covers the rule `id`.
pub fn matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// True when some pattern of `patterns` covers `id`.
pub fn any_matches<'a>(patterns: impl IntoIterator<Item = &'a str>, id: &str) -> bool {
    patterns.into_iter().any(|p| matches(p, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_ids_and_star_prefixes() {
        assert!(matches("pss/privileged", "pss/privileged"));
        assert!(!matches("pss/privileged", "pss/privileged2"));
        assert!(matches("pss/*", "pss/hostPath"));
        assert!(matches("rbac/esc-*", "rbac/esc-bind"));
        assert!(!matches("rbac/esc-*", "rbac/wl-create-pods"));
        assert!(any_matches(["x/a", "pss/*"], "pss/a"));
        assert!(!any_matches([], "pss/a"));
    }
}
