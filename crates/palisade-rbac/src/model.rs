//! Typed RBAC objects read from `palisade_core::Object`s, taken as written.
//!
//! Parsing never fails: a field of the wrong type reads as absent, so an invalid
//! object still becomes a value that the engine evaluates the way the API server's
//! authorizer would (it grants nothing where upstream grants nothing) and that
//! `validate` can report. Every typed object keeps its `SourceRef` and `ObjectRef`
//! so findings can point at the manifest line.

use std::collections::BTreeMap;

use palisade_core::{LabelSelector, Node, Object, ObjectRef, SourceRef, string_entries};
use serde::Serialize;

/// The API group of every RBAC kind.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// One `PolicyRule`. Absent lists are empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs")]
    pub non_resource_urls: Vec<String>,
}

impl PolicyRule {
    /// Reads a rule mapping as the API server decodes it: a `null` list item is
    /// `""` (so `apiGroups: [~]` is the core group); items of other types are
    /// skipped (they could not match any request string).
    pub fn from_node(node: &Node) -> PolicyRule {
        let list = |key: &str| -> Vec<String> {
            node.get(key)
                .map(|n| n.go_strings().map(|(s, _)| s.to_owned()).collect())
                .unwrap_or_default()
        };
        PolicyRule {
            verbs: list("verbs"),
            api_groups: list("apiGroups"),
            resources: list("resources"),
            resource_names: list("resourceNames"),
            non_resource_urls: list("nonResourceURLs"),
        }
    }

    /// Builds a rule from string slices (tests, probes, generated input).
    pub fn new(verbs: &[&str], api_groups: &[&str], resources: &[&str]) -> PolicyRule {
        let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        PolicyRule {
            verbs: own(verbs),
            api_groups: own(api_groups),
            resources: own(resources),
            ..PolicyRule::default()
        }
    }

    pub fn with_names(mut self, names: &[&str]) -> PolicyRule {
        self.resource_names = names.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub fn non_resource(verbs: &[&str], urls: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: verbs.iter().map(|s| (*s).to_owned()).collect(),
            non_resource_urls: urls.iter().map(|s| (*s).to_owned()).collect(),
            ..PolicyRule::default()
        }
    }

    /// A compact one-line form for messages: `verbs=[get] apiGroups=[""] resources=[pods]`.
    pub fn summary(&self) -> String {
        let list = |v: &[String]| {
            let quoted: Vec<String> = v
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        "\"\"".to_owned()
                    } else {
                        s.clone()
                    }
                })
                .collect();
            format!("[{}]", quoted.join(","))
        };
        let mut out = format!("verbs={}", list(&self.verbs));
        if !self.non_resource_urls.is_empty() {
            out.push_str(&format!(
                " nonResourceURLs={}",
                list(&self.non_resource_urls)
            ));
        }
        if !self.api_groups.is_empty() || !self.resources.is_empty() {
            out.push_str(&format!(
                " apiGroups={} resources={}",
                list(&self.api_groups),
                list(&self.resources)
            ));
        }
        if !self.resource_names.is_empty() {
            out.push_str(&format!(" resourceNames={}", list(&self.resource_names)));
        }
        out
    }
}

/// Role or ClusterRole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// A Role or ClusterRole as written.
#[derive(Clone, Debug)]
pub struct RoleDef {
    pub kind: RoleKind,
    /// The Role's namespace (defaulted to `default`); empty for ClusterRoles.
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// `rules` as written. For aggregated ClusterRoles the engine uses computed rules instead.
    pub rules: Vec<PolicyRule>,
    /// `aggregationRule.clusterRoleSelectors` when `aggregationRule` is present
    /// (ClusterRoles only). `Some(vec![])` means an aggregationRule with no selectors.
    pub aggregation: Option<Vec<LabelSelector>>,
    pub source: SourceRef,
    pub object: ObjectRef,
}

