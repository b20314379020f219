//! The admission request a policy is evaluated against, and the objects a
//! policy may read besides it (params, namespaces), supplied by the caller.

use std::collections::BTreeMap;

use palisade_core::Node;
use palisade_core::api_resources::BUILTIN_RESOURCES;
use serde_json::{Value as Json, json};

/// The attributes of one admission request, as the API server builds the
/// `request` variable. Build one with [`AdmissionRequest::from_json`] (an
/// `AdmissionRequest` as in an AdmissionReview) or
/// [`AdmissionRequest::for_object`] (what `kubectl apply` of an object would
/// send).
#[derive(Clone, Debug, PartialEq)]
pub struct AdmissionRequest {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub resource: String,
    pub sub_resource: String,
    pub name: String,
    pub namespace: String,
    pub operation: String,
    pub user_info: Json,
    pub dry_run: bool,
    pub options: Json,
    pub object: Option<Json>,
    pub old_object: Option<Json>,
}

fn text(v: &Json, path: &[&str]) -> String {
    let mut cur = v;
    for key in path {
        match cur.get(key) {
            Some(next) => cur = next,
            None => return String::new(),
        }
    }
    cur.as_str().unwrap_or_default().to_owned()
}

fn present(v: Option<&Json>) -> Option<Json> {
    v.filter(|o| !o.is_null()).cloned()
}

/// `apps/v1` → (`apps`, `v1`); `v1` → (``, `v1`).
pub fn split_api_version(api_version: &str) -> (String, String) {
    match api_version.split_once('/') {
        Some((g, v)) => (g.to_owned(), v.to_owned()),
        None => (String::new(), api_version.to_owned()),
    }
}

/// The resource (plural) of a kind: the built-in table, else the
/// conventional lowercase plural (`Foo` → `foos`, `Policy` → `policies`),
/// which is what CRDs almost always declare.
pub fn resource_for_kind(group: &str, kind: &str) -> String {
    if let Some(row) = BUILTIN_RESOURCES
        .iter()
        .find(|r| r.0 == group && r.3 == kind)
    {
        return row.1.to_owned();
    }
    let lower = kind.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if lower.ends_with('s')
        || lower.ends_with("ch")
        || lower.ends_with("sh")
        || lower.ends_with('x')
    {
        return format!("{lower}es");
    }
    format!("{lower}s")
}

/// Whether a kind is namespaced, from the built-in table (`None`: unknown).
pub fn builtin_namespaced(group: &str, kind: &str) -> Option<bool> {
    BUILTIN_RESOURCES
        .iter()
        .find(|r| r.0 == group && r.3 == kind)
        .map(|r| r.5)
}

impl AdmissionRequest {
    /// From an `AdmissionRequest` (the `request` of an AdmissionReview).
    /// Missing fields read as empty, as Go's zero values.
    pub fn from_json(request: &Json) -> AdmissionRequest {
        let mut r = AdmissionRequest {
            group: text(request, &["kind", "group"]),
            version: text(request, &["kind", "version"]),
            kind: text(request, &["kind", "kind"]),
            resource: text(request, &["resource", "resource"]),
            sub_resource: text(request, &["subResource"]),
            name: text(request, &["name"]),
            namespace: text(request, &["namespace"]),
            operation: text(request, &["operation"]),
            user_info: request
                .get("userInfo")
                .cloned()
                .unwrap_or_else(|| json!({})),
            dry_run: request
                .get("dryRun")
                .and_then(Json::as_bool)
                .unwrap_or(false),
            options: request.get("options").cloned().unwrap_or(Json::Null),
            object: present(request.get("object")),
            old_object: present(request.get("oldObject")),
        };
        r.fill_from_object();
        r
    }

    /// A request for `object` with `operation` (`CREATE`, `UPDATE`, ...):
    /// kind from its apiVersion and kind, resource from the kind, name and
    /// namespace from its metadata. For `DELETE` the object is the old object.
    pub fn for_object(object: &Json, operation: &str) -> AdmissionRequest {
        let (object, old_object) = if operation == "DELETE" {
            (None, Some(object.clone()))
        } else {
            (Some(object.clone()), None)
        };
        let mut r = AdmissionRequest {
            group: String::new(),
            version: String::new(),
            kind: String::new(),
            resource: String::new(),
            sub_resource: String::new(),
            name: String::new(),
            namespace: String::new(),
            operation: operation.to_owned(),
            user_info: json!({}),
            dry_run: false,
            options: Json::Null,
            object,
            old_object,
        };
        r.fill_from_object();
        r
    }

