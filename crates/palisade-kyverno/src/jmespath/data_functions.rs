//! Kyverno's data functions: `parse_json`, `parse_yaml`, `lookup`, `items`,
//! `object_from_lists`, `label_match` and `semver_compare` (blang/semver
//! ranges: `>=1.2.0 <2.0.0 || 3.x`).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use jmespath::{Rcvar, Runtime, Variable};
use semver::Version;

use super::convert::{json_to_variable, number_variable};
use super::runtime::{Arg, Outcome, arg, define, function_error, string_arg, text_of};
use crate::Json;

pub(super) fn register(runtime: &mut Runtime) {
    define(runtime, "parse_json", vec![Arg::String], |args| {
        let text = string_arg(args, 0, "parse_json")?;
        let value: Json = serde_json::from_str(text).map_err(|error| error.to_string())?;
        to_variable(&value)
    });
    define(runtime, "parse_yaml", vec![Arg::String], |args| {
        let text = string_arg(args, 0, "parse_yaml")?;
        let value: Json = yaml_serde::from_str(text)
            .map_err(|error| format!("error converting YAML to JSON: {error}"))?;
        to_variable(&value)
    });
    define(
        runtime,
        "lookup",
        vec![
            Arg::Union(vec![Arg::Object, Arg::Array]),
            Arg::Union(vec![Arg::String, Arg::Number]),
        ],
        lookup,
    );
    define(
        runtime,
        "items",
        vec![
            Arg::Union(vec![Arg::Object, Arg::Array]),
            Arg::String,
            Arg::String,
        ],
        items,
    );
    define(
        runtime,
        "object_from_lists",
        vec![Arg::Array, Arg::Array],
        object_from_lists,
    );
    define(
        runtime,
        "label_match",
        vec![Arg::Object, Arg::Object],
        label_match,
    );
    define(
        runtime,
        "semver_compare",
        vec![Arg::String, Arg::String],
        |args| {
            let version = string_arg(args, 0, "semver_compare")?;
            let range = string_arg(args, 1, "semver_compare")?;
            // blang/semver's Parse error is ignored by Kyverno: the zero version is compared.
            let version = Version::parse(version).unwrap_or_else(|_| Version::new(0, 0, 0));
            let matched = range_matches(range, &version)
                .map_err(|error| function_error("semver_compare", error))?;
            Ok(Variable::Bool(matched))
        },
    );
}

fn to_variable(value: &Json) -> Outcome {
    json_to_variable(value)
        .map(|variable| (*variable).clone())
        .map_err(|error| error.message)
}

fn lookup(args: &[Rcvar]) -> Outcome {
    match (arg(args, 0, "lookup")?, arg(args, 1, "lookup")?) {
        (Variable::Object(map), key) => {
            let Variable::String(key) = key else {
                return Err(function_error(
                    "lookup",
                    "2 argument is expected of String type",
                ));
            };
            Ok(map
                .get(key)
                .map_or(Variable::Null, |value| (**value).clone()))
        }
        (Variable::Array(items), key) => {
            let Variable::Number(key) = key else {
                return Err(function_error(
                    "lookup",
                    "2 argument is expected of Number type",
                ));
            };
            let key = key.as_f64().unwrap_or(f64::NAN);
            let index = key as i64;
            if index as f64 != key {
                return Err(format!(
                    "JMESPath function 'lookup': argument #2: expected an integer number but got: {key}"
                ));
            }
            Ok(usize::try_from(index)
                .ok()
                .and_then(|i| items.get(i))
                .map_or(Variable::Null, |value| (**value).clone()))
        }
        _ => Err(function_error(
            "lookup",
            "1 argument is expected of Object or Array type",
        )),
    }
}

/// `items(map, keyName, valueName)`: `[{keyName: key, valueName: value}]`,
/// keys sorted; on an array the key is the index.
fn items(args: &[Rcvar]) -> Outcome {
    let key_name = string_arg(args, 1, "items")?;
    let value_name = string_arg(args, 2, "items")?;
    let pair = |key: Variable, value: &Rcvar| {
        let mut entry = BTreeMap::new();
        entry.insert(key_name.to_owned(), Rcvar::new(key));
        entry.insert(value_name.to_owned(), value.clone());
        Rcvar::new(Variable::Object(entry))
    };
    match arg(args, 0, "items")? {
        Variable::Object(map) => Ok(Variable::Array(
            map.iter()
                .map(|(key, value)| pair(Variable::String(key.clone()), value))
                .collect(),
        )),
        Variable::Array(values) => Ok(Variable::Array(
            values
                .iter()
                .enumerate()
                .map(|(index, value)| pair(number_variable(index as f64), value))
                .collect(),
        )),
        _ => Err(function_error(
            "items",
            "1 argument is expected of Object or Array type",
        )),
    }
}