impl RoleDef {
    /// Reads a Role or ClusterRole; `None` for any other kind.
    pub fn from_object(object: &Object) -> Option<RoleDef> {
        let kind = match object.kind() {
            "Role" => RoleKind::Role,
            "ClusterRole" => RoleKind::ClusterRole,
            _ => return None,
        };
        if !is_rbac_api(object) {
            return None;
        }
        let root = object.root();
        let rules = root
            .get("rules")
            .map(|n| n.items().map(PolicyRule::from_node).collect())
            .unwrap_or_default();
        // Upstream ignores aggregationRule on anything but a ClusterRole (Roles have no such field).
        let aggregation = match kind {
            RoleKind::ClusterRole => {
                root.get("aggregationRule")
                    .filter(|n| !n.is_null())
                    .map(|n| {
                        // A selector the API server cannot convert selects no role, so it
                        // adds nothing to the union: leaving it out is the same.
                        n.get("clusterRoleSelectors")
                            .map(|s| {
                                s.items()
                                    .filter_map(|n| LabelSelector::parse(n).ok())
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
            }
            RoleKind::Role => None,
        };
        Some(RoleDef {
            kind,
            namespace: namespace_of(object, kind == RoleKind::Role),
            name: object.name().to_owned(),
            labels: object
                .labels()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            rules,
            aggregation,
            source: object.source().clone(),
            object: object.reference().clone(),
        })
    }

    /// True when the aggregation controller owns this role's rules (SPEC §7).
    pub fn is_aggregated(&self) -> bool {
        self.aggregation.is_some()
    }

    /// `Role/ns/name` or `ClusterRole/name`, for messages.
    pub fn display(&self) -> String {
        match self.kind {
            RoleKind::Role => format!("Role/{}/{}", self.namespace, self.name),
            RoleKind::ClusterRole => format!("ClusterRole/{}", self.name),
        }
    }
}

/// RoleBinding or ClusterRoleBinding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

impl BindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::RoleBinding => "RoleBinding",
            BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }
}

/// `roleRef` as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    pub api_group: String,
    pub kind: String,
    pub name: String,
}

/// The kinds of subject upstream's authorizer knows; anything else never matches.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
    /// An unknown kind, kept as written for reporting.
    Other(String),
}

impl SubjectKind {
    pub fn parse(kind: &str) -> SubjectKind {
        match kind {
            "User" => SubjectKind::User,
            "Group" => SubjectKind::Group,
            "ServiceAccount" => SubjectKind::ServiceAccount,
            other => SubjectKind::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
            SubjectKind::Other(kind) => kind,
        }
    }
}

/// One entry of a binding's `subjects`, as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    /// As written; empty when absent.
    pub namespace: String,
    pub api_group: String,
}

impl Subject {
    fn from_node(node: &Node) -> Subject {
        let text = |key: &str| {
            node.get(key)
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned()
        };
        Subject {
            kind: SubjectKind::parse(&text("kind")),
            name: text("name"),
            namespace: text("namespace"),
            api_group: text("apiGroup"),
        }
    }
}

/// A subject as answers report it: ServiceAccounts carry their effective namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SubjectRef {
    pub kind: SubjectKind,
    pub name: String,
    /// Only for ServiceAccounts; `None` when it cannot be determined (SA in a CRB
    /// without namespace).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl SubjectRef {
    pub fn user(name: &str) -> SubjectRef {
        SubjectRef {
            kind: SubjectKind::User,
            name: name.to_owned(),
            namespace: None,
        }
    }

    pub fn group(name: &str) -> SubjectRef {
        SubjectRef {
            kind: SubjectKind::Group,
            name: name.to_owned(),
            namespace: None,
        }
    }

    pub fn service_account(namespace: &str, name: &str) -> SubjectRef {
        SubjectRef {
            kind: SubjectKind::ServiceAccount,
            name: name.to_owned(),
            namespace: Some(namespace.to_owned()),
        }
    }

    /// `User alice`, `Group devs`, `ServiceAccount ns/sa`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind.as_str(), ns, self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }

    /// The username this subject authenticates as, for Users and ServiceAccounts.
    pub fn username(&self) -> Option<String> {
        match (&self.kind, &self.namespace) {
            (SubjectKind::User, _) => Some(self.name.clone()),
            (SubjectKind::ServiceAccount, Some(ns)) => {
                Some(service_account_username(ns, &self.name))
            }
            _ => None,
        }
    }

    /// True for identities the platform itself uses (`system:` names, including
    /// every ServiceAccount of `kube-system`), which risk reports hide by default.
    pub fn is_system(&self) -> bool {
        self.name.starts_with("system:")
            || (self.kind == SubjectKind::ServiceAccount
                && self.namespace.as_deref() == Some("kube-system"))
    }
}

/// The username of a ServiceAccount.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// A RoleBinding or ClusterRoleBinding as written.
#[derive(Clone, Debug)]
pub struct BindingDef {
    pub kind: BindingKind,
    /// The RoleBinding's namespace (defaulted to `default`); empty for ClusterRoleBindings.
    pub namespace: String,
    pub name: String,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
    pub source: SourceRef,
    pub object: ObjectRef,
}

impl BindingDef {
    pub fn from_object(object: &Object) -> Option<BindingDef> {
        let kind = match object.kind() {
            "RoleBinding" => BindingKind::RoleBinding,
            "ClusterRoleBinding" => BindingKind::ClusterRoleBinding,
            _ => return None,
        };
        if !is_rbac_api(object) {
            return None;
        }
        let root = object.root();
        let text = |path: &[&str]| {
            root.path(path)
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned()
        };
        Some(BindingDef {
            kind,
            namespace: namespace_of(object, kind == BindingKind::RoleBinding),
            name: object.name().to_owned(),
            role_ref: RoleRef {
                api_group: text(&["roleRef", "apiGroup"]),
                kind: text(&["roleRef", "kind"]),
                name: text(&["roleRef", "name"]),
            },
            subjects: root
                .get("subjects")
                .map(|n| n.items().map(Subject::from_node).collect())
                .unwrap_or_default(),
            source: object.source().clone(),
            object: object.reference().clone(),
        })
    }

