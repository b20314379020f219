//! Condition operators of `preconditions` and `deny` (Kyverno's
//! `pkg/engine/variables/operator`): one `key operator value` condition,
//! after the caller substituted `{{ }}` variables in key and value.
//!
//! Operator names are case-insensitive. `Equals`/`NotEquals` (and their
//! aliases `Equal`/`NotEqual`) are in [`equality`]; `AnyIn`, `AllIn`,
//! `AnyNotIn`, `AllNotIn` and the deprecated `In`/`NotIn` in [`membership`];
//! `GreaterThan`, `GreaterThanOrEquals`, `LessThan`, `LessThanOrEquals` and
//! the deprecated `Duration*` forms in [`ordering`].
//!
//! Kyverno decodes conditions with `encoding/json`, so every number is a Go
//! `float64` here, and numbers that become text are printed with Go's `%v`
//! (`1e+06` for one million).

mod equality;
mod membership;
mod ordering;

use crate::Json;
use crate::pattern::duration as go_duration;

/// Evaluates one condition after variable substitution: `operator` as written
/// in the policy (case-insensitive). An unknown operator is an error with
/// Kyverno's wording.
pub fn evaluate(operator: &str, key: &Json, value: &Json) -> Result<bool, String> {
    use membership::Membership;
    use ordering::Order;
    let name = operator.to_ascii_lowercase();
    Ok(match name.as_str() {
        "equal" | "equals" => equality::equals(key, value),
        "notequal" | "notequals" => equality::not_equals(key, value),
        "in" => membership::deprecated_in(key, value, false)?,
        "notin" => membership::deprecated_in(key, value, true)?,
        "anyin" => membership::evaluate(Membership::AnyIn, key, value),
        "allin" => membership::evaluate(Membership::AllIn, key, value),
        "anynotin" => membership::evaluate(Membership::AnyNotIn, key, value),
        "allnotin" => membership::evaluate(Membership::AllNotIn, key, value),
        "greaterthan" => ordering::compare(Order::Greater, key, value),
        "greaterthanorequals" => ordering::compare(Order::GreaterOrEqual, key, value),
        "lessthan" => ordering::compare(Order::Less, key, value),
        "lessthanorequals" => ordering::compare(Order::LessOrEqual, key, value),
        "durationgreaterthan" => ordering::compare_durations(Order::Greater, key, value),
        "durationgreaterthanorequals" => {
            ordering::compare_durations(Order::GreaterOrEqual, key, value)
        }
        "durationlessthan" => ordering::compare_durations(Order::Less, key, value),
        "durationlessthanorequals" => ordering::compare_durations(Order::LessOrEqual, key, value),
        // Kyverno formats a nil error with %w here, so the text ends oddly.
        _ => return Err("failed to create handler for condition operator: %!w(<nil>)".to_string()),
    })
}

/// Kyverno's `parseDuration` for two condition operands: at least one must be
/// a duration string other than `"0"`; the other may be one too, or a number
/// of seconds (a float is truncated to whole seconds first, as Go's
/// `time.Duration(f) * time.Second` does). Returns both in nanoseconds.
pub(crate) fn durations_of(key: &Json, value: &Json) -> Option<(i64, i64)> {
    let as_duration = |operand: &Json| match operand {
        Json::String(text) if text != "0" => go_duration::parse(text),
        _ => None,
    };
    let (key_duration, value_duration) = (as_duration(key), as_duration(value));
    if key_duration.is_none() && value_duration.is_none() {
        return None;
    }
    let key_duration = key_duration.or_else(|| seconds_as_duration(key))?;
    let value_duration = value_duration.or_else(|| seconds_as_duration(value))?;
    Some((key_duration, value_duration))
}

/// A number of seconds as a Go duration: `time.Duration(n) * time.Second`.
pub(crate) fn seconds_as_duration(operand: &Json) -> Option<i64> {
    let seconds = operand.as_f64()?;
    Some((seconds as i64).wrapping_mul(1_000_000_000))
}

/// Go's `Duration.Seconds()`, the float every duration comparison uses.
pub(crate) fn duration_seconds(nanos: i64) -> f64 {
    (nanos / 1_000_000_000) as f64 + (nanos % 1_000_000_000) as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operator_names_are_case_insensitive_with_aliases() {
        assert_eq!(evaluate("equals", &json!("a"), &json!("a")), Ok(true));
        assert_eq!(evaluate("EQUAL", &json!("a"), &json!("a")), Ok(true));
        assert_eq!(evaluate("NotEqual", &json!("a"), &json!("b")), Ok(true));
        assert_eq!(evaluate("anyin", &json!("a"), &json!(["a"])), Ok(true));
        assert_eq!(evaluate("GreaterThan", &json!(2), &json!(1)), Ok(true));
        assert_eq!(
            evaluate("DurationLessThan", &json!("1m"), &json!("1h")),
            Ok(true)
        );
    }

    #[test]
    fn unknown_operators_are_errors_in_kyvernos_words() {
        assert_eq!(
            evaluate("Exists", &json!("a"), &json!("a")),
            Err("failed to create handler for condition operator: %!w(<nil>)".to_string())
        );
    }

    #[test]
    fn durations_need_one_duration_string_besides_zero() {
        assert_eq!(
            durations_of(&json!("1h"), &json!("30m")),
            Some((3_600_000_000_000, 1_800_000_000_000))
        );
        assert_eq!(
            durations_of(&json!("1m"), &json!(90)),
            Some((60_000_000_000, 90_000_000_000))
        );
        // A float number of seconds is truncated first.
        assert_eq!(
            durations_of(&json!(1.9), &json!("1s")),
            Some((1_000_000_000, 1_000_000_000))
        );
        assert_eq!(durations_of(&json!("0"), &json!(5)), None);
        assert_eq!(durations_of(&json!("5"), &json!("6")), None);
        assert_eq!(durations_of(&json!("1h"), &json!(true)), None);
        assert_eq!(duration_seconds(1_500_000_000), 1.5);
    }
}
