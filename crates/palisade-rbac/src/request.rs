//! The attributes the API server authorizes (SPEC §2), and the identity asking.

use serde::Serialize;

/// The verbs of resource requests and of the special permissions some
/// resources check (`use` of PodSecurityPolicies, `bind`/`escalate` of roles,
/// `impersonate`, `approve`/`sign`/`attest` of certificates and bundles): the
/// list kubectl's `auth can-i` knows, without the `*` wildcard.
pub const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "impersonate",
    "approve",
    "sign",
    "attest",
];

/// The HTTP verbs of non-resource requests, without the `*` wildcard.
pub const NON_RESOURCE_VERBS: &[&str] =
    &["get", "put", "post", "head", "options", "delete", "patch"];

/// A resource request's attributes. `namespace` empty means cluster scope (or an
/// all-namespaces list); `name` empty means the request names no object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceAttributes {
    pub verb: String,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
}

impl ResourceAttributes {
    pub fn new(verb: &str, api_group: &str, resource: &str, namespace: &str) -> ResourceAttributes {
        ResourceAttributes {
            verb: verb.to_owned(),
            api_group: api_group.to_owned(),
            resource: resource.to_owned(),
            namespace: namespace.to_owned(),
            ..ResourceAttributes::default()
        }
    }

    pub fn with_subresource(mut self, subresource: &str) -> ResourceAttributes {
        self.subresource = subresource.to_owned();
        self
    }

    pub fn with_name(mut self, name: &str) -> ResourceAttributes {
        self.name = name.to_owned();
        self
    }

    /// `resource` or `resource/subresource`, the string rules are compared with.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }
}

/// A request: either on a resource or on a non-resource URL path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Request {
    Resource(ResourceAttributes),
    NonResource { verb: String, path: String },
}

impl Request {
    pub fn resource(attrs: ResourceAttributes) -> Request {
        Request::Resource(attrs)
    }

    pub fn non_resource(verb: &str, path: &str) -> Request {
        Request::NonResource {
            verb: verb.to_owned(),
            path: path.to_owned(),
        }
    }

    pub fn verb(&self) -> &str {
        match self {
            Request::Resource(a) => &a.verb,
            Request::NonResource { verb, .. } => verb,
        }
    }

    /// Non-resource requests are always cluster-scoped (SPEC §4).
    pub fn namespace(&self) -> &str {
        match self {
            Request::Resource(a) => &a.namespace,
            Request::NonResource { .. } => "",
        }
    }

    /// A one-line form for messages: `get pods/log "p1" in ns`, `get /healthz`.
    pub fn display(&self) -> String {
        match self {
            Request::Resource(a) => {
                let group = if a.api_group.is_empty() {
                    String::new()
                } else {
                    format!(".{}", a.api_group)
                };
                let mut out = format!("{} {}{}", a.verb, a.combined_resource(), group);
                if !a.name.is_empty() {
                    out.push_str(&format!(" {:?}", a.name));
                }
                if a.namespace.is_empty() {
                    out.push_str(" (cluster scope)");
                } else {
                    out.push_str(&format!(" in namespace {}", a.namespace));
                }
                out
            }
            Request::NonResource { verb, path } => format!("{verb} {path}"),
        }
    }
}
