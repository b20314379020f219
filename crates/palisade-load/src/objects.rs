//! From a document's root to Kubernetes objects, with kubectl's builder rules.
//!
//! kubectl's unstructured decoder treats *any* mapping with an `items` key as a
//! list (whatever its `kind`), and the builder flattens lists breadth-first into
//! their items. Items that carry neither `kind` nor `apiVersion` inherit the list's
//! kind without its `List` suffix and the list's `apiVersion`; after that each item
//! needs both. A top-level object only needs a `kind`: `kubectl` (even
//! `apply`) fills the version from the server's preferred one, so a missing
//! `apiVersion` is accepted there too. A `null` document is skipped.

use std::collections::VecDeque;
use std::sync::Arc;

use super::build::BuildError;
use palisade_core::node::{Key, Map, Node, Value};
use palisade_core::object::{Object, SourceRef};

/// Go's name for a JSON value's type, as `encoding/json` errors spell it.
fn go_type(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

fn text<'a>(map: &'a Map, key: &str) -> &'a str {
    map.get(key).and_then(Node::as_str).unwrap_or("")
}

/// True when `schema.ParseGroupVersion` accepts the apiVersion (at most one `/`);
/// otherwise kubectl's unstructured object reports no kind at all.
fn version_parses(api_version: &str) -> bool {
    api_version.bytes().filter(|&b| b == b'/').count() <= 1
}

fn missing_kind(node: &Node) -> BuildError {
    BuildError::new(
        node.pos,
        "Object 'Kind' is missing in this document (kubectl: unable to decode: a manifest needs a string `kind`)",
    )
}

/// Appends the objects one document yields (none for `null`).
pub(crate) fn expand(root: Node, file: &Arc<str>, out: &mut Vec<Object>) -> Result<(), BuildError> {
    let map = match &root.value {
        Value::Null => return Ok(()),
        Value::Map(map) => map,
        _ => {
            return Err(BuildError::new(
                root.pos,
                format!(
                    "json: cannot unmarshal {} into Go value of type unstructured.detector (a document must be a mapping)",
                    go_type(&root)
                ),
            ));
        }
    };
    let kind_ok = !text(map, "kind").is_empty() && version_parses(text(map, "apiVersion"));
    if !map.contains_key("items") {
        if !kind_ok {
            return Err(missing_kind(&root));
        }
        let pos = root.pos;
        out.push(Object::new(
            root,
            SourceRef {
                file: file.clone(),
                pos,
            },
        ));
        return Ok(());
    }
    let list_kind = text(map, "kind").to_owned();
    let list_version = text(map, "apiVersion").to_owned();
    let item_kind = list_kind
        .strip_suffix("List")
        .unwrap_or(&list_kind)
        .to_owned();
    let (root_pos, mut root) = (root.pos, root);
    let items = root.as_map_mut().and_then(|m| m.remove("items"));
    let items = match items {
        None => Vec::new(),
        Some(Node {
            value: Value::Null, ..
        }) => Vec::new(),
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => items.into_vec(),
        Some(other) => {
            return Err(BuildError::new(
                other.pos,
                format!(
                    "json: cannot unmarshal {} into Go struct field decodeList.items of type []json.RawMessage",
                    go_type(&other)
                ),
            ));
        }
    };
    if !kind_ok {
        return Err(BuildError::new(
            root_pos,
            "Object 'Kind' is missing in this list (kubectl: unable to decode)",
        ));
    }
    let mut queue: VecDeque<Node> = items.into();
    while let Some(item) = queue.pop_front() {
        let mut item = match item.value {
            Value::Null => Node::new(Value::Map(Map::new()), item.pos),
            Value::Map(_) => item,
            _ => {
                return Err(BuildError::new(
                    item.pos,
                    format!(
                        "json: cannot unmarshal {} into Go value of type map[string]interface{{}} (a list item must be a mapping)",
                        go_type(&item)
                    ),
                ));
            }
        };
        let pos = item.pos;
        let Some(map) = item.as_map_mut() else {
            continue;
        };
        if matches!(map.get("items").map(|n| &n.value), Some(Value::Seq(_))) {
            return Err(BuildError::new(
                pos,
                "*unstructured.Unstructured is not a list: no Items field in this object (kubectl cannot flatten a list nested in a list)",
            ));
        }
        if text(map, "kind").is_empty() && text(map, "apiVersion").is_empty() {
            map.insert(
                Key {
                    name: "apiVersion".into(),
                    pos,
                },
                Node::new(Value::String(list_version.as_str().into()), pos),
            );
            map.insert(
                Key {
                    name: "kind".into(),
                    pos,
                },
                Node::new(Value::String(item_kind.as_str().into()), pos),
            );
        }
        if text(map, "kind").is_empty() {
            return Err(BuildError::new(
                pos,
                "Object 'Kind' is missing in a list item ('object has no kind field')",
            ));
        }
        if text(map, "apiVersion").is_empty() {
            return Err(BuildError::new(
                pos,
                "Object 'apiVersion' is missing in a list item ('object has no apiVersion field')",
            ));
        }
        out.push(Object::new(
            item,
            SourceRef {
                file: file.clone(),
                pos,
            },
        ));
    }
    Ok(())
}
