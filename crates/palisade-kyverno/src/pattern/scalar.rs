//! A leaf of a pattern checked against one resource value (Kyverno's
//! `pattern.Validate`): booleans must be equal booleans; numbers compare
//! numerically across integers, floats and numeric strings; `null` accepts a
//! missing value, `""`, `0` and `false`; a map pattern only asks for a map; a
//! string is a string pattern (see `string_pattern`); a list is never a leaf
//! pattern.
//!
//! Pattern numbers are Go `float64` (Kyverno decodes policies with
//! `encoding/json`), resource integers are `int64`, so `1` in a pattern
//! accepts `1`, `1.0` and `"1.0"` but not `1.5`.

use super::go_number::{self, GoNumber, NumberOrigin};
use super::string_pattern;
use crate::Json;

/// Whether `value` (null when missing) satisfies the leaf `pattern`.
pub fn validate(value: &Json, pattern: &Json) -> bool {
    match pattern {
        Json::Bool(expected) => value.as_bool() == Some(*expected),
        Json::Number(number) => validate_number(value, number.as_f64().unwrap_or(0.0)),
        Json::Null => validate_null(value),
        Json::Object(_) => value.is_object(),
        Json::String(text) => string_pattern::matches(value, text),
        Json::Array(_) => false,
    }
}

fn validate_number(value: &Json, expected: f64) -> bool {
    match value {
        Json::Number(number) => match GoNumber::of(number, NumberOrigin::Unstructured) {
            // Go converts the (integral) pattern to int64 and compares.
            GoNumber::Int(int) => expected.trunc() == expected && expected as i64 == int,
            GoNumber::Float(float) => float == expected,
        },
        Json::String(text) => go_number::parse_float(text) == Some(expected),
        _ => false,
    }
}

fn validate_null(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::Bool(flag) => !flag,
        Json::String(text) => text.is_empty(),
        Json::Number(number) => number.as_f64() == Some(0.0),
        Json::Array(_) | Json::Object(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::validate;
    use crate::Json;
    use serde_json::json;

    #[test]
    fn booleans_need_booleans() {
        // pod-security/disallow-privileged-containers: privileged: "false" is a
        // string pattern, but `false` as a bool pattern only accepts a bool.
        assert!(validate(&json!(false), &json!(false)));
        assert!(!validate(&json!("false"), &json!(false)));
        assert!(!validate(&Json::Null, &json!(false)));
        assert!(validate(&json!(false), &json!("false")));
    }

    #[test]
    fn numbers_compare_across_int_float_and_text() {
        assert!(validate(&json!(1), &json!(1)));
        assert!(validate(&json!(1.0), &json!(1)));
        assert!(validate(&json!("1.0"), &json!(1)));
        assert!(!validate(&json!(1), &json!(1.5)));
        assert!(validate(&json!(1.5), &json!(1.5)));
        assert!(!validate(&json!("x"), &json!(1)));
        assert!(!validate(&Json::Null, &json!(0)));
    }

    #[test]
    fn null_pattern_accepts_empty_values_only() {
        for empty in [Json::Null, json!(""), json!(0), json!(0.0), json!(false)] {
            assert!(validate(&empty, &Json::Null), "{empty}");
        }
        for full in [json!("x"), json!(1), json!(true), json!({}), json!([])] {
            assert!(!validate(&full, &Json::Null), "{full}");
        }
    }

    #[test]
    fn map_pattern_only_checks_the_type_and_lists_never_match() {
        assert!(validate(&json!({"a": 1}), &json!({"b": 2})));
        assert!(!validate(&json!("a"), &json!({})));
        assert!(!validate(&json!([1]), &json!([1])));
    }
}
