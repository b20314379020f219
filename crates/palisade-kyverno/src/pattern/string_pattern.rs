//! String patterns (`pkg/engine/pattern/pattern.go` and
//! `pkg/engine/operator`): `a | b` (any), `a & b` (all), each part trimmed,
//! then an optional operator `>=`, `<=`, `>`, `<`, `!` or a range `lo-hi` /
//! `lo!-hi`. Each comparison tries a Go duration, then a Kubernetes quantity,
//! and for `=`/`!` only falls back to a wildcard match on the value's text.
//! A missing value counts as `"0"` for durations and quantities, so `"<5"`
//! holds for an absent field.

use super::go_number::{self, GoNumber, NumberOrigin};
use super::quantity::Quantity;
use crate::Json;
use palisade_core::go_duration;
use std::cmp::Ordering;

/// The comparison a pattern part asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operator {
    Equal,
    NotEqual,
    More,
    Less,
    MoreEqual,
    LessEqual,
    InRange,
    NotInRange,
}

impl Operator {
    /// Length of the operator's prefix in the pattern text.
    fn prefix_len(self) -> usize {
        match self {
            Operator::MoreEqual | Operator::LessEqual => 2,
            Operator::More | Operator::Less | Operator::NotEqual => 1,
            Operator::Equal | Operator::InRange | Operator::NotInRange => 0,
        }
    }

    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Operator::Equal => ordering == Ordering::Equal,
            Operator::NotEqual => ordering != Ordering::Equal,
            Operator::More => ordering == Ordering::Greater,
            Operator::Less => ordering == Ordering::Less,
            Operator::MoreEqual => ordering != Ordering::Less,
            Operator::LessEqual => ordering != Ordering::Greater,
            Operator::InRange | Operator::NotInRange => false,
        }
    }
}

/// Kyverno's `GetOperatorFromStringPattern`: prefixes first (texts shorter
/// than two characters are always equality), then the range forms.
pub(crate) fn operator_of(pattern: &str) -> Operator {
    if pattern.len() < 2 {
        return Operator::Equal;
    }
    for (prefix, operator) in [
        (">=", Operator::MoreEqual),
        ("<=", Operator::LessEqual),
        (">", Operator::More),
        ("<", Operator::Less),
        ("!", Operator::NotEqual),
    ] {
        if pattern.starts_with(prefix) {
            return operator;
        }
    }
    if split_range(pattern, "!-").is_some() {
        return Operator::NotInRange;
    }
    if split_range(pattern, "-").is_some() {
        return Operator::InRange;
    }
    Operator::Equal
}

/// Length of one range endpoint at the start of `text`, as Kyverno's range
/// regex reads it: `[-|+]?\d+(\.\d+)?[A-Za-z]*`.
fn endpoint_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = usize::from(matches!(bytes.first(), Some(b'-' | b'|' | b'+')));
    let digits_start = pos;
    while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    if pos == digits_start {
        return None;
    }
    if bytes.get(pos) == Some(&b'.') && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit) {
        pos += 1;
        while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
    }
    while bytes.get(pos).is_some_and(u8::is_ascii_alphabetic) {
        pos += 1;
    }
    Some(pos)
}

/// Splits `lo<separator>hi` when the whole text is such a range.
pub(crate) fn split_range<'a>(pattern: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    let left_len = endpoint_len(pattern)?;
    let (left, rest) = pattern.split_at(left_len);
    let right = rest.strip_prefix(separator)?;
    (endpoint_len(right)? == right.len()).then_some((left, right))
}

/// Whether `value` (null when the field is missing) satisfies a string pattern.
pub(crate) fn matches(value: &Json, pattern: &str) -> bool {
    if value.as_str() == Some(pattern) {
        return true;
    }
    pattern.split('|').any(|alternative| {
        alternative
            .trim_matches(' ')
            .split('&')
            .all(|part| matches_part(value, part.trim_matches(' ')))
    })
}

fn matches_part(value: &Json, pattern: &str) -> bool {
    match operator_of(pattern) {
        Operator::InRange => match split_range(pattern, "-") {
            Some((low, high)) => {
                matches_part(value, &format!(">= {low}"))
                    && matches_part(value, &format!("<= {high}"))
            }
            None => false,
        },
        Operator::NotInRange => match split_range(pattern, "!-") {
            Some((low, high)) => {
                matches_part(value, &format!("< {low}"))
                    || matches_part(value, &format!("> {high}"))
            }
            None => false,
        },
        operator => {
            let operand = pattern.get(operator.prefix_len()..).unwrap_or("").trim();
            compare(value, operand, operator)
        }
    }
}

fn compare(value: &Json, operand: &str, operator: Operator) -> bool {
    if let Some(result) = compare_durations(value, operand, operator) {
        return result;
    }
    if let Some(result) = compare_quantities(value, operand, operator) {
        return result;
    }
    compare_text(value, operand, operator)
}

/// Kyverno's `convertNumberToString`: how a value is read as a duration or a
/// quantity. A missing value is `"0"`.
fn numeric_text(value: &Json) -> Option<String> {
    match value {
        Json::Null => Some("0".to_string()),
        Json::String(text) => Some(text.clone()),
        Json::Number(number) => Some(match GoNumber::of(number, NumberOrigin::Unstructured) {
            GoNumber::Int(int) => int.to_string(),
            GoNumber::Float(float) => go_number::format_float_f(float),
        }),
        _ => None,
    }
}

