//! Building a [`Node`] tree straight from a serde data source (an admission
//! request's `object`), without an intermediate `serde_json::Value`.
//!
//! Positions are unknown (0:0): the source is a request body, not a file. Integers
//! that fit in `i64` stay integers and everything else numeric is a float, as in
//! [`Node::from_json`]. A repeated key is an error: the API server encodes the
//! objects it sends, so a repeat means a forged or broken request, and guessing
//! which value counts would let the two sides read different objects.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::node::{Key, Map, Node, Pos, Value};

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

fn node(value: Value) -> Node {
    Node::new(value, Pos::default())
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(node(Value::Null))
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(node(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(node(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(node(Value::Int(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(node(match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            // Beyond int64 the API server's decoder keeps a float64, as here.
            Err(_) => Value::Float(v as f64),
        }))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(node(Value::Float(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(node(Value::String(v.into())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(node(Value::String(v.into())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        // The hint comes from the input; cap it so a forged length allocates nothing.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(node(Value::Seq(items.into())))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(Key, Node)> =
            Vec::with_capacity(access.size_hint().unwrap_or(0).min(64));
        // Small mappings (nearly all of an object) are checked by a scan; a large
        // one gets a set, so a body of many keys costs linear time, not quadratic.
        let mut seen: Option<HashSet<String>> = None;
        while let Some(name) = access.next_key::<String>()? {
            let repeated = match &mut seen {
                Some(set) => !set.insert(name.clone()),
                None => {
                    let repeated = entries.iter().any(|(k, _)| k.name == name);
                    if entries.len() >= SCAN_LIMIT {
                        seen = Some(entries.iter().map(|(k, _)| k.name.to_string()).collect());
                        if let Some(set) = &mut seen {
                            set.insert(name.clone());
                        }
                    }
                    repeated
                }
            };
            if repeated {
                return Err(de::Error::custom(format_args!("duplicate key {name:?}")));
            }
            let value = access.next_value::<Node>()?;
            let key = Key::new(name, Pos::default());
            entries.push((key, value));
        }
        Ok(node(Value::Map(Map::from_unique_entries(entries))))
    }
}

/// Above this many keys a mapping's repeats are found with a set.
const SCAN_LIMIT: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_same_tree_as_from_json() {
        let text = r#"{"a":[null,true,-3,2.5,"s",{"n":{}}],"big":18446744073709551615}"#;
        let direct: Node = serde_json::from_str(text).unwrap();
        let via_value = Node::from_json(&serde_json::from_str(text).unwrap());
        assert_eq!(direct, via_value);
        assert_eq!(
            direct.get("big").map(|n| &n.value),
            Some(&Value::Float(18446744073709551615.0))
        );
    }

    #[test]
    fn a_repeated_key_is_an_error() {
        let error = serde_json::from_str::<Node>(r#"{"a":1,"b":{"c":1,"c":2}}"#).unwrap_err();
        assert!(error.to_string().contains("duplicate key \"c\""), "{error}");
    }

    #[test]
    fn a_key_repeated_in_a_large_mapping_is_found_too() {
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!("\"k{i}\":{i},"));
        }
        text.push_str("\"k7\":0}");
        let error = serde_json::from_str::<Node>(&text).unwrap_err();
        assert!(
            error.to_string().contains("duplicate key \"k7\""),
            "{error}"
        );
        let unique: Node = serde_json::from_str(&text.replace("\"k7\":0", "\"k100\":0")).unwrap();
        assert_eq!(unique.as_map().map(Map::len), Some(101));
    }

    #[test]
    fn nesting_beyond_serde_json_limit_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(serde_json::from_str::<Node>(&deep).is_err());
    }
}
