//! A container's references to Secrets and ConfigMaps through its environment
//! (`env[].valueFrom.secretKeyRef` / `configMapKeyRef`, `envFrom[].secretRef` /
//! `configMapRef`), read once for the rules that judge them.

use palisade_core::Node;

use crate::context::Container;

/// The kind of object an env reference reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Secret,
    ConfigMap,
}

impl Source {
    /// The object kind: `Secret`, `ConfigMap`.
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Source::Secret => "Secret",
            Source::ConfigMap => "ConfigMap",
        }
    }
}

/// One reference from a container's environment to a Secret or ConfigMap.
#[derive(Clone, Debug)]
pub(crate) struct Reference<'a> {
    pub source: Source,
    /// The referenced object's name (empty when missing).
    pub name: &'a str,
    /// The key read, for `env[].valueFrom`; `None` for `envFrom` (every key).
    pub key: Option<&'a str>,
    /// The env var set, for `env[]`; `None` for `envFrom`.
    pub variable: Option<&'a str>,
    /// `optional: true`: the container starts without the object or key.
    pub optional: bool,
    /// The `secretKeyRef` / `secretRef` / ... mapping.
    pub node: &'a Node,
}

/// Every Secret and ConfigMap reference of the container's environment, in
/// spec order (`env` first, then `envFrom`).
pub(crate) fn references<'a>(container: &Container<'a>) -> Vec<Reference<'a>> {
    let mut out = Vec::new();
    for item in container.get(&["env"]).into_iter().flat_map(Node::items) {
        let variable = item.get("name").and_then(Node::as_str);
        for (field, source) in [
            ("secretKeyRef", Source::Secret),
            ("configMapKeyRef", Source::ConfigMap),
        ] {
            if let Some(node) = item
                .path(&["valueFrom", field])
                .filter(|n| n.as_map().is_some())
            {
                out.push(Reference {
                    source,
                    name: string(node, "name"),
                    key: Some(string(node, "key")),
                    variable,
                    optional: node.get("optional").and_then(Node::as_bool) == Some(true),
                    node,
                });
            }
        }
    }
    for item in container
        .get(&["envFrom"])
        .into_iter()
        .flat_map(Node::items)
    {
        for (field, source) in [
            ("secretRef", Source::Secret),
            ("configMapRef", Source::ConfigMap),
        ] {
            if let Some(node) = item.get(field).filter(|n| n.as_map().is_some()) {
                out.push(Reference {
                    source,
                    name: string(node, "name"),
                    key: None,
                    variable: None,
                    optional: node.get("optional").and_then(Node::as_bool) == Some(true),
                    node,
                });
            }
        }
    }
    out
}

fn string<'a>(node: &'a Node, field: &str) -> &'a str {
    node.get(field).and_then(Node::as_str).unwrap_or("")
}
