//! The expectations file as data: what `palisade test` checks. The shapes
//! follow the shared contract (`apiVersion: palisade.dev/v1alpha1`, `kind:
//! SecurityExpectations`) that `palisade harden` writes; [`crate::reader`]
//! fills them, strictly, keeping where each expectation was written.

use std::collections::BTreeMap;

use palisade_core::{Node, SourceRef};
use palisade_netpol::Protocol;

/// The `apiVersion` of an expectations file.
pub const API_VERSION: &str = "palisade.dev/v1alpha1";
/// The `kind` of an expectations file.
pub const KIND: &str = "SecurityExpectations";
/// The user an RBAC expectation asks for when it names none.
pub const DEFAULT_USER: &str = "palisade:expectation-user";

/// A whole expectations file.
#[derive(Clone, Debug)]
pub struct Expectations {
    /// The file as given on the command line (paths of `file:` are relative to it).
    pub file: String,
    pub items: Vec<Expectation>,
}

/// One expectation: a name (written or derived), where it was written, and what it checks.
#[derive(Clone, Debug)]
pub struct Expectation {
    pub name: String,
    pub at: SourceRef,
    pub check: Check,
}

/// What one expectation checks, by the key that introduces it.
#[derive(Clone, Debug)]
pub enum Check {
    /// `can` (`expect_allowed`) or `cannot`.
    Access {
        expect_allowed: bool,
        question: AccessQuestion,
    },
    /// `only`: the subject holds nothing outside these rules.
    Only {
        subject: Subject,
        rules: Vec<Allowance>,
    },
    /// `reach` (`expect_reach`) or `isolated`.
    Network { expect_reach: bool, flow: Flow },
    /// `admitted` (`expect_admitted`) or `rejected`.
    Admission {
        expect_admitted: bool,
        case: AdmissionCase,
    },
}

impl Check {
    /// The key that introduced the expectation (`can`, `isolated`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Check::Access {
                expect_allowed: true,
                ..
            } => "can",
            Check::Access { .. } => "cannot",
            Check::Only { .. } => "only",
            Check::Network {
                expect_reach: true, ..
            } => "reach",
            Check::Network { .. } => "isolated",
            Check::Admission {
                expect_admitted: true,
                ..
            } => "admitted",
            Check::Admission { .. } => "rejected",
        }
    }
}

/// Who an RBAC expectation is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A user and its groups (the user defaults to [`DEFAULT_USER`]).
    User { name: String, groups: Vec<String> },
    /// `serviceAccount: NS/NAME`.
    ServiceAccount { namespace: String, name: String },
}

impl Subject {
    /// `user alice (groups developers)`, `ServiceAccount production/deployer`.
    pub fn describe(&self) -> String {
        match self {
            Subject::User { name, groups } if groups.is_empty() => format!("user {name}"),
            Subject::User { name, groups } if name == DEFAULT_USER => {
                format!("group {}", groups.join(", "))
            }
            Subject::User { name, groups } => {
                format!("user {name} (groups {})", groups.join(", "))
            }
            Subject::ServiceAccount { namespace, name } => {
                format!("ServiceAccount {namespace}/{name}")
            }
        }
    }
}

/// What a request is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `resource: TYPE[.GROUP][/SUBRESOURCE]`, in `namespace` (cluster-wide when
    /// absent), optionally one object by `name`.
    Resource {
        resource: String,
        namespace: Option<String>,
        name: Option<String>,
    },
    /// `nonResourceURL: /path`.
    NonResource { url: String },
}

/// `can` / `cannot`: may the subject do `verb` on the target?
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessQuestion {
    pub subject: Subject,
    pub verb: String,
    pub target: Target,
}

/// One rule of `only`: permissions the subject may hold, in a namespace or
/// cluster-wide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowance {
    pub namespace: Option<String>,
    pub verbs: Vec<String>,
    /// `TYPE[.GROUP][/SUBRESOURCE]`, as `can` takes them.
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
    pub at: SourceRef,
}

/// An end of a network flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointSpec {
    /// The `{ingress-controller}` peer.
    IngressController,
    /// `NS/NAME` or `NS/NAME[Kind]`: a workload of the input.
    Workload(String),
    /// An address or CIDR outside the cluster.
    External(String),
    /// A pod with these labels in this namespace, whether or not the input has one.
    Hypothetical {
        namespace: String,
        labels: BTreeMap<String, String>,
    },
}

impl EndpointSpec {
    /// How explanations name the endpoint.
    pub fn describe(&self) -> String {
        match self {
            EndpointSpec::IngressController => "ingress-controller".to_owned(),
            EndpointSpec::Workload(name) | EndpointSpec::External(name) => name.clone(),
            EndpointSpec::Hypothetical { namespace, labels } => {
                format!("a pod {} in {namespace}", describe_labels(labels))
            }
        }
    }
}

/// `{app=web, tier=front}`, or `{}`.
pub fn describe_labels(labels: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", pairs.join(", "))
}

/// `reach` / `isolated`: traffic between two endpoints, on one port or any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub from: EndpointSpec,
    pub from_at: SourceRef,
    pub to: EndpointSpec,
    pub to_at: SourceRef,
    pub port: Option<(Protocol, u16)>,
}

/// `admitted` / `rejected`: one object through admission.
#[derive(Clone, Debug)]
pub struct AdmissionCase {
    /// The object, inline or read from `file:`.
    pub object: Node,
    /// Where the object came from (`file:line:col`), for messages.
    pub object_at: SourceRef,
    pub namespace: Option<String>,
    pub operation: Operation,
    /// UPDATE only (required there): the object before the update.
    pub old_object: Option<Node>,
    pub user: Option<String>,
    /// `rejected` only: `pod-security`, or the name of the constraint, policy or
    /// binding that must reject it.
    pub by: Option<String>,
    /// `rejected` only: a substring of the denial message.
    pub message: Option<String>,
}

/// The admission operation of an [`AdmissionCase`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
        }
    }
}
