//! How a secret value appears in a finding: never in full.
//!
//! Findings travel to CI logs, SARIF uploads and bug reports, the very places
//! the rules warn about, so a message shows only enough to find the value
//! again: its first four characters when the value is long enough that four
//! characters give little away (a provider prefix such as `ghp_` or `AKIA`),
//! and its length.

/// Values shorter than this show only their length.
const SHOW_PREFIX_FROM: usize = 16;
/// How many leading characters a long value shows.
const PREFIX: usize = 4;

/// `"ghp_…" (40 chars)` or `8 chars`.
pub(crate) fn redact(secret: &str) -> String {
    let length = secret.chars().count();
    if length < SHOW_PREFIX_FROM {
        return format!("{length} chars");
    }
    let prefix: String = secret.chars().take(PREFIX).collect();
    format!("\"{}…\" ({length} chars)", prefix.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn short_values_show_only_their_length() {
        assert_eq!(redact("hunter2"), "7 chars");
        assert_eq!(redact("ünïcødé"), "7 chars");
    }

    #[test]
    fn long_values_show_four_characters_and_length() {
        let token = format!("ghp_{}", "a1B2".repeat(9));
        assert_eq!(redact(&token), "\"ghp_…\" (40 chars)");
        assert!(!redact(&token).contains(&token[..8]));
    }
}
