//! Reading YAML/JSON files into documents with palisade-load, and the strict
//! decoding helpers the CLI's own file kinds share (Kyverno decodes them with
//! `UnmarshalStrict`-style settings: unknown fields are errors).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_core::{Map, Node, Value};

use super::LoadError;
use crate::Json;

/// Every document of a file (a `List` flattened into its items), as trees
/// with positions.
pub(super) fn read_nodes(path: &Path) -> Result<Vec<Node>, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError {
        file: path.to_path_buf(),
        line: None,
        message: format!("cannot read file: {e}"),
    })?;
    let name: Arc<str> = Arc::from(path.display().to_string());
    let limits = palisade_load::Limits {
        collect_notes: false,
        ..palisade_load::Limits::default()
    };
    let loaded = palisade_load::load_bytes(name, &bytes, &limits).map_err(|e| LoadError {
        file: path.to_path_buf(),
        line: e.pos.is_known().then_some(e.pos.line),
        message: e.message,
    })?;
    Ok(loaded
        .objects
        .into_iter()
        .map(palisade_core::Object::into_root)
        .collect())
}

/// Policy files: every document as JSON, whatever its kind.
pub fn read_documents(path: &Path) -> Result<Vec<Json>, LoadError> {
    Ok(read_nodes(path)?.iter().map(Node::to_json).collect())
}

/// The one document of a CLI file (test, values, user info, context).
pub(super) fn read_single(path: &Path) -> Result<Node, LoadError> {
    let mut nodes = read_nodes(path)?;
    if nodes.len() != 1 {
        return Err(LoadError {
            file: path.to_path_buf(),
            line: None,
            message: format!("expected exactly one document, found {}", nodes.len()),
        });
    }
    nodes.pop().ok_or_else(|| LoadError {
        file: path.to_path_buf(),
        line: None,
        message: "empty file".to_owned(),
    })
}

/// Strict decoding of one file's tree: errors name the file and line.
pub(super) struct Decoder<'a> {
    pub file: &'a Path,
}

impl Decoder<'_> {
    pub fn error(&self, node: &Node, message: impl Into<String>) -> LoadError {
        LoadError {
            file: self.file.to_path_buf(),
            line: node.pos.is_known().then_some(node.pos.line),
            message: message.into(),
        }
    }

    /// The node as a mapping whose keys are all in `allowed` (`where_` names it).
    pub fn object<'n>(
        &self,
        node: &'n Node,
        where_: &str,
        allowed: &[&str],
    ) -> Result<&'n Map, LoadError> {
        let map = node.as_map().ok_or_else(|| {
            self.error(
                node,
                format!("{where_}: expected an object, found {}", node.type_name()),
            )
        })?;
        for (key, value) in map.iter() {
            if !allowed.contains(&key.name.as_str()) {
                return Err(LoadError {
                    file: self.file.to_path_buf(),
                    line: Some(key.pos.line)
                        .filter(|_| key.pos.is_known())
                        .or_else(|| value.pos.is_known().then_some(value.pos.line)),
                    message: format!("{where_}: unknown field \"{}\"", key.name),
                });
            }
        }
        Ok(map)
    }

    /// An optional string member (`null` counts as absent).
    pub fn string(&self, map: &Map, key: &str, where_: &str) -> Result<Option<String>, LoadError> {
        match map.get(key) {
            None => Ok(None),
            Some(node) => match &node.value {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.to_string())),
                _ => Err(self.error(
                    node,
                    format!(
                        "{where_}.{key}: expected a string, found {}",
                        node.type_name()
                    ),
                )),
            },
        }
    }

    /// An optional bool member.
    pub fn boolean(&self, map: &Map, key: &str, where_: &str) -> Result<bool, LoadError> {
        match map.get(key) {
            None => Ok(false),
            Some(node) => match &node.value {
                Value::Null => Ok(false),
                Value::Bool(b) => Ok(*b),
                _ => Err(self.error(
                    node,
                    format!(
                        "{where_}.{key}: expected a boolean, found {}",
                        node.type_name()
                    ),
                )),
            },
        }
    }

    /// An optional list-of-strings member.
    pub fn strings(&self, map: &Map, key: &str, where_: &str) -> Result<Vec<String>, LoadError> {
        self.list(map, key, where_)?
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    self.error(
                        item,
                        format!(
                            "{where_}.{key}: expected strings, found {}",
                            item.type_name()
                        ),
                    )
                })
            })
            .collect()
    }

    /// An optional list member.
    pub fn list<'n>(&self, map: &'n Map, key: &str, where_: &str) -> Result<&'n [Node], LoadError> {
        match map.get(key) {
            None => Ok(&[]),
            Some(node) => match &node.value {
                Value::Null => Ok(&[]),
                Value::Seq(items) => Ok(items),
                _ => Err(self.error(
                    node,
                    format!(
                        "{where_}.{key}: expected a list, found {}",
                        node.type_name()
                    ),
                )),
            },
        }
    }

    /// An optional map member as (key, JSON value) pairs in file order.
    pub fn entries(
        &self,
        map: &Map,
        key: &str,
        where_: &str,
    ) -> Result<Vec<(String, Json)>, LoadError> {
        match map.get(key) {
            None => Ok(Vec::new()),
            Some(node) => match &node.value {
                Value::Null => Ok(Vec::new()),
                Value::Map(inner) => Ok(inner
                    .iter()
                    .map(|(k, v)| (k.name.to_string(), v.to_json()))
                    .collect()),
                _ => Err(self.error(
                    node,
                    format!(
                        "{where_}.{key}: expected an object, found {}",
                        node.type_name()
                    ),
                )),
            },
        }
    }
}

/// `path` relative to `base` (absolute paths are kept).
pub(super) fn resolve(base: &Path, path: &str) -> PathBuf {
    base.join(path)
}
