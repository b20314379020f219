//! `AnyIn`, `AllIn`, `AnyNotIn`, `AllNotIn` and the deprecated `In`/`NotIn`
//! (Kyverno's `anyin.go`, `allin.go`, `anynotin.go`, `allnotin.go`, `in.go`,
//! `notin.go`).
//!
//! The key is a scalar or a list; scalars are compared as Go `%v` text, so a
//! float key of one million is `1e+06`. Against a value list, membership is a
//! wildcard match in either direction (key as pattern or value as pattern). A
//! value string is a wildcard pattern, a numeric range such as `5000-6000`
//! (checked as a pattern range, so `AnyNotIn 5000-6000` holds when some key
//! is outside it), or a JSON array of strings; any other string is a
//! one-element list. A single key is compared exactly with the entries of
//! such a string; a list key matches them as wildcards either way, and may
//! also be checked against a number value. A value of any other type, a null
//! key or a map key makes all four operators false. With an empty key list
//! `AnyIn`/`AnyNotIn` are false and `AllIn`/`AllNotIn` true.
//!
//! `AllIn`/`AllNotIn` were read from an older Kyverno than the pinned one;
//! they are taken to mirror `AnyIn`/`AnyNotIn` (as the README describes), so
//! `AllNotIn` holds when no key is in the values.
//!
//! `In`/`NotIn` compare list keys by exact text and want strings; Kyverno
//! panics on a list key with other elements, which is an error here.

use crate::Json;
use crate::pattern::go_number::{self, NumberOrigin};
use crate::pattern::string_pattern::{self, Operator};
use crate::wildcard;

// The variants are named after the operators they implement.
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Membership {
    AnyIn,
    AllIn,
    AnyNotIn,
    AllNotIn,
}

fn text(value: &Json) -> String {
    go_number::sprint(value, NumberOrigin::Float64)
}

/// Whether two texts match as wildcards in either direction.
fn matches_either_way(a: &str, b: &str) -> bool {
    wildcard::matches(a, b) || wildcard::matches(b, a)
}

/// The candidate values of a value string that is neither a wildcard match
/// nor a range: a JSON array of strings, or the string itself. `None` when it
/// is JSON of another shape (Kyverno's "failed to unmarshal").
fn string_values(value: &str) -> Option<Vec<String>> {
    match serde_json::from_str::<Json>(value) {
        Ok(Json::Array(items)) => items
            .into_iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect(),
        Ok(_) => None,
        Err(_) => Some(vec![value.to_string()]),
    }
}

/// Whether one key text is inside the range written in `range`.
fn in_range(key: &str, range: &str) -> bool {
    string_pattern::matches(&Json::String(key.to_string()), range)
}

pub(super) fn evaluate(kind: Membership, key: &Json, value: &Json) -> bool {
    match key {
        Json::String(_) | Json::Number(_) | Json::Bool(_) => scalar_key(kind, &text(key), value),
        Json::Array(items) => {
            let keys: Vec<String> = items.iter().map(text).collect();
            list_key(kind, &keys, value)
        }
        Json::Null | Json::Object(_) => false,
    }
}

/// Kyverno's `anyKeyExistsInArray`/`allKeyExistsInArray`: for one key, a
/// value string is first a wildcard pattern, then a range, then a JSON list
/// or a single text compared exactly.
fn scalar_key(kind: Membership, key: &str, value: &Json) -> bool {
    let found = match value {
        Json::Array(items) => items
            .iter()
            .any(|item| matches_either_way(key, &text(item))),
        Json::String(pattern) => {
            if wildcard::matches(pattern, key) {
                true
            } else if string_pattern::operator_of(pattern) == Operator::InRange {
                in_range(key, pattern)
            } else {
                match string_values(pattern) {
                    Some(values) => values.iter().any(|v| v == key),
                    None => return false,
                }
            }
        }
        _ => return false,
    };
    match kind {
        Membership::AnyIn | Membership::AllIn => found,
        Membership::AnyNotIn | Membership::AllNotIn => !found,
    }
}

/// Kyverno's `anySetExistsInArray`/`allSetExistsInArray` for a list key.
fn list_key(kind: Membership, keys: &[String], value: &Json) -> bool {
    let values: Vec<String> = match value {
        Json::Array(items) => items.iter().map(text).collect(),
        Json::Number(_) => vec![text(value)],
        Json::String(pattern) => {
            if let [only] = keys
                && only == pattern
            {
                return matches!(kind, Membership::AnyIn | Membership::AllIn);
            }
            if string_pattern::operator_of(pattern) == Operator::InRange {
                return range_membership(kind, keys, pattern);
            }
            match string_values(pattern) {
                Some(values) => values,
                None => return false,
            }
        }
        _ => return false,
    };
    let is_member = |key: &String| values.iter().any(|v| matches_either_way(key, v));
    match kind {
        Membership::AnyIn => keys.iter().any(is_member),
        Membership::AllIn => keys.iter().all(is_member),
        Membership::AnyNotIn => keys.iter().any(|k| !is_member(k)),
        Membership::AllNotIn => keys.iter().all(|k| !is_member(k)),
    }
}

