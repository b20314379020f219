//! `GreaterThan`, `GreaterThanOrEquals`, `LessThan`, `LessThanOrEquals`
//! (Kyverno's `numeric.go`) and the deprecated `Duration*` operators
//! (`duration.go`).
//!
//! A number key compares with numbers, with a duration string (the number
//! being seconds) or with a numeric string. A string key is tried as a
//! duration (when either side is one), then as a quantity (when both are
//! strings: `"2Gi" > "1024Mi"`), then as a float, then as a semantic version
//! (`"1.10.0" > "1.9.2"`). Anything else is false.

use super::{duration_seconds, durations_of, seconds_as_duration};
use crate::Json;
use crate::pattern::duration as go_duration;
use crate::pattern::go_number;
use crate::pattern::quantity::Quantity;
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Order {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

impl Order {
    fn holds(self, ordering: Option<Ordering>) -> bool {
        match (self, ordering) {
            (_, None) => false,
            (Order::Greater, Some(o)) => o == Ordering::Greater,
            (Order::GreaterOrEqual, Some(o)) => o != Ordering::Less,
            (Order::Less, Some(o)) => o == Ordering::Less,
            (Order::LessOrEqual, Some(o)) => o != Ordering::Greater,
        }
    }

    /// Compares two floats as Go's `compareByCondition` does (NaN compares
    /// false with everything).
    fn floats(self, key: f64, value: f64) -> bool {
        self.holds(key.partial_cmp(&value))
    }
}

pub(super) fn compare(order: Order, key: &Json, value: &Json) -> bool {
    match key {
        Json::Number(number) => {
            compare_number_key(order, number.as_f64().unwrap_or(0.0), key, value)
        }
        Json::String(text) => compare_string_key(order, text, key, value),
        _ => false,
    }
}

fn compare_number_key(order: Order, key_number: f64, key: &Json, value: &Json) -> bool {
    match value {
        Json::Number(number) => order.floats(key_number, number.as_f64().unwrap_or(0.0)),
        Json::String(text) => {
            if let Some((k, v)) = durations_of(key, value) {
                return order.floats(duration_seconds(k), duration_seconds(v));
            }
            match go_number::parse_float(text) {
                Some(parsed) => order.floats(key_number, parsed),
                None => false,
            }
        }
        _ => false,
    }
}

fn compare_string_key(order: Order, text: &str, key: &Json, value: &Json) -> bool {
    if let Some((k, v)) = durations_of(key, value) {
        return order.floats(duration_seconds(k), duration_seconds(v));
    }
    if let Json::String(value_text) = value
        && let (Some(k), Some(v)) = (Quantity::parse(text), Quantity::parse(value_text))
    {
        return order.holds(Some(k.cmp(&v)));
    }
    if let Some(key_number) = go_number::parse_float(text) {
        return compare_number_key(order, key_number, key, value);
    }
    if let Ok(key_version) = semver::Version::parse(text) {
        return match value {
            Json::String(value_text) => match semver::Version::parse(value_text) {
                Ok(value_version) => order.holds(Some(key_version.cmp_precedence(&value_version))),
                Err(_) => false,
            },
            _ => false,
        };
    }
    false
}

/// The deprecated `DurationGreaterThan` family: both sides are durations,
/// strings parsed as Go durations (here `"0"` counts) and numbers as seconds.
pub(super) fn compare_durations(order: Order, key: &Json, value: &Json) -> bool {
    let as_duration = |operand: &Json| match operand {
        Json::String(text) => go_duration::parse(text),
        Json::Number(_) => seconds_as_duration(operand),
        _ => None,
    };
    match (as_duration(key), as_duration(value)) {
        (Some(k), Some(v)) => order.holds(Some(k.cmp(&v))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{Order, compare, compare_durations};
    use serde_json::json;

    #[test]
    fn numbers_and_numeric_strings() {
        // other/limit-containers-per-pod: length(...) GreaterThan "4".
        assert!(compare(Order::Greater, &json!(5), &json!("4")));
        assert!(!compare(Order::Greater, &json!(4), &json!("4")));
        assert!(compare(Order::GreaterOrEqual, &json!(3), &json!(3)));
        assert!(compare(Order::Less, &json!(0), &json!(1)));
        assert!(compare(Order::LessOrEqual, &json!("2.5"), &json!(2.5)));
        assert!(!compare(Order::Greater, &json!("many"), &json!(1)));
        assert!(!compare(Order::Greater, &json!(true), &json!(1)));
        assert!(!compare(Order::Greater, &json!(2), &json!(null)));
    }

    #[test]
    fn durations_come_first() {
        // other/block-stale-images: time_since(...) GreaterThan 4380h.
        assert!(compare(
            Order::Greater,
            &json!("5000h0m0s"),
            &json!("4380h")
        ));
        assert!(!compare(Order::Greater, &json!("1h"), &json!("4380h")));
        assert!(compare(Order::Greater, &json!(7200), &json!("1h")));
        assert!(compare(Order::LessOrEqual, &json!("1m"), &json!(60)));
    }

    #[test]
    fn quantities_then_floats_then_versions() {
        assert!(compare(Order::Greater, &json!("2Gi"), &json!("1024Mi")));
        assert!(compare(Order::LessOrEqual, &json!("1Gi"), &json!("1024Mi")));
        assert!(compare(Order::Less, &json!("100m"), &json!("1")));
        // A quantity key against a number falls through to the float reading.
        assert!(compare(Order::Greater, &json!("10"), &json!(9)));
        assert!(!compare(Order::Greater, &json!("1Gi"), &json!(9)));
        // other/ensure-production-matches-staging compares image tags as semver.
        assert!(compare(Order::Greater, &json!("1.10.0"), &json!("1.9.2")));
        assert!(compare(Order::Less, &json!("1.0.0-alpha"), &json!("1.0.0")));
        assert!(!compare(
            Order::Greater,
            &json!("1.0.0+build2"),
            &json!("1.0.0+build1")
        ));
        assert!(!compare(Order::Greater, &json!("1.2.3"), &json!("latest")));
        assert!(!compare(Order::Greater, &json!("v1.2.3"), &json!("v1.0.0")));
    }

    #[test]
    fn deprecated_duration_operators() {
        assert!(compare_durations(
            Order::Greater,
            &json!("2h"),
            &json!("90m")
        ));
        assert!(compare_durations(
            Order::GreaterOrEqual,
            &json!(60),
            &json!("1m")
        ));
        assert!(compare_durations(Order::Less, &json!("0"), &json!("1s")));
        assert!(!compare_durations(
            Order::Less,
            &json!("soon"),
            &json!("1s")
        ));
    }
}
