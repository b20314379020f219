//! Where objects without a namespace go: kubectl's `-n NS -f FILE`.
//!
//! `kubectl apply -n NS -f FILE` sends every object of a namespaced kind that
//! names no namespace with `metadata.namespace: NS`; objects of cluster-scoped
//! kinds (Namespace, ClusterRole, Node, StorageClass, CRDs, webhook
//! configurations, ...) are sent as written. With an explicit `-n`, an object
//! that names another namespace is an error (kubectl's `RequireNamespace`).
//! [`place`] does the same to loaded objects, so that every analyzer sees what
//! the API server would receive. The loader itself never adds fields.
//!
//! A kind's scope comes from the built-in API table
//! ([`crate::api_resources`]), then from the CustomResourceDefinitions in the
//! input (`spec.scope`); a custom resource whose CRD is not in the input is
//! taken as namespaced, as most are (kubectl would ask the API server).

use std::collections::HashMap;
use std::fmt;

use crate::api_resources::builtin_kind_namespaced;
use crate::node::{Key, Map, Node, Pos, Value};
use crate::object::{Object, SourceRef};

/// The namespace of objects that name none, as kubectl's `-n` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The namespace given to namespaced objects that name none.
    pub namespace: String,
    /// An object naming another namespace is an error (kubectl's explicit `-n`
    /// with `-f`). Without it, such an object keeps its namespace: commands whose
    /// `-n` is the namespace of a question (`rbac can-i`) read inputs that hold
    /// a whole cluster.
    pub require: bool,
}

/// An object names a namespace other than the required one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceMismatch {
    /// Where the object's `metadata.namespace` is written.
    pub source: SourceRef,
    pub object_namespace: String,
    pub namespace: String,
}

impl fmt::Display for NamespaceMismatch {
    /// kubectl's message, after the file and position of the object's namespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.source.file, self.source.pos.place())?;
        write!(
            f,
            ": the namespace from the provided object {:?} does not match the namespace {:?}. You must pass '--namespace={}' to perform this operation.",
            self.object_namespace, self.namespace, self.object_namespace
        )
    }
}

impl std::error::Error for NamespaceMismatch {}

/// The objects as `kubectl -n` would send them: namespaced objects without a
/// namespace get `placement.namespace` (written into `metadata.namespace`, with
/// no position: it is not in any file). With `placement.require`, every object
/// of a namespaced kind naming another namespace is reported, and nothing is
/// returned.
pub fn place(
    objects: Vec<Object>,
    placement: &Placement,
) -> Result<Vec<Object>, Vec<NamespaceMismatch>> {
    let scopes = Scopes::of(&objects);
    let mut mismatches = Vec::new();
    let placed: Vec<Object> = objects
        .into_iter()
        .map(|object| {
            if !scopes.namespaced(&object) {
                return object;
            }
            match object.namespace() {
                Some(ns) => {
                    if placement.require && ns != placement.namespace {
                        let written = object.root().path(&["metadata", "namespace"]);
                        mismatches.push(NamespaceMismatch {
                            source: object.locate(written),
                            object_namespace: ns.to_owned(),
                            namespace: placement.namespace.clone(),
                        });
                    }
                    object
                }
                None => with_namespace(object, &placement.namespace),
            }
        })
        .collect();
    if mismatches.is_empty() {
        Ok(placed)
    } else {
        Err(mismatches)
    }
}

/// The scope of every kind the input may hold: built-in, then its CRDs'.
struct Scopes {
    /// `(group, kind)` to namespaced, from the input's CustomResourceDefinitions.
    custom: HashMap<(String, String), bool>,
}

impl Scopes {
    fn of(objects: &[Object]) -> Scopes {
        let mut custom = HashMap::new();
        for crd in objects.iter().filter(|o| {
            o.kind() == "CustomResourceDefinition" && o.group() == "apiextensions.k8s.io"
        }) {
            let text = |path: &[&str]| crd.root().path(path).and_then(Node::as_str);
            if let (Some(group), Some(kind)) =
                (text(&["spec", "group"]), text(&["spec", "names", "kind"]))
            {
                let namespaced = text(&["spec", "scope"]) != Some("Cluster");
                custom.insert((group.to_owned(), kind.to_owned()), namespaced);
            }
        }
        Scopes { custom }
    }

    fn namespaced(&self, object: &Object) -> bool {
        let (group, kind) = (object.group(), object.kind());
        builtin_kind_namespaced(group, kind)
            .or_else(|| {
                self.custom
                    .get(&(group.to_owned(), kind.to_owned()))
                    .copied()
            })
            .unwrap_or(true)
    }
}

