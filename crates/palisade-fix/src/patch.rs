//! What a fix changes in one object, as data: entries added to existing
//! mappings, items appended to existing sequences, booleans replaced. The same
//! changes are applied twice, once as text edits to the file and once to the
//! loaded tree, and the file's new reading must equal the patched tree.

use palisade_core::{Key, Node, Pos, Value};

/// One step from an object's root to a node.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path from an object's root.
pub type Path = Vec<Seg>;

/// A value a fix writes. Strings are plain words that need no quoting in YAML
/// (`ALL`, `RuntimeDefault`); JSON quotes them.
#[derive(Clone, Debug, PartialEq)]
pub enum NewValue {
    Bool(bool),
    Word(&'static str),
    List(Vec<&'static str>),
    Map(Vec<(&'static str, NewValue)>),
}

impl NewValue {
    /// The value as a tree node (positions unknown).
    pub fn to_node(&self) -> Node {
        let value = match self {
            NewValue::Bool(b) => Value::Bool(*b),
            NewValue::Word(w) => Value::String((*w).into()),
            NewValue::List(items) => Value::Seq(
                items
                    .iter()
                    .map(|w| Node::new(Value::String((*w).into()), Pos::default()))
                    .collect(),
            ),
            NewValue::Map(entries) => {
                let mut map = palisade_core::Map::new();
                for (k, v) in entries {
                    map.insert(key(k), v.to_node());
                }
                Value::Map(map)
            }
        };
        Node::new(value, Pos::default())
    }
}

/// A change to an existing node, found by its path.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// New entries at the end of an existing mapping.
    Insert {
        at: Path,
        entries: Vec<(&'static str, NewValue)>,
    },
    /// A new item at the end of an existing sequence of strings.
    Append { at: Path, item: &'static str },
    /// An existing boolean given the other value (`--unsafe` only).
    SetBool { at: Path, value: bool },
}

impl Change {
    pub fn path(&self) -> &Path {
        match self {
            Change::Insert { at, .. } | Change::Append { at, .. } | Change::SetBool { at, .. } => {
                at
            }
        }
    }
}

/// The changes to one object, merged so that each node is edited once: two
/// fixes that both need a container's missing `securityContext` write one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Patch {
    pub changes: Vec<Change>,
}

impl Patch {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Adds `key: value` to the mapping at `at`, merging with entries already
    /// planned there (a planned mapping gains the new keys it lacks).
    pub fn insert(&mut self, at: Path, key: &'static str, value: NewValue) {
        for change in &mut self.changes {
            if let Change::Insert { at: there, entries } = change
                && *there == at
            {
                merge_entry(entries, key, value);
                return;
            }
        }
        self.changes.push(Change::Insert {
            at,
            entries: vec![(key, value)],
        });
    }

    pub fn append(&mut self, at: Path, item: &'static str) {
        let change = Change::Append { at, item };
        if !self.changes.contains(&change) {
            self.changes.push(change);
        }
    }

    pub fn set_bool(&mut self, at: Path, value: bool) {
        let change = Change::SetBool { at, value };
        if !self.changes.contains(&change) {
            self.changes.push(change);
        }
    }

    /// The object's tree with the changes made: what the edited file must read as.
    pub fn apply_to(&self, root: &Node) -> Option<Node> {
        let mut root = root.clone();
        for change in &self.changes {
            let node = node_at_mut(&mut root, change.path())?;
            match change {
                Change::Insert { entries, .. } => {
                    let map = node.as_map_mut()?;
                    for (k, v) in entries {
                        if map.contains_key(k) {
                            return None;
                        }
                        map.insert(key(k), v.to_node());
                    }
                }
                Change::Append { item, .. } => match &mut node.value {
                    Value::Seq(items) => {
                        // Sequences are boxed slices (the compact tree): grow a copy.
                        let mut grown = std::mem::take(items).into_vec();
                        grown.push(Node::new(Value::String((*item).into()), Pos::default()));
                        *items = grown.into();
                    }
                    _ => return None,
                },
                Change::SetBool { value, .. } => match &mut node.value {
                    Value::Bool(b) => *b = *value,
                    _ => return None,
                },
            }
        }
        Some(root)
    }
}

fn merge_entry(entries: &mut Vec<(&'static str, NewValue)>, key: &'static str, value: NewValue) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some((_, NewValue::Map(existing))) => {
            if let NewValue::Map(more) = value {
                for (k, v) in more {
                    merge_entry(existing, k, v);
                }
            }
        }
        Some(_) => {}
        None => entries.push((key, value)),
    }
}

fn key(name: &str) -> Key {
    Key {
        name: name.into(),
        pos: Pos::default(),
    }
}

/// The node at `path`, when every step exists.
pub fn node_at<'a>(root: &'a Node, path: &[Seg]) -> Option<&'a Node> {
    path.iter().try_fold(root, |node, seg| match seg {
        Seg::Key(k) => node.get(k),
        Seg::Index(i) => node.as_seq()?.get(*i),
    })
}

fn node_at_mut<'a>(root: &'a mut Node, path: &[Seg]) -> Option<&'a mut Node> {
    path.iter().try_fold(root, |node, seg| match seg {
        Seg::Key(k) => node.as_map_mut()?.get_mut(k),
        Seg::Index(i) => match &mut node.value {
            Value::Seq(items) => items.get_mut(*i),
            _ => None,
        },
    })
}

