//! Where admission learns a namespace's labels: an AdmissionReview for a pod does
//! not carry them.
//!
//! [`StaticNamespaces`] answers from Namespace objects given on the command line
//! (offline use, tests); the webhook server keeps a watched cache of the cluster's
//! Namespaces behind the same trait. Every namespace carries
//! `kubernetes.io/metadata.name`, as the API server sets it on every namespace.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use palisade_core::{NAMESPACE_NAME_LABEL, Node};

/// A namespace's labels.
pub type Labels = BTreeMap<String, String>;

/// The answer to a namespace lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(Arc<Labels>),
    /// The namespace does not exist (as far as the source knows).
    NotFound,
    /// The source cannot answer (not yet synced, unreachable): the text says why.
    Unavailable(String),
}

/// A source of namespace labels.
pub trait NamespaceSource: Send + Sync {
    fn lookup(&self, name: &str) -> Lookup;
}

/// Namespaces known from objects.
#[derive(Clone, Debug, Default)]
pub struct StaticNamespaces {
    namespaces: HashMap<String, Arc<Labels>>,
}

impl StaticNamespaces {
    /// Adds (or replaces) a namespace with these labels.
    pub fn insert(&mut self, name: &str, mut labels: Labels) {
        labels.insert(NAMESPACE_NAME_LABEL.to_owned(), name.to_owned());
        self.namespaces.insert(name.to_owned(), Arc::new(labels));
    }

    /// Adds `object` when it is a core `Namespace` with a name; returns whether it was.
    pub fn insert_object(&mut self, object: &Node) -> bool {
        match namespace_labels(object) {
            Some((name, labels)) => {
                self.insert(&name, labels);
                true
            }
            None => false,
        }
    }

    pub fn len(&self) -> usize {
        self.namespaces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty()
    }
}

impl NamespaceSource for StaticNamespaces {
    fn lookup(&self, name: &str) -> Lookup {
        match self.namespaces.get(name) {
            Some(labels) => Lookup::Found(labels.clone()),
            None => Lookup::NotFound,
        }
    }
}

/// The name and labels of a core `v1` `Namespace` object; `None` for anything else.
/// Label values that are not strings are skipped (the API server would not store
/// them); a `null` value reads as `""`, as Go decodes it.
pub fn namespace_labels(object: &Node) -> Option<(String, Labels)> {
    if object.get("kind").and_then(Node::as_str) != Some("Namespace")
        || object.get("apiVersion").and_then(Node::as_str) != Some("v1")
    {
        return None;
    }
    let metadata = object.get("metadata")?;
    let name = metadata.get("name").and_then(Node::as_str)?;
    if name.is_empty() {
        return None;
    }
    Some((name.to_owned(), string_map(metadata.get("labels"))))
}

/// A `map[string]string` member as Go decodes it: `null` values are `""`, other
/// non-strings are left out.
pub(crate) fn string_map(node: Option<&Node>) -> Labels {
    let mut out = Labels::new();
    if let Some(map) = node.and_then(Node::as_map) {
        for (key, value) in map.iter() {
            if value.is_null() {
                out.insert(key.name.to_string(), String::new());
            } else if let Some(text) = value.as_str() {
                out.insert(key.name.to_string(), text.to_owned());
            }
        }
    }
    out
}
