//! The Inventory: every loaded object, indexed once and then only read.
//!
//! Analyzers share it so that nothing re-reads or re-indexes files. Namespaces are
//! known both from `Namespace` objects and from the `metadata.namespace` of other
//! objects, and carry the label the API server sets on every namespace,
//! `kubernetes.io/metadata.name`. Namespaces can also be declared from outside
//! the input ([`Inventory::with_declared_namespaces`]); objects without a
//! namespace are placed before the Inventory is built ([`crate::placement`]).

use std::collections::{BTreeMap, HashMap};

use crate::finding::Finding;
use crate::object::Object;
use crate::pod_template::{PodTemplate, pod_templates};

/// The label the API server puts on every namespace, holding its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A namespace as analyzers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceInfo {
    pub name: String,
    /// The namespace's labels, with `kubernetes.io/metadata.name` always set.
    pub labels: BTreeMap<String, String>,
    /// Index of the `Namespace` object in [`Inventory::objects`], when the input has one.
    pub object: Option<usize>,
}

/// Objects indexed by kind, namespace and name.
#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_kind: HashMap<String, Vec<usize>>,
    /// Indexes of `objects` sorted by identity (kind, namespace, name), load
    /// order among equals. A sorted index costs 4 bytes an object; a hash map
    /// keyed by owned copies of the three strings cost some 300 bytes an object,
    /// a sixth of the input's size.
    by_identity: Vec<u32>,
    namespaces: BTreeMap<String, NamespaceInfo>,
    /// What the source noticed while reading the objects (the loader's `yaml/*`
    /// findings), kept for the analyzer that reports them.
    reading_notes: Vec<Finding>,
    /// Policies given beside the input (`scan --policies`): read by the
    /// analyzers that enforce them, never scanned themselves.
    policy_objects: Vec<Object>,
}

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Inventory {
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        let mut namespaces: BTreeMap<String, NamespaceInfo> = BTreeMap::new();
        for (index, object) in objects.iter().enumerate() {
            match by_kind.get_mut(object.kind()) {
                Some(indexes) => indexes.push(index),
                None => {
                    by_kind.insert(object.kind().to_owned(), vec![index]);
                }
            }
            if object.kind() == "Namespace"
                && object.group().is_empty()
                && !object.name().is_empty()
            {
                let info = namespaces
                    .entry(object.name().to_owned())
                    .or_insert_with(|| NamespaceInfo::implicit(object.name()));
                // The last definition wins, as a later `kubectl apply` of the same name would.
                info.labels = object
                    .labels()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                info.labels
                    .insert(NAMESPACE_NAME_LABEL.to_owned(), object.name().to_owned());
                info.object = Some(index);
            } else if let Some(ns) = object.namespace() {
                namespaces
                    .entry(ns.to_owned())
                    .or_insert_with(|| NamespaceInfo::implicit(ns));
            }
        }
        // More than u32::MAX objects cannot be held in memory anyway; the index
        // stops there rather than wrapping.
        let mut by_identity: Vec<u32> =
            (0..u32::try_from(objects.len()).unwrap_or(u32::MAX)).collect();
        // Stable: equal identities stay in load order, so the last one is the
        // last loaded.
        by_identity.sort_by(|&a, &b| identity(&objects, a).cmp(&identity(&objects, b)));
        Inventory {
            objects,
            by_kind,
            by_identity,
            namespaces,
            reading_notes: Vec::new(),
            policy_objects: Vec::new(),
        }
    }

    /// Adds policy objects given beside the input (Gatekeeper templates and
    /// constraints, ValidatingAdmissionPolicies and their params): analyzers
    /// that enforce policies read them, no analyzer scans them.
    pub fn with_policy_objects(mut self, objects: Vec<Object>) -> Inventory {
        self.policy_objects = objects;
        self
    }

    /// The policy objects given beside the input.
    pub fn policy_objects(&self) -> &[Object] {
        &self.policy_objects
    }

    /// The inventory of `objects`, keeping what the source noticed while reading
    /// them (`Loaded::findings`): how the YAML was written is a fact about the
    /// input, reported by whichever analyzer owns those rules.
    pub fn with_reading_notes(objects: Vec<Object>, notes: Vec<Finding>) -> Inventory {
        let mut inventory = Inventory::new(objects);
        inventory.reading_notes = notes;
        inventory
    }

    /// Declares namespaces and their labels from outside the input (the command
    /// line's `--namespace-labels`), for namespaces whose `Namespace` object is
    /// not in it. The declared labels replace those of a `Namespace` object of the
    /// same name, as `palisade admit` and `serve` take them: the declaration says
    /// what the cluster has. `kubernetes.io/metadata.name` is always set.
    pub fn with_declared_namespaces(
        mut self,
        declared: impl IntoIterator<Item = (String, BTreeMap<String, String>)>,
    ) -> Inventory {
        for (name, mut labels) in declared {
            labels.insert(NAMESPACE_NAME_LABEL.to_owned(), name.clone());
            let info = self
                .namespaces
                .entry(name.clone())
                .or_insert_with(|| NamespaceInfo::implicit(&name));
            info.labels = labels;
        }
        self
    }

    /// The source's notes about how the input was written, in input order.
    pub fn reading_notes(&self) -> &[Finding] {
        &self.reading_notes
    }

    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Objects of one kind, in load order.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.objects[i])
    }

    /// The object with this kind, namespace and name; the last one loaded when the
    /// input defines it more than once.
    pub fn get(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object> {
        let wanted = Some((kind, namespace, name));
        // The end of the run of equal identities; the object just before it is
        // the last one loaded.
        let end = self
            .by_identity
            .partition_point(|&i| identity(&self.objects, i) <= wanted);
        let last = *self.by_identity.get(end.checked_sub(1)?)?;
        (identity(&self.objects, last) == wanted)
            .then(|| self.objects.get(last as usize))
            .flatten()
    }

    /// A namespace known from a `Namespace` object or from objects placed in it.
    pub fn namespace(&self, name: &str) -> Option<&NamespaceInfo> {
        self.namespaces.get(name)
    }

    /// Every known namespace, sorted by name.
    pub fn namespaces(&self) -> impl Iterator<Item = &NamespaceInfo> {
        self.namespaces.values()
    }

    /// The `Namespace` object itself, when the input has one.
    pub fn namespace_object(&self, name: &str) -> Option<&Object> {
        self.namespace(name)
            .and_then(|ns| ns.object)
            .map(|i| &self.objects[i])
    }

    /// Every pod template of every object (see [`pod_templates`]), in load order.
    pub fn pod_templates(&self) -> impl Iterator<Item = PodTemplate<'_>> {
        self.objects.iter().flat_map(pod_templates)
    }
}

