//! The value tree every analyzer reads: JSON-shaped data in which every node
//! remembers where it stood in its source file.
//!
//! Analyzers work on this tree rather than on typed Kubernetes structs because a
//! scanner must see what typed decoding hides: unknown and misspelled fields,
//! values of the wrong type, and the line each one came from.
//!
//! The tree is the bulk of a run's memory (a scan holds every object of the
//! input at once), so its types are kept small: a [`Node`] is 32 bytes, a
//! mapping entry 48. String values of up to 24 bytes (nearly all of them in
//! Kubernetes manifests) live inline, without an allocation of their own, and
//! a key's name is a pointer to one copy shared by every key of that name
//! ([`crate::key_name`]). Collections are boxed slices, allocated once at their final size. The
//! sizes are pinned by a test.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::key_name::{KeyName, key_name};

/// The string type of keys and string values: 24 bytes, holding strings of up
/// to 24 bytes inline, longer ones on the heap. It dereferences to `str`, so
/// `&node_string[..]`, `s.as_str()`, `s == "text"` and `s.len()` read as for
/// `String`; build one with `.into()` from `&str` or `String`.
pub use compact_str::CompactString;

/// A 1-based line and column in a source file. `Pos::default()` (0:0) means
/// "no position known", as for objects built in memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }

    /// True when this position points somewhere in a file.
    pub fn is_known(&self) -> bool {
        self.line > 0
    }

    /// `:line:col` to follow a file name, or nothing when the position is unknown.
    pub fn place(&self) -> String {
        if self.is_known() {
            format!(":{}:{}", self.line, self.col)
        } else {
            String::new()
        }
    }
}

/// One value of the tree, with the position of its first character.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

/// The JSON data model, as kubectl hands an object to the API server:
/// integers that fit in 64 bits stay integers, everything else numeric is a float.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(CompactString),
    /// A sequence: a boxed slice (build one with `vec.into()`).
    Seq(Box<[Node]>),
    Map(Map),
}

/// A mapping key with its own position (findings about a key point at the key).
/// The name is shared with every other key of that name (see [`key_name`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: KeyName,
    pub pos: Pos,
}

impl Key {
    pub fn new(name: impl AsRef<str>, pos: Pos) -> Key {
        Key {
            name: key_name(name.as_ref()),
            pos,
        }
    }
}

/// An ordered mapping with unique keys. Lookup is linear: Kubernetes objects have
/// small mappings, and a vector keeps source order and costs less than a hash map.
/// The entries are a boxed slice (16 bytes, no spare capacity; `None` when
/// empty, so that `Map::new` stays `const`): trees are built once and then
/// read, so the rare [`insert`](Map::insert) of a new key or
/// [`remove`](Map::remove) pays a reallocation instead of every mapping paying
/// for a growable vector.
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: Option<Box<[(Key, Node)]>>,
}

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.entries() == other.entries()
    }
}

impl Map {
    pub const fn new() -> Self {
        Map { entries: None }
    }

    /// An empty mapping. The capacity is a hint kept for source compatibility:
    /// entries are stored at their exact count.
    pub const fn with_capacity(_n: usize) -> Self {
        Map::new()
    }

    fn entries(&self) -> &[(Key, Node)] {
        self.entries.as_deref().unwrap_or_default()
    }

    fn entries_mut(&mut self) -> &mut [(Key, Node)] {
        self.entries.as_deref_mut().unwrap_or_default()
    }

    /// Replaces the entries through a vector (for the rare change of length).
    fn edit<T>(&mut self, change: impl FnOnce(&mut Vec<(Key, Node)>) -> T) -> T {
        let mut entries = self.entries.take().map(<[_]>::into_vec).unwrap_or_default();
        let out = change(&mut entries);
        *self = Map::from_unique_entries(entries);
        out
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries_mut()
            .iter_mut()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    pub fn get_entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.entries()
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, v)| (k, v))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Inserts or replaces. A replaced entry keeps its place in the order and takes
    /// the new key's position; the old value is returned.
    pub fn insert(&mut self, key: Key, value: Node) -> Option<Node> {
        if let Some(slot) = self
            .entries_mut()
            .iter_mut()
            .find(|(k, _)| k.name == key.name)
        {
            slot.0 = key;
            return Some(std::mem::replace(&mut slot.1, value));
        }
        self.edit(|entries| entries.push((key, value)));
        None
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let at = self.entries().iter().position(|(k, _)| k.name == key)?;
        Some(self.edit(|entries| entries.remove(at).1))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Key, &Node)> {
        self.entries().iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries().iter().map(|(k, _)| k.name.as_str())
    }

    /// Wraps entries whose names the caller has already made unique (the loader
    /// indexes large mappings itself instead of paying `insert`'s linear search).
    /// With a repeated name, `get` finds the first entry: callers that cannot
    /// promise uniqueness use `insert`.
    pub fn from_unique_entries(entries: impl Into<Box<[(Key, Node)]>>) -> Map {
        let entries: Box<[(Key, Node)]> = entries.into();
        Map {
            entries: (!entries.is_empty()).then_some(entries),
        }
    }

    /// The entries in order, by value (the loader uses it to apply `<<` merges).
    pub fn into_entries(self) -> Vec<(Key, Node)> {
        self.entries.map(<[_]>::into_vec).unwrap_or_default()
    }
}

impl Node {
    pub fn new(value: Value, pos: Pos) -> Self {
        Node { value, pos }
    }

