//! `data.inventory`: the cluster's objects as Gatekeeper's sync cache lays them
//! out for referential templates (unique ingress hosts, unique selectors, ...).
//!
//! Cluster-scoped objects live under `cluster[apiVersion][kind][name]`,
//! namespaced ones under `namespace[ns][apiVersion][kind][name]`. With no
//! objects the document is `{}`, not undefined, as gator gives it.

use std::collections::BTreeMap;

use palisade_core::Node;
use regorus::Value;

use crate::value::{object, to_rego};

type ByKind<'a> = BTreeMap<&'a str, BTreeMap<&'a str, BTreeMap<&'a str, &'a Node>>>;

/// The inventory document of these objects. An object is namespaced when it
/// has `metadata.namespace`; a later object with the same identity replaces an
/// earlier one, as a later apply would.
pub fn inventory<'a>(objects: impl IntoIterator<Item = &'a Node>) -> Value {
    let mut cluster: ByKind<'a> = BTreeMap::new();
    let mut namespaced: BTreeMap<&'a str, ByKind<'a>> = BTreeMap::new();
    for node in objects {
        let text = |path: &[&str]| node.path(path).and_then(Node::as_str).unwrap_or("");
        let (api_version, kind, name) = (
            text(&["apiVersion"]),
            text(&["kind"]),
            text(&["metadata", "name"]),
        );
        let namespace = text(&["metadata", "namespace"]);
        let slot = if namespace.is_empty() {
            &mut cluster
        } else {
            namespaced.entry(namespace).or_default()
        };
        slot.entry(api_version)
            .or_default()
            .entry(kind)
            .or_default()
            .insert(name, node);
    }
    let by_kind = |tree: &ByKind<'a>| {
        object(tree.iter().map(|(api_version, kinds)| {
            (
                *api_version,
                object(kinds.iter().map(|(kind, names)| {
                    (
                        *kind,
                        object(names.iter().map(|(name, node)| (*name, to_rego(node)))),
                    )
                })),
            )
        }))
    };
    let mut entries = Vec::new();
    if !cluster.is_empty() {
        entries.push(("cluster", by_kind(&cluster)));
    }
    if !namespaced.is_empty() {
        entries.push((
            "namespace",
            object(namespaced.iter().map(|(ns, tree)| (*ns, by_kind(tree)))),
        ));
    }
    object(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json: &str) -> Node {
        Node::from_json(&serde_json::from_str(json).expect("test JSON"))
    }

    #[test]
    fn objects_are_laid_out_as_gatekeepers_sync_cache() {
        let ingress = node(
            r#"{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "a", "namespace": "shop"}}"#,
        );
        let class = node(
            r#"{"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"}}"#,
        );
        let data = inventory([&ingress, &class]);
        let json = crate::value::to_json(&data);
        assert_eq!(
            json["namespace"]["shop"]["networking.k8s.io/v1"]["Ingress"]["a"]["metadata"]["name"],
            "a"
        );
        assert_eq!(
            json["cluster"]["storage.k8s.io/v1"]["StorageClass"]["fast"]["kind"],
            "StorageClass"
        );
        assert_eq!(crate::value::to_json(&inventory([])), serde_json::json!({}));
    }
}