/// The identity `Inventory::get` looks objects up by; `None` past the end.
fn identity(objects: &[Object], index: u32) -> Option<(&str, Option<&str>, &str)> {
    let object = objects.get(index as usize)?;
    Some((object.kind(), object.namespace(), object.name()))
}

impl NamespaceInfo {
    fn implicit(name: &str) -> NamespaceInfo {
        NamespaceInfo {
            name: name.to_owned(),
            labels: BTreeMap::from([(NAMESPACE_NAME_LABEL.to_owned(), name.to_owned())]),
            object: None,
        }
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::node::{Node, Pos};
    use crate::object::SourceRef;

    fn object(json: serde_json::Value) -> Object {
        Object::new(
            Node::from_json(&json),
            SourceRef {
                file: Arc::from("f.yaml"),
                pos: Pos::new(1, 1),
            },
        )
    }

    #[test]
    fn declared_namespaces_replace_labels_and_keep_the_name_label() {
        let inventory = Inventory::new(vec![object(serde_json::json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "shop", "labels": {"team": "a"}}
        }))])
        .with_declared_namespaces([
            (
                "shop".to_owned(),
                BTreeMap::from([("env".to_owned(), "prod".to_owned())]),
            ),
            ("argocd".to_owned(), BTreeMap::new()),
        ]);
        let shop = inventory.namespace("shop").expect("shop");
        assert_eq!(shop.label("team"), None);
        assert_eq!(shop.label("env"), Some("prod"));
        assert_eq!(shop.label(NAMESPACE_NAME_LABEL), Some("shop"));
        assert!(inventory.namespace_object("shop").is_some());
        let argocd = inventory.namespace("argocd").expect("declared");
        assert_eq!(argocd.label(NAMESPACE_NAME_LABEL), Some("argocd"));
        assert!(argocd.object.is_none());
    }

    #[test]
    fn get_finds_the_last_definition_of_an_identity() {
        let config = |ns: Option<&str>, name: &str, value: &str| {
            let mut metadata = serde_json::json!({"name": name});
            if let Some(ns) = ns {
                metadata["namespace"] = ns.into();
            }
            object(serde_json::json!({
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
                "data": {"v": value}
            }))
        };
        let secret = object(serde_json::json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "namespace": "x"}
        }));
        let inventory = Inventory::new(vec![
            config(Some("x"), "b", "first"),
            config(Some("x"), "a", "only"),
            secret,
            config(None, "b", "cluster"),
            config(Some("x"), "b", "second"),
            config(Some("y"), "b", "other"),
        ]);
        let value = |kind: &str, ns: Option<&str>, name: &str| {
            inventory
                .get(kind, ns, name)
                .and_then(|o| o.root().path(&["data", "v"]))
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        assert_eq!(
            value("ConfigMap", Some("x"), "b").as_deref(),
            Some("second")
        );
        assert_eq!(value("ConfigMap", Some("x"), "a").as_deref(), Some("only"));
        assert_eq!(value("ConfigMap", None, "b").as_deref(), Some("cluster"));
        assert_eq!(value("ConfigMap", Some("y"), "b").as_deref(), Some("other"));
        assert!(inventory.get("Secret", Some("x"), "a").is_some());
        assert!(inventory.get("Secret", Some("x"), "b").is_none());
        assert!(inventory.get("ConfigMap", Some("z"), "b").is_none());
        assert!(inventory.get("ConfigMap", Some("x"), "c").is_none());
        assert!(
            Inventory::new(Vec::new())
                .get("ConfigMap", None, "b")
                .is_none()
        );
    }
}
