//! Conversions between Palisade's `Node` tree and regorus values.
//!
//! Objects go to the engine once per review and are shared (regorus values are
//! reference-counted), so converting directly from `Node` avoids a JSON round
//! trip for every template.

use std::collections::BTreeMap;

use palisade_core::Node;
use palisade_core::node::Value as NodeValue;
use regorus::Value;

/// The regorus value of a node (JSON data model: integers stay integers).
pub fn to_rego(node: &Node) -> Value {
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Int(i) => Value::from(*i),
        NodeValue::Float(f) => Value::from(*f),
        NodeValue::String(s) => Value::from(s.as_str()),
        NodeValue::Seq(items) => Value::from(items.iter().map(to_rego).collect::<Vec<_>>()),
        NodeValue::Map(map) => object(
            map.iter()
                .map(|(key, value)| (key.name.as_str(), to_rego(value))),
        ),
    }
}

/// An object from string keys and values (a later duplicate key wins).
///
/// Collected into a `BTreeMap` first: std builds it in bulk from the sorted
/// entries, where regorus's `Object` would insert them one by one; the value
/// is then stored in regorus's compact sorted form either way.
pub fn object<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    Value::from(
        entries
            .into_iter()
            .map(|(key, value)| (Value::from(key), value))
            .collect::<BTreeMap<Value, Value>>(),
    )
}

/// The value under `key` of an object, `None` when absent or not an object.
pub fn field<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.as_object().ok()?.get(&Value::from(key))
}

/// JSON text of a value for messages and reports (sets become arrays).
pub fn to_json(value: &Value) -> serde_json::Value {
    value
        .to_json_str()
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(serde_json::Value::Null)
}