    /// The namespace a ServiceAccount subject refers to: its own, else the
    /// RoleBinding's; `None` for an SA without namespace in a ClusterRoleBinding.
    pub fn subject_namespace(&self, subject: &Subject) -> Option<String> {
        if !subject.namespace.is_empty() {
            Some(subject.namespace.clone())
        } else if !self.namespace.is_empty() {
            Some(self.namespace.clone())
        } else {
            None
        }
    }

    /// The subject as answers report it (SPEC §8.2: SA namespace defaulted).
    pub fn subject_ref(&self, subject: &Subject) -> SubjectRef {
        SubjectRef {
            kind: subject.kind.clone(),
            name: subject.name.clone(),
            namespace: match subject.kind {
                SubjectKind::ServiceAccount => self.subject_namespace(subject),
                _ => None,
            },
        }
    }

    /// `RoleBinding/ns/name` or `ClusterRoleBinding/name`, for messages.
    pub fn display(&self) -> String {
        match self.kind {
            BindingKind::RoleBinding => format!("RoleBinding/{}/{}", self.namespace, self.name),
            BindingKind::ClusterRoleBinding => format!("ClusterRoleBinding/{}", self.name),
        }
    }
}

/// A ServiceAccount object (known accounts make escalation paths concrete).
#[derive(Clone, Debug)]
pub struct ServiceAccountDef {
    pub namespace: String,
    pub name: String,
    pub source: SourceRef,
    pub object: ObjectRef,
    /// `automountServiceAccountToken` as written (`None` when absent: mounted).
    pub automount: Option<bool>,
}

impl ServiceAccountDef {
    pub fn from_object(object: &Object) -> Option<ServiceAccountDef> {
        if object.kind() != "ServiceAccount" || !object.group().is_empty() {
            return None;
        }
        Some(ServiceAccountDef {
            namespace: namespace_of(object, true),
            name: object.name().to_owned(),
            source: object.source().clone(),
            object: object.reference().clone(),
            automount: object
                .root()
                .get("automountServiceAccountToken")
                .and_then(palisade_core::Node::as_bool),
        })
    }
}

/// The names a CustomResourceDefinition serves, for resolving `TYPE[.GROUP]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomResourceDef {
    pub group: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub short_names: Vec<String>,
    pub namespaced: bool,
    /// Subresources the CRD enables (`status`, `scale`).
    pub subresources: Vec<String>,
}

impl CustomResourceDef {
    pub fn from_object(object: &Object) -> Option<CustomResourceDef> {
        if object.kind() != "CustomResourceDefinition" || object.group() != "apiextensions.k8s.io" {
            return None;
        }
        let spec = object.root().get("spec")?;
        let text = |path: &[&str]| {
            spec.path(path)
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let plural = text(&["names", "plural"]);
        if plural.is_empty() {
            return None;
        }
        let mut subresources = Vec::new();
        for version in spec.get("versions").into_iter().flat_map(Node::items) {
            for (key, _) in version
                .get("subresources")
                .and_then(Node::as_map)
                .into_iter()
                .flat_map(|m| m.iter())
            {
                if !subresources.iter().any(|s| *s == key.name) {
                    subresources.push(key.name.to_string());
                }
            }
        }
        Some(CustomResourceDef {
            group: text(&["group"]),
            singular: text(&["names", "singular"]),
            kind: text(&["names", "kind"]),
            short_names: spec
                .path(&["names", "shortNames"])
                .map(|n| n.go_strings().map(|(s, _)| s.to_owned()).collect())
                .unwrap_or_default(),
            namespaced: text(&["scope"]) != "Cluster",
            subresources,
            plural,
        })
    }
}

/// RBAC kinds are accepted with any version of the RBAC group, and with no
/// apiVersion at all (hand-written case data); a same-named kind of another
/// group (a CRD called `Role`) is not RBAC.
fn is_rbac_api(object: &Object) -> bool {
    object.api_version().is_empty() || object.group() == RBAC_GROUP
}

/// A namespaced object without namespace is in `default`, as kubectl's default
/// context would place it.
fn namespace_of(object: &Object, namespaced: bool) -> String {
    if !namespaced {
        return String::new();
    }
    object.namespace().unwrap_or("default").to_owned()
}

/// Labels of a mapping node (used by selectors and tests).
pub fn labels_of(node: Option<&Node>) -> BTreeMap<String, String> {
    string_entries(node)
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}
