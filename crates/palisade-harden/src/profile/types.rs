//! The checked profile: what the generators read. Every value here has passed
//! `validate.rs` (names are valid, resources resolved, no wildcards), so the
//! generators never fail.

use std::collections::BTreeMap;

/// A hardening profile, read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The profile file's name without its folder (for the generated files'
    /// headers, so that output does not depend on where the command ran).
    pub source: String,
    pub namespaces: Vec<Namespace>,
    pub access: Vec<Grant>,
    pub network: Network,
    pub policies: Policies,
}

/// A Pod Security Standards level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespace {
    pub name: String,
    /// `None`: no Pod Security labels at all (the cluster's defaults apply).
    pub pod_security: Option<PodSecurity>,
    pub labels: BTreeMap<String, String>,
}

/// The three Pod Security Admission modes and the policy version they pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSecurity {
    pub enforce: Level,
    pub audit: Level,
    pub warn: Level,
    /// `latest` or `v1.N`.
    pub version: String,
}

/// Who a grant is for, as an RBAC subject.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    Group(String),
    User(String),
    ServiceAccount { namespace: String, name: String },
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Namespaces(Vec<String>),
    ClusterWide,
}

/// One resource of a grant, resolved against the built-in API table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// The API group (`""` for the core group).
    pub group: String,
    /// The plural name with its subresource, as RBAC rules name it (`pods/log`).
    pub resource: String,
}

impl Resource {
    /// Whether the resource is of a built-in API group (not a custom resource,
    /// which the API server knows only from its CustomResourceDefinition).
    pub fn is_builtin(&self) -> bool {
        palisade_core::api_resources::BUILTIN_RESOURCES
            .iter()
            .any(|row| row.0 == self.group)
    }

    /// `TYPE[.GROUP][/SUBRESOURCE]`, as `rbac can-i` and the expectations name it.
    pub fn qualified(&self) -> String {
        let (plural, sub) = match self.resource.split_once('/') {
            Some((plural, sub)) => (plural, Some(sub)),
            None => (self.resource.as_str(), None),
        };
        let mut text = plural.to_owned();
        if !self.group.is_empty() {
            text.push('.');
            text.push_str(&self.group);
        }
        if let Some(sub) = sub {
            text.push('/');
            text.push_str(sub);
        }
        text
    }
}

/// Team access: these subjects may use these verbs on these resources there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub name: String,
    pub subjects: Vec<Subject>,
    pub scope: Scope,
    pub verbs: Vec<String>,
    pub resources: Vec<Resource>,
    /// RBAC findings the grant causes on purpose: harden writes each as a
    /// suppression annotation, with its reason, on the grant's bindings.
    pub accepted_risks: Vec<AcceptedRisk>,
}

/// An RBAC risk a grant accepts: a rule id of the RBAC analysis that reports
/// on bindings, and the reason, as the suppression annotation's value takes it
/// (`REASON` or `REASON; expires=YYYY-MM-DD`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedRisk {
    pub rule: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    /// Deny all ingress and egress of every profile namespace but what is allowed.
    pub default_deny: bool,
    pub ingress_controller: Option<Endpoint>,
    pub allow: Vec<Flow>,
}

/// Pods of a namespace; an empty selector means all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub namespace: String,
    pub pod_selector: BTreeMap<String, String>,
}

impl Endpoint {
    /// The pod selector as `k=v,k=v`, for comments and expectation names.
    pub fn selector_text(&self) -> String {
        let labels: Vec<String> = self
            .pod_selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        labels.join(",")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The profile's `network.ingressController`.
    IngressController,
    Pods(Endpoint),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    pub port: u16,
    pub protocol: Protocol,
}

/// An allowed connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub name: String,
    pub from: Source,
    pub to: Endpoint,
    pub ports: Vec<Port>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policies {
    pub run_as_non_root: Option<PolicyScope>,
    pub require_limits: Option<PolicyScope>,
}

/// The namespaces an admission policy applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyScope {
    /// Every namespace but these.
    All {
        excluded: Vec<String>,
    },
    Namespaces(Vec<String>),
}

impl PolicyScope {
    pub fn covers(&self, namespace: &str) -> bool {
        match self {
            PolicyScope::All { excluded } => !excluded.iter().any(|n| n == namespace),
            PolicyScope::Namespaces(names) => names.iter().any(|n| n == namespace),
        }
    }
}
