//! Conversion between serde_json values and the `jmespath` crate's variables,
//! with the number normalisation described in the module doc (Kyverno holds
//! every number as a float64, so a whole float is the same value as an
//! integer) and a nesting bound, so hostile input fails instead of
//! overflowing the stack.

use std::collections::BTreeMap;

use jmespath::{Rcvar, Variable};
use serde_json::Number;

use super::JmesError;
use crate::Json;

/// Deepest nesting converted; Kubernetes objects stay far below it.
pub(crate) const MAX_DEPTH: usize = 512;

/// Largest magnitude below which every whole float64 is exact (2^53).
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Converts a JSON value into a shared JMESPath variable.
pub(crate) fn json_to_variable(value: &Json) -> Result<Rcvar, JmesError> {
    to_variable(value, 0).map(Rcvar::new)
}

fn to_variable(value: &Json, depth: usize) -> Result<Variable, JmesError> {
    if depth > MAX_DEPTH {
        return Err(JmesError::new(format!(
            "value nested deeper than {MAX_DEPTH} levels"
        )));
    }
    Ok(match value {
        Json::Null => Variable::Null,
        Json::Bool(b) => Variable::Bool(*b),
        Json::Number(n) => normalize_json_number(n),
        Json::String(s) => Variable::String(s.clone()),
        Json::Array(items) => Variable::Array(
            items
                .iter()
                .map(|item| to_variable(item, depth + 1).map(Rcvar::new))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(map) => {
            let mut converted = BTreeMap::new();
            for (key, item) in map {
                converted.insert(key.clone(), Rcvar::new(to_variable(item, depth + 1)?));
            }
            Variable::Object(converted)
        }
    })
}

fn normalize_json_number(n: &Number) -> Variable {
    if n.is_f64() {
        n.as_f64().map_or(Variable::Null, number_variable)
    } else {
        Variable::Number(n.clone())
    }
}

/// A float as a JMESPath number: whole values as integers, non-finite values
/// (which JSON cannot hold) as null.
pub(crate) fn number_variable(value: f64) -> Variable {
    match number_json(value) {
        Json::Number(n) => Variable::Number(n),
        _ => Variable::Null,
    }
}

/// A float as a JSON number, whole values as integers.
pub(crate) fn number_json(value: f64) -> Json {
    if value.fract() == 0.0 && value.abs() < EXACT_INTEGER_LIMIT {
        // In range and whole, so the cast is exact.
        return Json::Number(Number::from(value as i64));
    }
    Number::from_f64(value).map_or(Json::Null, Json::Number)
}

/// Converts a JMESPath variable back to JSON. Expression references (which
/// only a bare `&expr` produces) become null.
pub(crate) fn variable_to_json(value: &Variable) -> Json {
    to_json(value, 0)
}

fn to_json(value: &Variable, depth: usize) -> Json {
    // Variables are built from bounded input, literals and function results;
    // the guard only keeps a pathological function result from recursing
    // without limit.
    if depth > 4 * MAX_DEPTH {
        return Json::Null;
    }
    match value {
        Variable::Null | Variable::Expref(_) => Json::Null,
        Variable::Bool(b) => Json::Bool(*b),
        Variable::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => number_json(f),
            _ => Json::Number(n.clone()),
        },
        Variable::String(s) => Json::String(s.clone()),
        Variable::Array(items) => {
            Json::Array(items.iter().map(|item| to_json(item, depth + 1)).collect())
        }
        Variable::Object(map) => Json::Object(
            map.iter()
                .map(|(key, item)| (key.clone(), to_json(item, depth + 1)))
                .collect(),
        ),
    }
}