/// The path from `root` to `target` (the same node in memory), found by walking
/// the tree: pod templates and containers come from `palisade_core` as borrows.
pub fn path_to(root: &Node, target: &Node) -> Option<Path> {
    if std::ptr::eq(root, target) {
        return Some(Vec::new());
    }
    match &root.value {
        Value::Map(map) => map.iter().find_map(|(k, v)| {
            let mut path = path_to(v, target)?;
            path.insert(0, Seg::Key(k.name.to_string()));
            Some(path)
        }),
        Value::Seq(items) => items.iter().enumerate().find_map(|(i, v)| {
            let mut path = path_to(v, target)?;
            path.insert(0, Seg::Index(i));
            Some(path)
        }),
        _ => None,
    }
}

/// Two trees hold the same data: positions and mapping order aside (floats
/// compared bit for bit, so that NaN equals itself).
pub fn same_data(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_data(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(&k.name).is_some_and(|w| same_data(v, w)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_at_one_place_merge_into_one_mapping() {
        let mut patch = Patch::default();
        let at = vec![Seg::Key("spec".into())];
        patch.insert(
            at.clone(),
            "securityContext",
            NewValue::Map(vec![("allowPrivilegeEscalation", NewValue::Bool(false))]),
        );
        patch.insert(
            at.clone(),
            "securityContext",
            NewValue::Map(vec![(
                "capabilities",
                NewValue::Map(vec![("drop", NewValue::List(vec!["ALL"]))]),
            )]),
        );
        assert_eq!(
            patch.changes,
            vec![Change::Insert {
                at,
                entries: vec![(
                    "securityContext",
                    NewValue::Map(vec![
                        ("allowPrivilegeEscalation", NewValue::Bool(false)),
                        (
                            "capabilities",
                            NewValue::Map(vec![("drop", NewValue::List(vec!["ALL"]))])
                        ),
                    ])
                )],
            }]
        );
    }

    #[test]
    fn applying_to_a_tree_refuses_existing_keys_and_wrong_shapes() {
        let root = Node::from_json(&serde_json::json!({"spec": {"a": 1}}));
        let mut patch = Patch::default();
        patch.insert(vec![Seg::Key("spec".into())], "a", NewValue::Bool(true));
        assert!(patch.apply_to(&root).is_none(), "spec.a exists");
        let mut patch = Patch::default();
        patch.append(vec![Seg::Key("spec".into())], "ALL");
        assert!(patch.apply_to(&root).is_none(), "spec is not a sequence");
        let mut patch = Patch::default();
        patch.insert(vec![Seg::Key("spec".into())], "b", NewValue::Word("x"));
        let patched = patch.apply_to(&root).unwrap();
        assert_eq!(
            patched.path(&["spec", "b"]).and_then(Node::as_str),
            Some("x")
        );
        assert!(!same_data(&root, &patched));
    }
}
