//! Conversions between Palisade's value tree (`Node`, or plain JSON) and CEL
//! values, the way the API server hands unstructured objects to CEL: integers
//! stay `int`, other numbers are `double`, mappings are `map(string, dyn)`,
//! sequences are `list(dyn)` and JSON null is CEL `null`.

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::objects::{Key, Map};
use palisade_core::{Node, Value as NodeValue};

/// A `Node` tree as a CEL value.
pub fn node_to_cel(node: &Node) -> Value {
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Int(i) => Value::Int(*i),
        NodeValue::Float(f) => Value::Float(*f),
        NodeValue::String(s) => Value::String(Arc::new(s.to_string())),
        NodeValue::Seq(items) => Value::List(Arc::new(items.iter().map(node_to_cel).collect())),
        NodeValue::Map(map) => {
            let entries: HashMap<Key, Value> = map
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.name.to_string())), node_to_cel(v)))
                .collect();
            Value::Map(Map {
                map: Arc::new(entries),
            })
        }
    }
}

/// A JSON value as a CEL value. Numbers that fit an `i64` are `int` (as Go's
/// unstructured decoding gives `int64`), the rest `double`.
pub fn json_to_cel(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            // u64 beyond i64 and real numbers: Go's JSON decoding into
            // unstructured makes these float64 too.
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => {
            Value::List(Arc::new(items.iter().map(json_to_cel).collect()))
        }
        serde_json::Value::Object(map) => {
            let entries: HashMap<Key, Value> = map
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), json_to_cel(v)))
                .collect();
            Value::Map(Map {
                map: Arc::new(entries),
            })
        }
    }
}

/// A CEL value as JSON, for results (messages, audit annotation values, test
/// output). Values without a JSON form (types, functions, opaque library
/// values) become their debug text as a string, so nothing is lost silently.
pub fn cel_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::UInt(u) => serde_json::Value::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or_else(|| serde_json::Value::String(f.to_string())),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(cel_to_json).collect()),
        Value::Map(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map.map.iter() {
                let key = match k {
                    Key::String(s) => s.to_string(),
                    Key::Int(i) => i.to_string(),
                    Key::Uint(u) => u.to_string(),
                    Key::Bool(b) => b.to_string(),
                };
                out.insert(key, cel_to_json(v));
            }
            serde_json::Value::Object(out)
        }
        other => serde_json::Value::String(format!("{other:?}")),
    }
}

/// The CEL type name of a value, as cel-go prints it in error messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null_type",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::UInt(_) => "uint",
        Value::Float(_) => "double",
        Value::String(_) => "string",
        Value::Bytes(_) => "bytes",
        Value::List(_) => "list",
        Value::Map(_) => "map",
        Value::Duration(_) => "google.protobuf.Duration",
        Value::Timestamp(_) => "google.protobuf.Timestamp",
        Value::Function(..) => "function",
        Value::Opaque(_) => "opaque",
        Value::Struct(_) => "struct",
    }
}
