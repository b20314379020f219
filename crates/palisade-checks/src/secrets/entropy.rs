//! Whether a string looks like a random token: long, drawn from a base64 or
//! hex alphabet, with high Shannon entropy. Used only where a key name already
//! suggests a secret, because many harmless strings (hashes, ids, digests)
//! look random too.

/// Shortest base64-alphabet string judged; shorter ones are too short for
/// entropy to mean much.
const MIN_BASE64_LENGTH: usize = 20;
/// Shortest hex string judged (a 128-bit value).
const MIN_HEX_LENGTH: usize = 32;
/// Bits per character above which a base64-alphabet string counts as random.
/// A random 20-character base64 string scores about 4.0; English words and
/// identifiers in camel or snake case mostly stay below 3.5.
const BASE64_THRESHOLD: f64 = 3.5;
/// Bits per character for hex strings (at most 4); random 32-digit hex scores about 3.6.
const HEX_THRESHOLD: f64 = 3.0;

/// Shannon entropy in bits per byte.
pub(crate) fn shannon(text: &str) -> f64 {
    let mut counts = [0usize; 256];
    for byte in text.bytes() {
        counts[usize::from(byte)] += 1;
    }
    let length = text.len() as f64;
    counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = n as f64 / length;
            -p * p.log2()
        })
        .sum()
}

/// True for a high-entropy base64, base64url or hex token.
///
/// Entropy alone does not tell a 25-character token from a 25-character
/// name (`my-application-config-2024` scores 3.9 bits per character, about
/// what a random token of that length does), so base64-alphabet strings must
/// also hold a long run of letters and digits that switches between lower
/// case, upper case and digits often, as random text does and words do not.
pub(crate) fn looks_random(text: &str) -> bool {
    let is_hex = text.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex {
        return text.len() >= MIN_HEX_LENGTH && shannon(text) >= HEX_THRESHOLD;
    }
    let base64_alphabet = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'));
    base64_alphabet
        && text.len() >= MIN_BASE64_LENGTH
        && shannon(text) >= BASE64_THRESHOLD
        && text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(mixes_like_random)
}

/// Longest run of letters and digits judged as random, and how often (one
/// position in this many, at most) its character class must change.
const MIN_RUN: usize = 16;
const CHANGE_EVERY: usize = 5;

/// A run of letters and digits whose character class (lower, upper, digit)
/// changes at least once every [`CHANGE_EVERY`] characters.
fn mixes_like_random(run: &str) -> bool {
    fn class(b: u8) -> u8 {
        match b {
            b'a'..=b'z' => 0,
            b'A'..=b'Z' => 1,
            _ => 2,
        }
    }
    let bytes = run.as_bytes();
    let changes = bytes
        .windows(2)
        .filter(|w| class(w[0]) != class(w[1]))
        .count();
    bytes.len() >= MIN_RUN && changes * CHANGE_EVERY >= bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon("aaaa"), 0.0);
        assert!((shannon("abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn random_tokens_and_ordinary_strings() {
        assert!(looks_random("q8Zr2LmX0vT7pK4nW9sB1cY6"));
        assert!(looks_random("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"));
        assert!(!looks_random("my-application-config-2024"));
        assert!(!looks_random("abc123"));
        assert!(!looks_random("00000000000000000000000000000000"));
        assert!(!looks_random("this is not a token at all 42"));
        assert!(!looks_random("prometheus-operator-v0-68-0"));
        assert!(!looks_random("kubernetes_io_service_account1"));
        assert!(!looks_random("PrometheusOperatorConfiguration"));
    }
}