/// `object` with `metadata.namespace` set (after `metadata.name` when there is
/// one). An object whose `metadata` is not a mapping, or whose namespace is a
/// value other than a string or `null`, is left as it is: the API server would
/// refuse it, and the analyzers read it as namespace-less.
fn with_namespace(object: Object, namespace: &str) -> Object {
    let source = object.source().clone();
    let mut root = object.into_root();
    let Some(top) = root.as_map_mut() else {
        return Object::new(root, source);
    };
    if top.get("metadata").is_none_or(Node::is_null) {
        top.insert(
            Key {
                name: "metadata".into(),
                pos: Pos::default(),
            },
            Node::new(Value::Map(Map::new()), Pos::default()),
        );
    }
    let value = Node::new(Value::String(namespace.into()), Pos::default());
    if let Some(metadata) = top.get_mut("metadata").and_then(Node::as_map_mut) {
        match metadata.get_mut("namespace") {
            Some(existing) if existing.is_null() || existing.as_str() == Some("") => {
                *existing = value;
            }
            Some(_) => {}
            None => {
                let key = Key {
                    name: "namespace".into(),
                    pos: Pos::default(),
                };
                let entries = std::mem::take(metadata).into_entries();
                let after = entries
                    .iter()
                    .position(|(k, _)| k.name == "name")
                    .map_or(entries.len(), |at| at + 1);
                let mut entries = entries;
                entries.insert(after, (key, value));
                *metadata = Map::from_unique_entries(entries);
            }
        }
    }
    Object::new(root, source)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn object(json: serde_json::Value, line: u32) -> Object {
        let mut root = Node::from_json(&json);
        if let Some(ns) = root
            .as_map_mut()
            .and_then(|m| m.get_mut("metadata"))
            .and_then(Node::as_map_mut)
            .and_then(|m| m.get_mut("namespace"))
        {
            ns.pos = Pos::new(line + 3, 14);
        }
        Object::new(
            root,
            SourceRef {
                file: Arc::from("install.yaml"),
                pos: Pos::new(line, 1),
            },
        )
    }

    fn placement(ns: &str, require: bool) -> Placement {
        Placement {
            namespace: ns.to_owned(),
            require,
        }
    }

    fn namespaces(objects: &[Object]) -> Vec<Option<&str>> {
        objects.iter().map(Object::namespace).collect()
    }

    #[test]
    fn namespaced_kinds_get_the_namespace_and_cluster_scoped_ones_do_not() {
        let objects = vec![
            object(
                serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "labels": {"a": "b"}}}),
                1,
            ),
            object(
                serde_json::json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa", "namespace": ""}}),
                10,
            ),
            object(
                serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "c"}}),
                20,
            ),
            object(
                serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "argocd"}}),
                30,
            ),
            object(
                serde_json::json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "s"}}),
                40,
            ),
            object(
                serde_json::json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "ro"}}),
                50,
            ),
            object(
                serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap"}),
                60,
            ),
        ];
        let placed = place(objects, &placement("argocd", true)).expect("no mismatch");
        assert_eq!(
            namespaces(&placed),
            [
                Some("argocd"),
                Some("argocd"),
                None,
                None,
                None,
                Some("argocd"),
                Some("argocd")
            ]
        );
        // Written into the tree, after the name, with no position.
        let metadata = placed[0].metadata().and_then(Node::as_map).expect("map");
        assert_eq!(
            metadata.keys().collect::<Vec<_>>(),
            ["labels", "name", "namespace"]
        );
        assert!(!metadata.get("namespace").expect("set").pos.is_known());
        assert_eq!(
            placed[6]
                .root()
                .path(&["metadata", "namespace"])
                .and_then(Node::as_str),
            Some("argocd")
        );
    }

    #[test]
    fn crds_in_the_input_decide_the_scope_of_their_kinds() {
        let crd = |kind: &str, scope: &str| {
            object(
                serde_json::json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                    "metadata": {"name": format!("{kind}.example.com")},
                    "spec": {"group": "example.com", "scope": scope, "names": {"kind": kind}}}),
                1,
            )
        };
        let objects = vec![
            crd("Gadget", "Cluster"),
            crd("Widget", "Namespaced"),
            object(
                serde_json::json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}),
                10,
            ),
            object(
                serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}),
                20,
            ),
        ];
        let placed = place(objects, &placement("ns", true)).expect("no mismatch");
        assert_eq!(namespaces(&placed), [None, None, None, Some("ns")]);
    }

    #[test]
    fn another_namespace_is_kubectls_error_when_required_and_kept_otherwise() {
        let objects = || {
            vec![
                object(
                    serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "a"}}),
                    5,
                ),
                object(
                    serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "c", "namespace": "a"}}),
                    12,
                ),
            ]
        };
        let errors = place(objects(), &placement("b", true)).expect_err("mismatch");
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "install.yaml:8:14: the namespace from the provided object \"a\" does not match the namespace \"b\". You must pass '--namespace=a' to perform this operation."
            ]
        );
        let kept = place(objects(), &placement("b", false)).expect("not required");
        assert_eq!(namespaces(&kept), [Some("a"), Some("a")]);
    }

    #[test]
    fn odd_metadata_does_not_panic() {
        let objects = vec![
            object(
                serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": "x"}),
                1,
            ),
            object(
                serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": 7}}),
                2,
            ),
            object(
                serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": null}),
                3,
            ),
            object(
                serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": null}}),
                4,
            ),
        ];
        let placed = place(objects, &placement("ns", true)).expect("no mismatch");
        assert_eq!(namespaces(&placed), [None, None, Some("ns"), Some("ns")]);
    }
}
