//! Value checks behind `schema/invalid-value`: the formats Kubernetes' Go
//! types check while decoding (quantities, base64 `[]byte`, RFC 3339 times),
//! enum membership, and how values are shown in messages.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use palisade_core::{Node, Value};

/// apimachinery's message for a string that is not a quantity.
const QUANTITY_SYNTAX: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// Checks a quantity string as `resource.ParseQuantity` reads it after
/// `Quantity.UnmarshalJSON` trims spaces: an optional sign, digits with at
/// most one point, then a suffix (`n u m k M G T P E`, `Ki`…`Ei`, or `e`/`E`
/// and a signed exponent). Hand-written rather than a regex: the grammar is
/// apimachinery's own scanner, whose accepted set (`1.`, `.5`, `+`) differs
/// from the regular expression its error message quotes; the exact value is
/// not needed here, only whether decoding succeeds.
pub fn quantity(text: &str) -> Result<(), String> {
    let text = text.trim_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}']);
    let refuse = || Err(format!("{:?}: {QUANTITY_SYNTAX}", text));
    if text.is_empty() {
        return refuse();
    }
    let bytes = text.as_bytes();
    let mut pos = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let digits = |pos: &mut usize| {
        while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
            *pos += 1;
        }
    };
    digits(&mut pos);
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        digits(&mut pos);
    }
    let suffix = &text[pos..];
    let known = matches!(
        suffix,
        "" | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
            | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
    ) || suffix
        .strip_prefix(['e', 'E'])
        .map(|exponent| exponent.strip_prefix(['+', '-']).unwrap_or(exponent))
        .is_some_and(|exponent| {
            !exponent.is_empty()
                && exponent.len() <= 18
                && exponent.bytes().all(|b| b.is_ascii_digit())
        });
    if known { Ok(()) } else { refuse() }
}

/// Checks a `[]byte` field's text as Go's `encoding/json` decodes it:
/// standard base64 with padding (`base64.StdEncoding`, which skips line breaks
/// and accepts non-zero trailing bits).
pub fn base64(text: &str) -> Result<(), String> {
    const GO_STD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
            .with_decode_allow_trailing_bits(true),
    );
    let stripped: String;
    let text = if text.contains(['\r', '\n']) {
        stripped = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        &stripped
    } else {
        text
    };
    use base64::DecodeError;
    GO_STD.decode(text).map(|_| ()).map_err(|e| match e {
        // Go's CorruptInputError names the offset of the first bad byte.
        DecodeError::InvalidByte(at, _) | DecodeError::InvalidLastSymbol(at, _) => {
            format!("not base64: illegal base64 data at input byte {at}")
        }
        DecodeError::InvalidLength(at) => {
            format!("not base64: illegal base64 data at input byte {at}")
        }
        DecodeError::InvalidPadding => "not base64: illegal base64 data (padding)".to_owned(),
    })
}

/// Checks a `metav1.Time` text: RFC 3339 as Go's `time.Parse(time.RFC3339, …)`
/// reads it (`2024-05-01T10:00:00Z`, an offset instead of `Z`, optional
/// fractional seconds; a `T` separator, which chrono also requires).
pub fn date_time(text: &str) -> Result<(), String> {
    if text.contains(['t', 'z', ' ']) {
        return Err(format!(
            "{text:?} is not an RFC 3339 time (e.g. 2024-05-01T10:00:00Z)"
        ));
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|_| ())
        .map_err(|e| format!("{text:?} is not an RFC 3339 time ({e})"))
}

/// JSON equality between a tree value and an enum entry (numbers by value).
pub fn equals(node: &Node, json: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (&node.value, json) {
        (Value::Null, J::Null) => true,
        (Value::Bool(a), J::Bool(b)) => a == b,
        (Value::String(a), J::String(b)) => a == b,
        (Value::Int(a), J::Number(b)) => b.as_i64() == Some(*a) || b.as_f64() == Some(*a as f64),
        (Value::Float(a), J::Number(b)) => b.as_f64() == Some(*a),
        (Value::Seq(a), J::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equals(x, y))
        }
        (Value::Map(a), J::Object(b)) => {
            a.len() == b.len()
                && b.iter()
                    .all(|(k, v)| a.get(k).is_some_and(|x| equals(x, v)))
        }
        _ => false,
    }
}

/// A scalar as a message quotes it (strings in quotes, cut at 60 characters),
/// or the JSON type of a collection.
pub fn shown(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) if s.chars().count() > 60 => {
            format!("{:?}…", s.chars().take(60).collect::<String>())
        }
        Value::String(s) => format!("{s:?}"),
        Value::Seq(_) => "an array".into(),
        Value::Map(_) => "an object".into(),
    }
}

/// The JSON type of a value with the value itself for scalars: `string "true"`.
pub fn described(node: &Node) -> String {
    match &node.value {
        Value::Seq(_) => "array".into(),
        Value::Map(_) => "object".into(),
        Value::Bool(_) => format!("boolean {}", shown(node)),
        Value::Int(_) | Value::Float(_) => format!("number {}", shown(node)),
        Value::String(_) => format!("string {}", shown(node)),
        Value::Null => "null".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_follow_apimachinery() {
        for ok in [
            "2", "500m", "1.5Gi", " 2 ", "1e3", "1E-2", ".5", "1.", "+1", "-1k", "0",
        ] {
            assert_eq!(quantity(ok), Ok(()), "{ok}");
        }
        for bad in ["2 cores", "", "1GB", "1.2.3", "1e", "abc", "1ki"] {
            assert!(quantity(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base64_is_go_std_encoding() {
        assert!(base64("aGVsbG8=").is_ok());
        assert!(base64("aGVs\nbG8=").is_ok());
        assert!(base64("").is_ok());
        assert!(base64("aGVsbG8").is_err(), "padding is required");
        assert!(base64("not base64!").is_err());
    }

    #[test]
    fn times_are_rfc3339() {
        assert!(date_time("2024-05-01T10:00:00Z").is_ok());
        assert!(date_time("2024-05-01T10:00:00.5+02:00").is_ok());
        assert!(date_time("2024-05-01").is_err());
        assert!(date_time("2024-05-01t10:00:00z").is_err());
        assert!(date_time("yesterday").is_err());
    }
}
