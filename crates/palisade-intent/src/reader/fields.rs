//! A strict reader of one mapping of the expectations file: every key must be
//! known, every value of the expected type, and every error names the file,
//! line and column of the value at fault.
//!
//! Written by hand over the loader's positioned `Node` tree rather than with
//! serde: the tree is what kubectl reads (the loader is go-yaml's reading),
//! and serde over it would lose the positions errors must carry.

use std::collections::BTreeMap;

use palisade_core::{Map, Node, SourceRef};

/// An error in the expectations file, at a place in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// `file:line:col` (or the file alone when no position is known).
    pub origin: String,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

impl std::error::Error for ReadError {}

/// Where values are read from: the file name, for positions.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    pub file: &'a str,
}

impl Source<'_> {
    /// The place of `node` in the file.
    pub fn at(&self, node: &Node) -> SourceRef {
        SourceRef {
            file: self.file.into(),
            pos: node.pos,
        }
    }

    /// An error at `node`.
    pub fn error(&self, node: &Node, message: impl Into<String>) -> ReadError {
        ReadError {
            origin: self.at(node).origin(),
            message: message.into(),
        }
    }

    /// A non-empty string.
    pub fn string(&self, node: &Node, what: &str) -> Result<String, ReadError> {
        match node.as_str() {
            Some(text) if !text.is_empty() => Ok(text.to_owned()),
            Some(_) => Err(self.error(node, format!("{what} must not be empty"))),
            None => Err(self.error(
                node,
                format!("{what} must be a string, not {}", node.type_name()),
            )),
        }
    }

    /// A list of non-empty strings.
    pub fn strings(&self, node: &Node, what: &str) -> Result<Vec<String>, ReadError> {
        let items = node.as_seq().ok_or_else(|| {
            self.error(
                node,
                format!("{what} must be a list, not {}", node.type_name()),
            )
        })?;
        items
            .iter()
            .map(|item| self.string(item, &format!("an item of {what}")))
            .collect()
    }

    /// A mapping of strings to strings (labels).
    pub fn string_map(
        &self,
        node: &Node,
        what: &str,
    ) -> Result<BTreeMap<String, String>, ReadError> {
        let map = node.as_map().ok_or_else(|| {
            self.error(
                node,
                format!("{what} must be a mapping, not {}", node.type_name()),
            )
        })?;
        let mut out = BTreeMap::new();
        for (key, value) in map.iter() {
            let text = value.as_str().ok_or_else(|| {
                self.error(
                    value,
                    format!(
                        "{what}.{}: must be a string, not {}",
                        key.name,
                        value.type_name()
                    ),
                )
            })?;
            out.insert(key.name.to_string(), text.to_owned());
        }
        Ok(out)
    }
}

/// The keys of one mapping, taken one by one; [`Fields::finish`] refuses the rest.
pub struct Fields<'a> {
    source: Source<'a>,
    node: &'a Node,
    map: &'a Map,
    /// What the mapping is, for messages (`an expectation`, `can`).
    what: String,
    taken: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// Opens `node`, which must be a mapping.
    pub fn open(source: Source<'a>, node: &'a Node, what: &str) -> Result<Fields<'a>, ReadError> {
        let map = node.as_map().ok_or_else(|| {
            source.error(
                node,
                format!("{what} must be a mapping, not {}", node.type_name()),
            )
        })?;
        Ok(Fields {
            source,
            node,
            map,
            what: what.to_owned(),
            taken: Vec::new(),
        })
    }

    pub fn source(&self) -> Source<'a> {
        self.source
    }

    /// The value of `key`, if written (a `null` value counts as absent).
    pub fn optional(&mut self, key: &'static str) -> Option<&'a Node> {
        self.taken.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// The value of `key`, which must be written.
    pub fn required(&mut self, key: &'static str) -> Result<&'a Node, ReadError> {
        let what = self.what.clone();
        self.optional(key).ok_or_else(|| {
            self.source
                .error(self.node, format!("{what}: {key} is required"))
        })
    }

    /// An optional string.
    pub fn optional_string(&mut self, key: &'static str) -> Result<Option<String>, ReadError> {
        let what = format!("{}.{key}", self.what);
        self.optional(key)
            .map(|node| self.source.string(node, &what))
            .transpose()
    }

    /// An optional list of strings (absent: empty).
    pub fn optional_strings(&mut self, key: &'static str) -> Result<Vec<String>, ReadError> {
        let what = format!("{}.{key}", self.what);
        match self.optional(key) {
            Some(node) => self.source.strings(node, &what),
            None => Ok(Vec::new()),
        }
    }

    /// Refuses every key not taken, naming the first one and what is allowed.
    pub fn finish(self) -> Result<(), ReadError> {
        for (key, value) in self.map.iter() {
            if !self.taken.contains(&key.name.as_str()) {
                let pos = if key.pos.is_known() {
                    key.pos
                } else {
                    value.pos
                };
                let origin = SourceRef {
                    file: self.source.file.into(),
                    pos,
                };
                return Err(ReadError {
                    origin: origin.origin(),
                    message: format!(
                        "{}: unknown field {:?} (known: {})",
                        self.what,
                        key.name.as_str(),
                        self.taken.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }
}