fn compare_durations(value: &Json, operand: &str, operator: Operator) -> Option<bool> {
    let expected = go_duration::parse(operand)?;
    let actual = go_duration::parse(&numeric_text(value)?)?;
    Some(operator.holds(actual.cmp(&expected)))
}

fn compare_quantities(value: &Json, operand: &str, operator: Operator) -> Option<bool> {
    let expected = Quantity::parse(operand)?;
    let actual = Quantity::parse(&numeric_text(value)?)?;
    Some(operator.holds(actual.cmp(&expected)))
}

/// Kyverno's `compareString`: only `=` and `!` apply, as a wildcard match
/// on the value's text (floats in `%E` form); null never matches either way.
fn compare_text(value: &Json, operand: &str, operator: Operator) -> bool {
    if !matches!(operator, Operator::Equal | Operator::NotEqual) {
        return false;
    }
    let text = match value {
        Json::String(text) => text.clone(),
        Json::Bool(flag) => flag.to_string(),
        Json::Number(number) => match GoNumber::of(number, NumberOrigin::Unstructured) {
            GoNumber::Int(int) => int.to_string(),
            GoNumber::Float(float) => go_number::format_float_upper_e(float),
        },
        _ => return false,
    };
    let matched = crate::wildcard::matches(operand, &text);
    if operator == Operator::NotEqual {
        !matched
    } else {
        matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operators_are_read_like_kyverno() {
        assert_eq!(operator_of(">=1"), Operator::MoreEqual);
        assert_eq!(operator_of("<=1"), Operator::LessEqual);
        assert_eq!(operator_of(">1"), Operator::More);
        assert_eq!(operator_of("<1"), Operator::Less);
        assert_eq!(operator_of("!x"), Operator::NotEqual);
        assert_eq!(operator_of("1-5"), Operator::InRange);
        assert_eq!(operator_of("1Gi-2Gi"), Operator::InRange);
        assert_eq!(operator_of("1!-5"), Operator::NotInRange);
        assert_eq!(operator_of("-1--5"), Operator::InRange);
        // Single characters are always equality, and "a-b" of words is no range.
        assert_eq!(operator_of(">"), Operator::Equal);
        assert_eq!(operator_of("foo-bar"), Operator::Equal);
        assert_eq!(operator_of("1.-5"), Operator::Equal);
    }

    #[test]
    fn exact_or_and_trimming() {
        assert!(matches(&json!("a|b"), "a|b"));
        assert!(matches(&json!("b"), "a | b"));
        assert!(!matches(&json!("c"), "a | b"));
        // pod-security/restrict-seccomp-strict: "RuntimeDefault | Localhost".
        assert!(matches(&json!("Localhost"), "RuntimeDefault | Localhost"));
        assert!(matches(&json!("cache"), "!credential-socket&!istio-data"));
        assert!(!matches(
            &json!("istio-data"),
            "!credential-socket & !istio-data"
        ));
    }

    #[test]
    fn ordering_operators_use_durations_then_quantities() {
        assert!(matches(&json!(1000), ">0"));
        assert!(!matches(&json!(0), ">0"));
        assert!(matches(&json!("1Gi"), "<2Gi"));
        assert!(!matches(&json!("3Gi"), "<2Gi"));
        assert!(matches(&json!("90s"), ">1m"));
        assert!(matches(&json!("2048Mi"), "<=2Gi"));
        assert!(matches(&json!(1.5), ">=1.5"));
        // Ordering operators on words are false.
        assert!(!matches(&json!("b"), ">a"));
    }

    #[test]
    fn missing_value_counts_as_zero() {
        assert!(matches(&Json::Null, "<5"));
        assert!(!matches(&Json::Null, ">0"));
        assert!(matches(&Json::Null, "0"));
        assert!(matches(&Json::Null, "<1h"));
        // For the wildcard comparison a missing value matches nothing, even "!x".
        assert!(!matches(&Json::Null, "!x"));
    }

    #[test]
    fn ranges_are_inclusive_and_not_in_range_is_outside() {
        assert!(matches(&json!(5000), "5000-6000"));
        assert!(matches(&json!("6000"), "5000-6000"));
        assert!(!matches(&json!(6001), "5000-6000"));
        assert!(matches(&json!(6001), "5000!-6000"));
        assert!(!matches(&json!(5500), "5000!-6000"));
        assert!(matches(&json!("1.5Gi"), "1Gi-2Gi"));
    }

    #[test]
    fn not_equal_and_wildcards_on_text() {
        assert!(matches(&json!("nginx:1.25"), "!*:latest"));
        assert!(!matches(&json!("nginx:latest"), "!*:latest"));
        assert!(matches(&json!(true), "true"));
        assert!(matches(&json!(false), "!true"));
        // Floats are matched in Go's %E form, so "8*" matches 80.5 as 8.05E+01.
        assert!(matches(&json!(80.5), "8.05E*"));
        assert!(matches(&json!(80), "8*"));
        assert!(matches(&json!(""), ""));
        assert!(!matches(&json!(""), "?*"));
        assert!(matches(&json!(7), "?*"));
    }
}