    /// The member `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.get(key),
            _ => None,
        }
    }

    /// Follows a path of mapping keys: `node.path(&["spec", "template", "spec"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Integers, and floats with an exact integral value (JSON has one number type;
    /// `1e3` is the integer 1000 to the API server).
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => {
                Some(f as i64)
            }
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Items of a sequence; an absent or non-sequence node yields none.
    pub fn items(&self) -> std::slice::Iter<'_, Node> {
        self.as_seq().unwrap_or(&[]).iter()
    }

    /// The items of a `[]string` field as the API server decodes them: a string is
    /// itself and a `null` item is `""` (Go's zero value), so `apiGroups: [~]` is
    /// the core group and `capabilities.add: [~]` adds `""`. Items of any other
    /// type make the API server refuse the object; until schema validation
    /// reports them, they are left out. Each item comes with its node, for
    /// positions.
    pub fn go_strings(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.items().filter_map(|item| match &item.value {
            Value::String(s) => Some((s.as_str(), item)),
            Value::Null => Some(("", item)),
            _ => None,
        })
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match &mut self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A short name for the node's type, for messages: "string", "mapping", ...
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }

    /// Builds a tree from JSON; every position is unknown.
    pub fn from_json(json: &serde_json::Value) -> Node {
        let value = match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::String(s.as_str().into()),
            serde_json::Value::Array(a) => Value::Seq(a.iter().map(Node::from_json).collect()),
            // A JSON object's keys are unique already.
            serde_json::Value::Object(o) => Value::Map(Map::from_unique_entries(
                o.iter()
                    .map(|(k, v)| (Key::new(k.as_str(), Pos::default()), Node::from_json(v)))
                    .collect::<Box<[_]>>(),
            )),
        };
        Node::new(value, Pos::default())
    }

    /// The tree as JSON, dropping positions.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(m) => serde_json::Value::Object(
                m.iter()
                    .map(|(k, v)| (k.name.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Serializes as plain JSON (positions are not part of the data).
impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.value {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::String(v) => s.serialize_str(v),
            Value::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    map.serialize_entry(k.name.as_str(), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_follows_mappings_and_stops_at_other_types() {
        let node = Node::from_json(&serde_json::json!({"a": {"b": [1]}, "c": "x"}));
        assert_eq!(
            node.path(&["a", "b"])
                .and_then(Node::as_seq)
                .map(<[Node]>::len),
            Some(1)
        );
        assert!(node.path(&["c", "d"]).is_none());
        assert!(node.path(&["missing"]).is_none());
    }

    #[test]
    fn insert_replaces_in_place_and_returns_the_old_value() {
        let mut map = Map::new();
        let key = |name: &str, line| Key {
            name: name.into(),
            pos: Pos::new(line, 1),
        };
        map.insert(key("a", 1), Node::new(Value::Int(1), Pos::new(1, 4)));
        map.insert(key("b", 2), Node::new(Value::Int(2), Pos::new(2, 4)));
        let old = map.insert(key("a", 3), Node::new(Value::Int(3), Pos::new(3, 4)));
        assert_eq!(old.map(|n| n.value), Some(Value::Int(1)));
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(map.get_entry("a").map(|(k, _)| k.pos.line), Some(3));
    }

    #[test]
    fn integral_floats_read_as_integers() {
        assert_eq!(
            Node::new(Value::Float(1000.0), Pos::default()).as_i64(),
            Some(1000)
        );
        assert_eq!(Node::new(Value::Float(1.5), Pos::default()).as_i64(), None);
    }

    /// The tree's footprint is most of a scan's peak memory; these sizes are
    /// what the memory figures in the README rest on.
    #[test]
    fn tree_types_keep_their_compact_sizes() {
        use std::mem::size_of;
        assert_eq!(size_of::<CompactString>(), 24);
        assert_eq!(size_of::<Value>(), 24);
        assert_eq!(size_of::<Node>(), 32);
        assert_eq!(size_of::<KeyName>(), 8);
        assert_eq!(size_of::<Key>(), 16);
        assert_eq!(size_of::<(Key, Node)>(), 48);
        assert_eq!(size_of::<Map>(), 16);
    }

    #[test]
    fn short_strings_are_inline_and_long_ones_survive_intact() {
        let short = CompactString::from("allowPrivilegeEscalation");
        assert!(!short.is_heap_allocated());
        let long = "kubectl.kubernetes.io/last-applied-configuration";
        let node = Node::new(Value::String(long.into()), Pos::default());
        assert_eq!(node.as_str(), Some(long));
    }

    #[test]
    fn remove_and_insert_of_a_new_key_keep_order() {
        let mut map = Map::new();
        for (line, name) in ["a", "b", "c"].into_iter().enumerate() {
            map.insert(
                Key::new(name, Pos::new(line as u32 + 1, 1)),
                Node::new(Value::Null, Pos::default()),
            );
        }
        assert!(map.remove("b").is_some());
        assert!(map.remove("b").is_none());
        map.insert(
            Key::new("d", Pos::new(9, 1)),
            Node::new(Value::Bool(true), Pos::default()),
        );
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "c", "d"]);
        assert_eq!(map.get("d").and_then(Node::as_bool), Some(true));
    }

    #[test]
    fn json_round_trip_keeps_data() {
        let json = serde_json::json!({"k": [null, true, -3, 2.5, "s", {"n": {}}]});
        let node = Node::from_json(&json);
        assert_eq!(node.to_json(), json);
        assert_eq!(serde_json::to_value(&node).ok(), Some(json));
    }
}
