//! A read-only view of one pod (metadata + spec) with the accessors the checks
//! share, and small typed field helpers over [`Node`].
//!
//! Every helper treats a value of the wrong type exactly like an absent value:
//! the API server would refuse to decode such a pod, and schema errors are
//! reported by another layer. Nothing here clones the tree or allocates.

use palisade_core::{Map, Node, Pos};

/// Member `key` of `parent`, when `parent` is a mapping and the member is not `null`
/// (`null` decodes to an absent pointer in the API server).
pub(crate) fn child<'a>(parent: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    parent?.get(key).filter(|n| !n.is_null())
}

/// Member `key` when it is a mapping (an object such as `securityContext`).
pub(crate) fn object<'a>(parent: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    child(parent, key).filter(|n| n.as_map().is_some())
}

/// Member `key` when it is a boolean, with its node.
pub(crate) fn bool_field<'a>(parent: Option<&'a Node>, key: &str) -> Option<(bool, &'a Node)> {
    let node = child(parent, key)?;
    Some((node.as_bool()?, node))
}

/// Member `key` when it is a string, with its node.
pub(crate) fn str_field<'a>(parent: Option<&'a Node>, key: &str) -> Option<(&'a str, &'a Node)> {
    let node = child(parent, key)?;
    Some((node.as_str()?, node))
}

/// Member `key` when it is an integer, with its node.
pub(crate) fn int_field<'a>(parent: Option<&'a Node>, key: &str) -> Option<(i64, &'a Node)> {
    let node = child(parent, key)?;
    Some((node.as_i64()?, node))
}

/// The string value of member `key`, or `""` (Go's zero value) when absent.
pub(crate) fn str_or_empty<'a>(parent: Option<&'a Node>, key: &str) -> &'a str {
    str_field(parent, key).map_or("", |(s, _)| s)
}

/// Items of the sequence member `key`; nothing when absent or not a sequence.
pub(crate) fn items<'a>(parent: Option<&'a Node>, key: &str) -> std::slice::Iter<'a, Node> {
    child(parent, key).map(Node::items).unwrap_or_default()
}

/// The node's position when it points into a file.
pub(crate) fn at(node: &Node) -> Option<Pos> {
    node.pos.is_known().then_some(node.pos)
}

/// One visited container.
#[derive(Clone, Copy)]
pub(crate) struct Container<'a> {
    pub node: &'a Node,
    /// `name`, or `""` when absent.
    pub name: &'a str,
    /// `securityContext`, when present and a mapping.
    pub sc: Option<&'a Node>,
}

impl<'a> Container<'a> {
    /// Where to point when the container lacks a setting: its security context if
    /// it has one, else the container itself.
    pub fn missing_pos(&self) -> Option<Pos> {
        at(self.sc.unwrap_or(self.node))
    }
}

/// The pod being evaluated.
pub(crate) struct Pod<'a> {
    annotations: Option<&'a Map>,
    spec: &'a Node,
    security_context: Option<&'a Node>,
}

const CONTAINER_LISTS: [&str; 3] = ["initContainers", "containers", "ephemeralContainers"];

impl<'a> Pod<'a> {
    pub fn new(metadata: Option<&'a Node>, spec: &'a Node) -> Self {
        Pod {
            annotations: object(metadata, "annotations").and_then(Node::as_map),
            spec,
            security_context: object(Some(spec), "securityContext"),
        }
    }

    pub fn spec(&self) -> Option<&'a Node> {
        Some(self.spec)
    }

    /// `spec.securityContext`.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.security_context
    }

    /// Annotations with string values, in source order: (key, value, value node).
    pub fn annotations(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a Node)> + 'a {
        self.annotations
            .into_iter()
            .flat_map(Map::iter)
            .filter_map(|(k, v)| Some((k.name.as_str(), v.as_str()?, v)))
    }

    /// The string value of one annotation, with its node.
    pub fn annotation(&self, key: &str) -> Option<(&'a str, &'a Node)> {
        let node = self.annotations?.get(key)?;
        Some((node.as_str()?, node))
    }

    /// Containers in visit order: init containers, containers, ephemeral
    /// containers. Items that are not mappings are skipped.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        let spec = self.spec;
        CONTAINER_LISTS
            .into_iter()
            .flat_map(move |list| items(Some(spec), list))
            .filter(|n| n.as_map().is_some())
            .map(|node| Container {
                node,
                name: str_or_empty(Some(node), "name"),
                sc: object(Some(node), "securityContext"),
            })
    }

    /// `spec.volumes` items that are mappings.
    pub fn volumes(&self) -> impl Iterator<Item = &'a Node> + 'a {
        items(Some(self.spec), "volumes").filter(|n| n.as_map().is_some())
    }

    /// `spec.os.name == "windows"`.
    pub fn is_windows(&self) -> bool {
        str_field(object(Some(self.spec), "os"), "name").is_some_and(|(s, _)| s == "windows")
    }

    /// `spec.hostUsers` explicitly `false` (the pod runs in a user namespace).
    pub fn in_user_namespace(&self) -> bool {
        bool_field(Some(self.spec), "hostUsers").is_some_and(|(b, _)| !b)
    }
}
