//! Decoding `data` and `binaryData` values as the API server does.
//!
//! Secret `data` and ConfigMap `binaryData` are `[]byte` fields, which Go's
//! `encoding/json` decodes with `base64.StdEncoding`: the standard alphabet,
//! padding required, carriage returns and line feeds skipped, and (the
//! encoding not being strict) non-zero trailing bits accepted.

use base64::Engine;
use base64::alphabet::STANDARD;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

const GO_STD_ENCODING: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// The bytes of a base64 value, or `None` when the API server would refuse it.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    GO_STD_ENCODING.decode(cleaned).ok()
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_like_go_std_encoding() {
        assert_eq!(decode("aHVudGVyMg==").as_deref(), Some(&b"hunter2"[..]));
        assert_eq!(decode("aHVu\r\ndGVyMg==").as_deref(), Some(&b"hunter2"[..]));
        assert_eq!(decode("").as_deref(), Some(&b""[..]));
        // Padding is required; URL-safe characters are not in the alphabet.
        assert_eq!(decode("aHVudGVyMg"), None);
        assert_eq!(decode("a-_b"), None);
        assert_eq!(decode("not base64!"), None);
        // Non-zero trailing bits are accepted (Go's non-strict decoding).
        assert_eq!(decode("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode("aGl=").as_deref(), Some(&b"hi"[..]));
    }
}