/// `object_from_lists(keys, values)`: keys as text (numbers in float32 form),
/// a missing value is null.
fn object_from_lists(args: &[Rcvar]) -> Outcome {
    let (Variable::Array(keys), Variable::Array(values)) = (
        arg(args, 0, "object_from_lists")?,
        arg(args, 1, "object_from_lists")?,
    ) else {
        return Err(function_error(
            "object_from_lists",
            "1 argument is expected of Array type",
        ));
    };
    let mut object = BTreeMap::new();
    for (index, key) in keys.iter().enumerate() {
        let key = text_of(key).ok_or_else(|| {
            function_error(
                "object_from_lists",
                "1 argument is expected of StringArray type",
            )
        })?;
        let value = values
            .get(index)
            .cloned()
            .unwrap_or_else(|| Rcvar::new(Variable::Null));
        object.insert(key, value);
    }
    Ok(Variable::Object(object))
}

/// `label_match(selector, labels)`: every selector entry is in `labels` with
/// an equal value.
fn label_match(args: &[Rcvar]) -> Outcome {
    let (Variable::Object(selector), Variable::Object(labels)) =
        (arg(args, 0, "label_match")?, arg(args, 1, "label_match")?)
    else {
        return Err(function_error(
            "label_match",
            "0 argument is expected of Object type",
        ));
    };
    Ok(Variable::Bool(selector.iter().all(|(key, value)| {
        labels.get(key).is_some_and(|actual| actual == value)
    })))
}

/// Whether `version` is in the blang/semver `range`: `||`-separated
/// alternatives of space-separated comparators (`>=1.2.0`, `!1.3.0`, `1.2.x`).
fn range_matches(range: &str, version: &Version) -> Result<bool, String> {
    let mut any = false;
    for alternative in range.split("||") {
        let comparators: Vec<&str> = alternative.split_whitespace().collect();
        if comparators.is_empty() {
            return Err(format!("Could not get version from string: \"{range}\""));
        }
        let mut all = true;
        for comparator in comparators {
            all &= comparator_matches(comparator, version)?;
        }
        any |= all;
    }
    Ok(any)
}

fn comparator_matches(comparator: &str, version: &Version) -> Result<bool, String> {
    let operators = [">=", "<=", "!=", "==", ">", "<", "=", "!"];
    let (operator, text) = operators
        .iter()
        .find_map(|op| comparator.strip_prefix(op).map(|rest| (*op, rest)))
        .unwrap_or(("", comparator));
    let (low, wildcard_high) = parse_range_version(text)?;
    let order = version.cmp_precedence(&low);
    Ok(match (operator, wildcard_high) {
        ("" | "=" | "==", None) => order == Ordering::Equal,
        ("!" | "!=", None) => order != Ordering::Equal,
        (">", None) => order == Ordering::Greater,
        (">=", None) => order != Ordering::Less,
        ("<", None) => order == Ordering::Less,
        ("<=", None) => order != Ordering::Greater,
        // A wildcard version stands for the range [low, high).
        ("" | "=" | "==", Some(high)) => {
            order != Ordering::Less && version.cmp_precedence(&high) == Ordering::Less
        }
        ("!" | "!=", Some(high)) => {
            order == Ordering::Less || version.cmp_precedence(&high) != Ordering::Less
        }
        (">", Some(high)) => version.cmp_precedence(&high) != Ordering::Less,
        (">=", Some(_)) => order != Ordering::Less,
        ("<", Some(_)) => order == Ordering::Less,
        (_, Some(high)) => version.cmp_precedence(&high) == Ordering::Less,
        _ => false,
    })
}

/// A range version: exact (`1.2.3`), or with a wildcard (`1.2.x`, `1.x`,
/// `1.*`), which gives the lower bound and the exclusive upper bound.
fn parse_range_version(text: &str) -> Result<(Version, Option<Version>), String> {
    let invalid = || format!("Could not parse Range \"{text}\"");
    let parts: Vec<&str> = text.split('.').collect();
    let is_wild = |part: &str| matches!(part, "x" | "X" | "*");
    let number = |part: &str| part.parse::<u64>().map_err(|_| invalid());
    match parts.as_slice() {
        [major, minor, patch] if is_wild(patch) && !is_wild(minor) => {
            let (major, minor) = (number(major)?, number(minor)?);
            Ok((
                Version::new(major, minor, 0),
                Some(Version::new(major, minor.saturating_add(1), 0)),
            ))
        }
        [major, minor, ..] | [major, minor] if is_wild(minor) => {
            let major = number(major)?;
            Ok((
                Version::new(major, 0, 0),
                Some(Version::new(major.saturating_add(1), 0, 0)),
            ))
        }
        _ => Version::parse(text)
            .map(|v| (v, None))
            .map_err(|_| invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(version: &str, range: &str) -> bool {
        range_matches(
            range,
            &Version::parse(version).unwrap_or(Version::new(0, 0, 0)),
        )
        .unwrap_or(false)
    }

    #[test]
    fn blang_ranges() {
        assert!(matches("1.5.0", ">=1.2.0 <2.0.0"));
        assert!(!matches("2.0.0", ">=1.2.0 <2.0.0"));
        assert!(matches("3.1.0", "<2.0.0 || >=3.0.0"));
        assert!(matches("1.2.7", "1.2.x"));
        assert!(!matches("1.3.0", "1.2.x"));
        assert!(matches("1.3.0", "!1.2.3"));
        assert!(matches("1.2.3", "1.2.3"));
        assert!(range_matches("", &Version::new(1, 0, 0)).is_err());
    }
}