fn range_membership(kind: Membership, keys: &[String], range: &str) -> bool {
    match kind {
        Membership::AnyIn => keys.iter().any(|k| in_range(k, range)),
        Membership::AllIn => keys.iter().all(|k| in_range(k, range)),
        // Kyverno rewrites "lo-hi" to "lo!-hi" and asks for a key outside.
        Membership::AnyNotIn => {
            let outside = range.replacen('-', "!-", 1);
            keys.iter().any(|k| in_range(k, &outside))
        }
        Membership::AllNotIn => keys.iter().all(|k| !in_range(k, range)),
    }
}

/// The deprecated `In` (`negate` false) and `NotIn` (`negate` true).
pub(super) fn deprecated_in(key: &Json, value: &Json, negate: bool) -> Result<bool, String> {
    match key {
        Json::String(_) | Json::Number(_) => {
            let key = text(key);
            Ok(match scalar_in(&key, value) {
                Some(found) => found != negate,
                None => false,
            })
        }
        Json::Array(items) => {
            let keys = items
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    "In/NotIn: every element of a list key must be a string".to_string()
                })?;
            Ok(set_in(&keys, value, negate).unwrap_or(false))
        }
        _ => Ok(false),
    }
}

/// Kyverno's `keyExistsInArray`; `None` for a value of the wrong type.
fn scalar_in(key: &str, value: &Json) -> Option<bool> {
    match value {
        Json::Array(items) => Some(items.iter().map(text).any(|v| matches_either_way(key, &v))),
        Json::String(pattern) => {
            if wildcard::matches(pattern, key) {
                return Some(true);
            }
            let values: Vec<String> = serde_json::from_str(pattern).ok()?;
            Some(values.iter().any(|v| v == key))
        }
        _ => None,
    }
}

/// Kyverno's `setExistsInArray`: for `In` whether every key is in the
/// values, for `NotIn` whether some key is not; `None` for a value of the
/// wrong type.
fn set_in(keys: &[String], value: &Json, negate: bool) -> Option<bool> {
    let values: Vec<String> = match value {
        Json::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()?,
        Json::String(text) => {
            // Kyverno answers true here for NotIn as well.
            if let [only] = keys
                && only == text
            {
                return Some(true);
            }
            serde_json::from_str(text).ok()?
        }
        _ => return None,
    };
    let all_in = keys.iter().all(|k| values.contains(k));
    Some(if negate { !all_in } else { all_in })
}

#[cfg(test)]
mod tests {
    use super::{Membership, deprecated_in, evaluate};
    use crate::Json;
    use serde_json::json;

    fn any_in(key: Json, value: Json) -> bool {
        evaluate(Membership::AnyIn, &key, &value)
    }
    fn all_in(key: Json, value: Json) -> bool {
        evaluate(Membership::AllIn, &key, &value)
    }
    fn any_not_in(key: Json, value: Json) -> bool {
        evaluate(Membership::AnyNotIn, &key, &value)
    }
    fn all_not_in(key: Json, value: Json) -> bool {
        evaluate(Membership::AllNotIn, &key, &value)
    }

    #[test]
    fn any_in_matches_wildcards_both_ways() {
        // other/limit-hostpath-vols: request.operation AnyIn [CREATE, UPDATE].
        assert!(any_in(json!("CREATE"), json!(["CREATE", "UPDATE"])));
        assert!(!any_in(json!("DELETE"), json!(["CREATE", "UPDATE"])));
        assert!(any_in(json!("kube-system"), json!(["kube-*"])));
        assert!(any_in(json!("kube-*"), json!(["kube-system"])));
        assert!(any_in(json!(["a", "b"]), json!(["b"])));
        assert!(!any_in(json!(["a", "b"]), json!(["c"])));
    }

    #[test]
    fn numbers_are_compared_as_go_text() {
        assert!(any_in(json!(8080), json!([8080])));
        assert!(any_in(json!(8080), json!(["8080"])));
        // A float64 of one million prints as 1e+06 in Go.
        assert!(!any_in(json!(1000000), json!(["1000000"])));
        assert!(any_in(json!(1000000), json!(["1e+06"])));
        assert!(any_in(json!(true), json!(["true"])));
    }

