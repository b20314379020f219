//! The `input.review` document Gatekeeper gives a template: the admission
//! request serialised as Go serialises `admission/v1.AdmissionRequest`, plus
//! `namespaceObject`.
//!
//! Three sources build it: a bare object (gator and `scan`: empty `operation`,
//! empty `uid` and resource, as gator does), an `AdmissionReview` file (its
//! `request`, normalised the same way), and a live request in the webhook.

use palisade_core::Node;
use regorus::Value;

use crate::value::{object, to_rego};

/// One request under review, with what matching needs at hand.
#[derive(Clone, Debug, Default)]
pub struct Review<'a> {
    pub uid: String,
    pub group: String,
    pub version: String,
    pub kind: String,
    /// `resource` of the request (empty for bare objects).
    pub resource: (String, String, String),
    pub sub_resource: String,
    pub name: String,
    pub namespace: String,
    /// `CREATE`, `UPDATE`, `DELETE`, `CONNECT`, or empty for a bare object.
    pub operation: String,
    /// `userInfo` as JSON (`{}` when unknown).
    pub user_info: Option<&'a Node>,
    pub object: Option<&'a Node>,
    pub old_object: Option<&'a Node>,
    pub dry_run: Option<bool>,
    pub options: Option<&'a Node>,
    /// The object's Namespace, when the caller has it (`{}` in the document
    /// otherwise, as gator gives it).
    pub namespace_object: Option<&'a Node>,
}

/// Group and version of an `apiVersion` (`v1` is the core group).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

fn text(node: Option<&Node>) -> &str {
    node.and_then(Node::as_str).unwrap_or("")
}

impl<'a> Review<'a> {
    /// The review gator builds for a bare object.
    pub fn of_object(object: &'a Node) -> Review<'a> {
        let (group, version) = split_api_version(text(object.get("apiVersion")));
        Review {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: text(object.get("kind")).to_owned(),
            name: text(object.path(&["metadata", "name"])).to_owned(),
            namespace: text(object.path(&["metadata", "namespace"])).to_owned(),
            object: Some(object),
            ..Review::default()
        }
    }

    /// Whether a document is an `AdmissionReview` (gator reviews its request).
    pub fn is_admission_review(document: &Node) -> bool {
        text(document.get("kind")) == "AdmissionReview"
            && split_api_version(text(document.get("apiVersion"))).0 == "admission.k8s.io"
    }

    /// The review of an `AdmissionReview` document's `request`. Missing parts are
    /// empty; for a `DELETE`, the object under review is the old object, as
    /// gator does it.
    pub fn of_admission_review(document: &'a Node) -> Result<Review<'a>, String> {
        let request = document
            .get("request")
            .filter(|r| r.as_map().is_some())
            .ok_or("the AdmissionReview has no request object")?;
        let gvk = request.get("kind");
        let gvr = request.get("resource");
        let field = |node: Option<&Node>, key: &str| text(node.and_then(|n| n.get(key))).to_owned();
        let present = |key: &str| request.get(key).filter(|n| !n.is_null());
        let operation = text(request.get("operation")).to_owned();
        let mut object = present("object");
        let old_object = present("oldObject");
        if operation == "DELETE" && object.is_none() {
            object = old_object;
        }
        Ok(Review {
            uid: text(request.get("uid")).to_owned(),
            group: field(gvk, "group"),
            version: field(gvk, "version"),
            kind: field(gvk, "kind"),
            resource: (
                field(gvr, "group"),
                field(gvr, "version"),
                field(gvr, "resource"),
            ),
            sub_resource: text(request.get("subResource")).to_owned(),
            name: text(request.get("name")).to_owned(),
            namespace: text(request.get("namespace")).to_owned(),
            operation,
            user_info: present("userInfo"),
            object,
            old_object,
            dry_run: request.get("dryRun").and_then(Node::as_bool),
            options: present("options"),
            namespace_object: None,
        })
    }

    /// The objects that matching looks at: the object and the old object.
    pub fn objects(&self) -> impl Iterator<Item = &'a Node> {
        self.object.into_iter().chain(self.old_object)
    }

    /// The `input.review` value.
    pub fn to_rego(&self) -> Value {
        let gvk = object([
            ("group", Value::from(self.group.as_str())),
            ("version", Value::from(self.version.as_str())),
            ("kind", Value::from(self.kind.as_str())),
        ]);
        let (group, version, resource) = &self.resource;
        let gvr = object([
            ("group", Value::from(group.as_str())),
            ("version", Value::from(version.as_str())),
            ("resource", Value::from(resource.as_str())),
        ]);
        let or_null = |node: Option<&Node>| node.map_or(Value::Null, to_rego);
        let mut entries = vec![
            ("uid", Value::from(self.uid.as_str())),
            ("kind", gvk),
            ("resource", gvr),
        ];
        // Go's `omitempty` fields appear only when set.
        let optional = [
            ("subResource", &self.sub_resource),
            ("name", &self.name),
            ("namespace", &self.namespace),
        ];
        for (key, value) in optional {
            if !value.is_empty() {
                entries.push((key, Value::from(value.as_str())));
            }
        }
        entries.push(("operation", Value::from(self.operation.as_str())));
        entries.push((
            "userInfo",
            self.user_info.map_or_else(Value::new_object, to_rego),
        ));
        entries.push(("object", or_null(self.object)));
        entries.push(("oldObject", or_null(self.old_object)));
        if let Some(dry_run) = self.dry_run {
            entries.push(("dryRun", Value::Bool(dry_run)));
        }
        entries.push(("options", or_null(self.options)));
        entries.push((
            "namespaceObject",
            self.namespace_object
                .map_or_else(Value::new_object, to_rego),
        ));
        object(entries)
    }
}

/// Labels of an object (string values only, as the API stores them).
pub fn labels_of(node: &Node) -> std::collections::BTreeMap<String, String> {
    palisade_core::object::string_entries(node.path(&["metadata", "labels"]))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}
