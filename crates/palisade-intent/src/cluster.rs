//! What admission reads from the cluster besides the request: namespaces with
//! their labels (the input's Namespace objects, plus declared ones) and the
//! pods of each namespace (for Pod Security's dry run). Also the request an
//! object makes, shaped as the API server sends it to admission.

use std::collections::HashMap;
use std::sync::Arc;

use palisade_admission::namespaces::Labels;
use palisade_admission::{Admission, Context, ExistingPods, Request, Response, StaticNamespaces};
use palisade_core::{Node, Object};
use palisade_rbac::{Discovery, UserInfo};
use serde_json::{Value, json};

/// The namespaces and pods admission may ask about.
#[derive(Default)]
pub struct AdmissionCluster {
    pub namespaces: StaticNamespaces,
    pub pods: HashMap<String, Vec<Arc<Node>>>,
}

impl AdmissionCluster {
    /// From the objects of the input (Namespace and Pod objects) and namespaces
    /// declared on the command line, which replace the labels of a Namespace object.
    pub fn new<'a>(
        objects: impl IntoIterator<Item = &'a Object>,
        declared: &[(String, Labels)],
    ) -> AdmissionCluster {
        let mut cluster = AdmissionCluster::default();
        for object in objects {
            cluster.add(object);
        }
        for (name, labels) in declared {
            cluster.namespaces.insert(name, labels.clone());
        }
        cluster
    }

    /// Takes in one more object (a Namespace or a Pod; others change nothing here).
    pub fn add(&mut self, object: &Object) {
        let root = object.root();
        if self.namespaces.insert_object(root) {
            return;
        }
        if object.kind() == "Pod" && object.api_version() == "v1" {
            let namespace = object.namespace().unwrap_or("default").to_owned();
            self.pods
                .entry(namespace)
                .or_default()
                .push(Arc::new(root.clone()));
        }
    }

    /// One request through admission, listing a namespace's pods when a policy
    /// asks for them (as `palisade admit` does).
    pub fn review(&self, admission: &Admission, request: &Request) -> Response {
        let mut existing: Option<ExistingPods> = None;
        // Asked at most once: with the pods given, review always answers.
        for _ in 0..2 {
            let context = Context {
                namespaces: &self.namespaces,
                existing_pods: existing.as_ref(),
                deadline: None,
            };
            match admission.review(request, &context) {
                Ok(response) => return response,
                Err(namespace) => {
                    existing = Some(Ok(self.pods.get(&namespace).cloned().unwrap_or_default()));
                }
            }
        }
        Response::default()
    }
}

/// The write one object makes.
pub struct Write<'a> {
    pub object: &'a Node,
    /// The object it replaces, for an UPDATE.
    pub old: Option<&'a Node>,
    /// `CREATE` or `UPDATE`.
    pub operation: &'a str,
    /// The namespace of a namespaced object that names none.
    pub default_namespace: &'a str,
    pub user: &'a UserInfo,
    pub uid: String,
}

/// The AdmissionReview request the API server would send for `write`, decoded
/// as the webhook decodes it. The resource comes from the built-in API table
/// and the CRDs given; the namespace is filled in as the API server does.
pub fn request_for(write: &Write, discovery: &Discovery) -> Result<Request, String> {
    let object = write.object;
    let text = |path: &[&str]| object.path(path).and_then(Node::as_str).unwrap_or("");
    let kind = text(&["kind"]);
    let (group, version) = match text(&["apiVersion"]).split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", text(&["apiVersion"])),
    };
    let served = discovery
        .resources()
        .iter()
        .find(|r| r.group == group && r.kind == kind);
    let resource = served
        .map(|r| r.plural.clone())
        .unwrap_or_else(|| kind.to_lowercase() + "s");
    let namespaced = served.is_none_or(|r| r.namespaced);
    let name = text(&["metadata", "name"]);
    let namespace = match (kind, namespaced, text(&["metadata", "namespace"])) {
        ("Namespace", _, _) => name.to_owned(),
        (_, false, _) => String::new(),
        (_, true, "") => write.default_namespace.to_owned(),
        (_, true, ns) => ns.to_owned(),
    };
    let mut object_json = object.to_json();
    if namespaced
        && kind != "Namespace"
        && let Some(metadata) = object_json
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
    {
        metadata.insert("namespace".to_owned(), json!(namespace));
    }
    let gvk = json!({"group": group, "version": version, "kind": kind});
    let gvr = json!({"group": group, "version": version, "resource": resource});
    let review = json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": write.uid,
            "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr,
            "name": name,
            "namespace": namespace,
            "operation": write.operation,
            "userInfo": {"username": write.user.name, "groups": write.user.groups},
            "object": object_json,
            "oldObject": write.old.map(Node::to_json),
            "dryRun": false,
        }
    });
    let body = serde_json::to_vec(&review).map_err(|e| e.to_string())?;
    palisade_admission::decode_request(&body).map_err(|e| e.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request's resource, for an object of `kind` in `api_version`.
    fn resource_of(api_version: &str, kind: &str) -> String {
        let object = Node::from_json(&json!({
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"name": "x"},
        }));
        let user = UserInfo::default();
        let write = Write {
            object: &object,
            old: None,
            operation: "CREATE",
            default_namespace: "default",
            user: &user,
            uid: "u".to_owned(),
        };
        request_for(&write, &Discovery::new(&[]))
            .map(|request| request.resource.resource)
            .unwrap_or_else(|e| panic!("{kind}: {e}"))
    }

    #[test]
    fn plural_names_follow_the_api() {
        assert_eq!(resource_of("v1", "Pod"), "pods");
        assert_eq!(
            resource_of("networking.k8s.io/v1", "NetworkPolicy"),
            "networkpolicies"
        );
        assert_eq!(resource_of("networking.k8s.io/v1", "Ingress"), "ingresses");
        assert_eq!(resource_of("batch/v1", "CronJob"), "cronjobs");
    }
}
