//! A loaded Kubernetes object: its tree, its identity and where it came from.

use std::sync::Arc;

use serde::Serialize;

use crate::node::{CompactString, Node, Pos};

/// Where an object (or a value in it) was read from. `file` is the path as the
/// user gave it, or `<stdin>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceRef {
    pub file: Arc<str>,
    pub pos: Pos,
}

impl SourceRef {
    /// `file:line:col`, for messages.
    pub fn origin(&self) -> String {
        format!("{}{}", self.file, self.pos.place())
    }
}

/// The identity of an object as findings report it. Its strings are inline up
/// to 24 bytes (nearly every kind, apiVersion and name), so the copy each
/// finding carries costs no allocation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: CompactString,
    pub kind: CompactString,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<CompactString>,
    pub name: CompactString,
}

/// One Kubernetes object as kubectl would send it, with the position of every value.
#[derive(Clone, Debug)]
pub struct Object {
    root: Node,
    source: SourceRef,
    reference: ObjectRef,
}

impl Object {
    /// Wraps a document's root mapping. Identity fields that are missing or not
    /// strings read as empty (the loader rejects objects without `kind` and
    /// `apiVersion` before they get here).
    pub fn new(root: Node, source: SourceRef) -> Object {
        let text = |path: &[&str]| {
            root.path(path)
                .and_then(Node::as_str)
                .map(CompactString::from)
        };
        let name = text(&["metadata", "name"])
            .or_else(|| text(&["metadata", "generateName"]))
            .unwrap_or_default();
        let reference = ObjectRef {
            api_version: text(&["apiVersion"]).unwrap_or_default(),
            kind: text(&["kind"]).unwrap_or_default(),
            namespace: text(&["metadata", "namespace"]).filter(|ns| !ns.is_empty()),
            name,
        };
        Object {
            root,
            source,
            reference,
        }
    }

    pub fn root(&self) -> &Node {
        &self.root
    }

    pub fn into_root(self) -> Node {
        self.root
    }

    pub fn source(&self) -> &SourceRef {
        &self.source
    }

    pub fn reference(&self) -> &ObjectRef {
        &self.reference
    }

    pub fn kind(&self) -> &str {
        &self.reference.kind
    }

    pub fn api_version(&self) -> &str {
        &self.reference.api_version
    }

    /// The API group: `apps` for `apps/v1`, empty for the core group (`v1`).
    pub fn group(&self) -> &str {
        self.reference
            .api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    pub fn name(&self) -> &str {
        &self.reference.name
    }

    pub fn namespace(&self) -> Option<&str> {
        self.reference.namespace.as_deref()
    }

    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }

    /// `metadata.labels` entries whose values are strings.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        string_entries(self.root.path(&["metadata", "labels"]))
    }

    /// `metadata.annotations` entries whose values are strings.
    pub fn annotations(&self) -> impl Iterator<Item = (&str, &str)> {
        string_entries(self.root.path(&["metadata", "annotations"]))
    }

    /// A position inside this object's file: of `node` when it has one, else of the object.
    pub fn locate(&self, node: Option<&Node>) -> SourceRef {
        let pos = node
            .map(|n| n.pos)
            .filter(Pos::is_known)
            .unwrap_or(self.source.pos);
        SourceRef {
            file: self.source.file.clone(),
            pos,
        }
    }
}

/// The string-valued entries of a mapping node (labels, annotations, selectors).
pub fn string_entries(node: Option<&Node>) -> impl Iterator<Item = (&str, &str)> {
    node.and_then(Node::as_map)
        .into_iter()
        .flat_map(|m| m.iter())
        .filter_map(|(k, v)| v.as_str().map(|v| (k.name.as_str(), v)))
}