    #[test]
    fn value_strings_are_patterns_ranges_or_json_lists() {
        assert!(any_in(json!("prod-eu"), json!("prod-*")));
        assert!(any_in(json!("a"), json!("[\"a\", \"b\"]")));
        assert!(any_in(json!(["b"]), json!("[\"a\", \"b\"]")));
        assert!(!any_in(json!("c"), json!("[\"a\", \"b\"]")));
        // JSON that is not a list of strings makes the condition false.
        assert!(!any_in(json!("1"), json!("[1, 2]")));
        assert!(!any_not_in(json!("1"), json!("[1, 2]")));
        assert!(any_in(json!(["x"]), json!("x")));
        assert!(!any_not_in(json!(["x"]), json!("x")));
        // A scalar key is compared exactly with the entries of a JSON list,
        // a list key as wildcards either way.
        assert!(!any_in(json!("a*"), json!("[\"abc\"]")));
        assert!(any_in(json!(["a*"]), json!("[\"abc\"]")));
        // A number value only counts for a list key.
        assert!(any_in(json!([5]), json!(5)));
        assert!(!any_in(json!(5), json!(5)));
    }

    #[test]
    fn numeric_ranges() {
        // pod-security/baseline/disallow-host-ports-range: AnyNotIn 5000-6000.
        assert!(!any_not_in(json!([5000, 5500]), json!("5000-6000")));
        assert!(any_not_in(json!([5000, 80]), json!("5000-6000")));
        assert!(any_not_in(json!(80), json!("5000-6000")));
        // A scalar key that is no number is "not in range" for AnyNotIn, but a
        // list key is only counted when it is below or above the range.
        assert!(any_not_in(json!("abc"), json!("5000-6000")));
        assert!(!any_not_in(json!(["abc"]), json!("5000-6000")));
        assert!(!any_not_in(json!(5500), json!("5000-6000")));
        assert!(any_in(json!([80, 5500]), json!("5000-6000")));
        assert!(!all_in(json!([80, 5500]), json!("5000-6000")));
        assert!(all_in(json!([5000, 6000]), json!("5000-6000")));
        assert!(all_not_in(json!([1, 2]), json!("5000-6000")));
        assert!(!all_not_in(json!([1, 5001]), json!("5000-6000")));
        // The second condition of that policy: AnyNotIn [0].
        assert!(any_not_in(json!([5000]), json!([0])));
        assert!(!any_not_in(json!([0, 0]), json!([0])));
    }

    #[test]
    fn all_in_and_all_not_in() {
        assert!(all_in(json!(["a", "b"]), json!(["a", "b", "c"])));
        assert!(!all_in(json!(["a", "d"]), json!(["a", "b", "c"])));
        assert!(all_not_in(json!(["x", "y"]), json!(["a", "b"])));
        assert!(!all_not_in(json!(["x", "a"]), json!(["a", "b"])));
        assert!(all_not_in(json!("x"), json!(["a"])));
        assert!(!all_not_in(json!("a"), json!(["a"])));
    }

    #[test]
    fn empty_and_null_keys() {
        assert!(!any_in(json!([]), json!(["a"])));
        assert!(!any_not_in(json!([]), json!(["a"])));
        assert!(all_in(json!([]), json!(["a"])));
        assert!(all_not_in(json!([]), json!(["a"])));
        for kind in [
            Membership::AnyIn,
            Membership::AllIn,
            Membership::AnyNotIn,
            Membership::AllNotIn,
        ] {
            assert!(!evaluate(kind, &Json::Null, &json!(["a"])), "{kind:?}");
            assert!(!evaluate(kind, &json!("a"), &json!(7)), "{kind:?}");
        }
    }

    #[test]
    fn deprecated_in_and_not_in() {
        assert_eq!(
            deprecated_in(&json!("a"), &json!(["a", "b"]), false),
            Ok(true)
        );
        assert_eq!(
            deprecated_in(&json!("c"), &json!(["a", "b"]), true),
            Ok(true)
        );
        assert_eq!(
            deprecated_in(&json!(["a", "b"]), &json!(["a", "b", "c"]), false),
            Ok(true)
        );
        // List keys compare by exact text.
        assert_eq!(
            deprecated_in(&json!(["a*"]), &json!(["ab"]), false),
            Ok(false)
        );
        assert_eq!(
            deprecated_in(&json!(["a", "z"]), &json!(["a"]), true),
            Ok(true)
        );
        assert_eq!(
            deprecated_in(&json!("a"), &json!("not json"), false),
            Ok(false)
        );
        assert!(deprecated_in(&json!([1]), &json!(["1"]), false).is_err());
    }
}