    /// Fills kind, resource, name and namespace that the request left empty
    /// from the object (or old object): an AdmissionReview written by hand
    /// often omits them, the API server never does.
    pub fn fill_from_object(&mut self) {
        let Some(obj) = self.object.as_ref().or(self.old_object.as_ref()).cloned() else {
            return;
        };
        if self.kind.is_empty() {
            let (g, v) = split_api_version(&text(&obj, &["apiVersion"]));
            self.group = g;
            self.version = v;
            self.kind = text(&obj, &["kind"]);
        }
        if self.resource.is_empty() && !self.kind.is_empty() {
            self.resource = resource_for_kind(&self.group, &self.kind);
        }
        if self.name.is_empty() {
            self.name = text(&obj, &["metadata", "name"]);
        }
        if self.namespace.is_empty() {
            self.namespace = text(&obj, &["metadata", "namespace"]);
        }
    }

    /// The `request` CEL variable: the AdmissionRequest without the objects
    /// (those are `object` and `oldObject`), as the API server builds it.
    pub fn to_cel_json(&self) -> Json {
        let mut r = json!({
            "uid": "",
            "kind": {"group": self.group, "version": self.version, "kind": self.kind},
            "resource": {"group": self.group, "version": self.version, "resource": self.resource},
            "requestKind": {"group": self.group, "version": self.version, "kind": self.kind},
            "requestResource": {"group": self.group, "version": self.version, "resource": self.resource},
            "name": self.name,
            "namespace": self.namespace,
            "operation": self.operation,
            "userInfo": self.user_info,
            "dryRun": self.dry_run,
        });
        if let Some(map) = r.as_object_mut() {
            if !self.sub_resource.is_empty() {
                map.insert("subResource".into(), json!(self.sub_resource));
                map.insert("requestSubResource".into(), json!(self.sub_resource));
            }
            if !self.options.is_null() {
                map.insert("options".into(), self.options.clone());
            }
        }
        r
    }

    /// True when the request is for a Namespace object itself.
    pub fn is_namespace(&self) -> bool {
        self.group.is_empty() && self.resource == "namespaces"
    }
}

/// The labels of an object (`metadata.labels`), as strings.
pub fn labels_of(object: &Json) -> BTreeMap<String, String> {
    object
        .get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// Where the policies find the objects they read besides the request:
/// params (`paramRef`) and Namespaces (`namespaceSelector`,
/// `namespaceObject`). A slice of `Node`s is one.
pub trait ObjectSource {
    /// The objects of `apiVersion`/`kind`, in `namespace` (`None`: any
    /// namespace, or cluster-scoped objects). The built-in sources compare
    /// the API group and kind only: the API server serves an object at every
    /// version of its kind, so a `v1` constraint is a `v1beta1` param too.
    fn objects(&self, api_version: &str, kind: &str, namespace: Option<&str>) -> Vec<Json>;

    /// Whether `apiVersion`/`kind` is namespaced. The default reads the
    /// built-in table and, for other kinds (CRDs), infers it from the
    /// supplied objects: namespaced if any has a namespace.
    fn is_namespaced(&self, api_version: &str, kind: &str) -> bool {
        let (group, _) = split_api_version(api_version);
        builtin_namespaced(&group, kind).unwrap_or_else(|| {
            self.objects(api_version, kind, None)
                .iter()
                .any(|o| !text(o, &["metadata", "namespace"]).is_empty())
        })
    }

    /// The Namespace named `name`.
    fn namespace(&self, name: &str) -> Option<Json> {
        self.objects("v1", "Namespace", None)
            .into_iter()
            .find(|n| text(n, &["metadata", "name"]) == name)
    }
}

impl ObjectSource for [Node] {
    fn objects(&self, api_version: &str, kind: &str, namespace: Option<&str>) -> Vec<Json> {
        self.iter()
            .filter(|n| {
                same_group(
                    n.get("apiVersion")
                        .and_then(Node::as_str)
                        .unwrap_or_default(),
                    api_version,
                ) && n.get("kind").and_then(Node::as_str) == Some(kind)
                    && namespace.is_none_or(|ns| {
                        n.path(&["metadata", "namespace"])
                            .and_then(Node::as_str)
                            .unwrap_or_default()
                            == ns
                    })
            })
            .map(Node::to_json)
            .collect()
    }
}

impl ObjectSource for Vec<Node> {
    fn objects(&self, api_version: &str, kind: &str, namespace: Option<&str>) -> Vec<Json> {
        self.as_slice().objects(api_version, kind, namespace)
    }
}

impl ObjectSource for [Json] {
    fn objects(&self, api_version: &str, kind: &str, namespace: Option<&str>) -> Vec<Json> {
        self.iter()
            .filter(|o| {
                same_group(&text(o, &["apiVersion"]), api_version)
                    && text(o, &["kind"]) == kind
                    && namespace.is_none_or(|ns| text(o, &["metadata", "namespace"]) == ns)
            })
            .cloned()
            .collect()
    }
}

fn same_group(a: &str, b: &str) -> bool {
    split_api_version(a).0 == split_api_version(b).0
}
