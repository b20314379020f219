//! `Equals` and `NotEquals` (Kyverno's `equal.go` and `notequal.go`): the
//! key's type decides. Numbers accept numbers and numeric strings; booleans
//! only booleans; maps and lists compare deeply. A string key is compared as
//! a duration when either side is one, else as a quantity when the key is one
//! and the value is a string, else the value is a wildcard pattern for the
//! key. `NotEquals` is not always the negation: Kyverno's handler answers
//! `false` for a quantity key against a string that is no quantity, and
//! `true` for most type mismatches.

use super::{duration_seconds, durations_of};
use crate::Json;
use crate::pattern::go_number;
use crate::pattern::quantity::Quantity;
use crate::wildcard;

/// `Equals`.
pub(super) fn equals(key: &Json, value: &Json) -> bool {
    match key {
        Json::Bool(flag) => value.as_bool() == Some(*flag),
        Json::Number(number) => number_equals(number.as_f64().unwrap_or(0.0), value) == Some(true),
        Json::String(text) => match string_comparison(text, value) {
            StringComparison::Decided(equal) => equal,
            StringComparison::UnparsableQuantity => false,
            StringComparison::NotComparable => false,
        },
        Json::Object(_) | Json::Array(_) => same_shape(key, value) && deep_equal(key, value, 0),
        Json::Null => false,
    }
}

/// `NotEquals`, with Kyverno's answers for mismatched types.
pub(super) fn not_equals(key: &Json, value: &Json) -> bool {
    match key {
        Json::Bool(flag) => value.as_bool() != Some(*flag),
        Json::Number(number) => number_equals(number.as_f64().unwrap_or(0.0), value) != Some(true),
        Json::String(text) => match string_comparison(text, value) {
            StringComparison::Decided(equal) => !equal,
            StringComparison::UnparsableQuantity => false,
            StringComparison::NotComparable => true,
        },
        Json::Object(_) | Json::Array(_) => !(same_shape(key, value) && deep_equal(key, value, 0)),
        Json::Null => false,
    }
}

/// A float key against a number or numeric string; `None` when the value is
/// neither.
fn number_equals(key: f64, value: &Json) -> Option<bool> {
    match value {
        Json::Number(number) => Some(number.as_f64() == Some(key)),
        Json::String(text) => go_number::parse_float(text).map(|parsed| parsed == key),
        _ => None,
    }
}

enum StringComparison {
    Decided(bool),
    /// The key is a quantity but the value string is not.
    UnparsableQuantity,
    /// The value is not a string and no duration applied.
    NotComparable,
}

fn string_comparison(key: &str, value: &Json) -> StringComparison {
    if let Some((key_nanos, value_nanos)) = durations_of(&Json::String(key.to_string()), value) {
        return StringComparison::Decided(
            duration_seconds(key_nanos) == duration_seconds(value_nanos),
        );
    }
    if let (Some(key_quantity), Json::String(text)) = (Quantity::parse(key), value) {
        return match Quantity::parse(text) {
            Some(value_quantity) => StringComparison::Decided(key_quantity == value_quantity),
            None => StringComparison::UnparsableQuantity,
        };
    }
    match value {
        Json::String(pattern) => StringComparison::Decided(wildcard::matches(pattern, key)),
        _ => StringComparison::NotComparable,
    }
}

fn same_shape(key: &Json, value: &Json) -> bool {
    matches!(
        (key, value),
        (Json::Object(_), Json::Object(_)) | (Json::Array(_), Json::Array(_))
    )
}

/// Go's `reflect.DeepEqual` on values decoded by `encoding/json`: numbers
/// are all `float64`, so `1` and `1.0` are equal.
pub(crate) fn deep_equal(left: &Json, right: &Json, depth: usize) -> bool {
    if depth > 512 {
        return false;
    }
    match (left, right) {
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| deep_equal(x, y, depth + 1))
        }
        (Json::Object(a), Json::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| deep_equal(x, y, depth + 1)))
        }
        _ => left == right,
    }
}

#[cfg(test)]
mod tests {
    use super::{equals, not_equals};
    use serde_json::json;

    #[test]
    fn strings_use_the_value_as_a_wildcard_pattern() {
        assert!(equals(&json!("CREATE"), &json!("CREATE")));
        assert!(equals(&json!("nginx:1.25"), &json!("nginx:*")));
        // The key is not a pattern: only the value's wildcards count.
        assert!(!equals(&json!("nginx:*"), &json!("nginx:1.25")));
        assert!(not_equals(&json!("DELETE"), &json!("CREATE")));
        // A string key against a non-string value.
        assert!(!equals(&json!("true"), &json!(true)));
        assert!(not_equals(&json!("true"), &json!(true)));
    }

    #[test]
    fn durations_compare_across_strings_and_seconds() {
        assert!(equals(&json!("1h"), &json!("60m")));
        assert!(equals(&json!("90s"), &json!(90)));
        assert!(not_equals(&json!("1h"), &json!("59m")));
    }

    #[test]
    fn quantities_compare_by_value() {
        assert!(equals(&json!("1Gi"), &json!("1024Mi")));
        assert!(equals(&json!("500m"), &json!("0.5")));
        assert!(not_equals(&json!("1Gi"), &json!("1G")));
        // Kyverno at this commit: an unparsable value is false both ways.
        assert!(!equals(&json!("1Gi"), &json!("lots")));
        assert!(!not_equals(&json!("1Gi"), &json!("lots")));
    }

    #[test]
    fn numbers_accept_numbers_and_numeric_strings() {
        assert!(equals(&json!(3), &json!(3.0)));
        assert!(equals(&json!(3), &json!("3")));
        assert!(!equals(&json!(3), &json!("three")));
        assert!(not_equals(&json!(3), &json!("three")));
        assert!(!equals(&json!(3), &json!(true)));
        assert!(not_equals(&json!(3), &json!(null)));
    }

    #[test]
    fn booleans_only_equal_booleans() {
        assert!(equals(&json!(true), &json!(true)));
        assert!(!equals(&json!(true), &json!("true")));
        assert!(not_equals(&json!(true), &json!("true")));
    }

    #[test]
    fn maps_and_lists_compare_deeply() {
        assert!(equals(&json!({"a": [1, "x"]}), &json!({"a": [1.0, "x"]})));
        assert!(!equals(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(equals(&json!([]), &json!([])));
        assert!(not_equals(&json!([1]), &json!("1")));
    }

    #[test]
    fn null_keys_are_false_both_ways() {
        assert!(!equals(&json!(null), &json!(null)));
        assert!(!not_equals(&json!(null), &json!("x")));
    }
}
