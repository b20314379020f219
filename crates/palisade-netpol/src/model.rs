//! The network model the engine evaluates: namespaces, workloads, and compiled
//! policies (NetworkPolicy and the admin tiers), all detached from the raw
//! object trees so that evaluation never re-reads YAML.
//!
//! Selectors that pick pods are stored once in `Model::pod_sets` and referred
//! to by index, so the engine can precompute "which classes of pods does this
//! set contain" once per set.

use std::collections::{BTreeMap, HashMap};

use palisade_core::{Inventory, NAMESPACE_NAME_LABEL, ObjectRef, SourceRef};

use crate::conn::{ConnSet, PortSet, Protocol};
use crate::ip::{IpBlock, IpRange};
use crate::{admin, ingress, policy, workloads};
use palisade_core::LabelSelector as Selector;

/// A container port of a workload's pod template.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub number: u16,
    pub protocol: Protocol,
}

/// A group of identical pods as np-guard reports them: a bare Pod, or the owner
/// (Deployment, ReplicaSet, ...) of pods or of a pod template.
#[derive(Clone, Debug)]
pub struct Workload {
    pub namespace: String,
    pub name: String,
    /// The owner kind, or `Pod` for a bare pod.
    pub kind: String,
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<ContainerPort>,
    /// Names of the Pod objects grouped here (empty for a template-only workload).
    pub pods: Vec<String>,
    pub object: ObjectRef,
    pub at: SourceRef,
}

impl Workload {
    /// np-guard's peer name: `ns/name[Kind]`.
    pub fn id(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind)
    }

    /// The container port a named port resolves to. A NetworkPolicy named port
    /// carries a protocol that must match; an admin-policy one takes the port's.
    pub fn resolve(&self, name: &str, protocol: Option<Protocol>) -> Option<(Protocol, u16)> {
        self.ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
            .filter(|p| protocol.is_none_or(|want| want == p.protocol))
            .map(|p| (p.protocol, p.number))
    }
}

/// Where the pods of a [`PodSet`] may live.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NsScope {
    /// Only the named namespace (a peer without `namespaceSelector`, or a
    /// NetworkPolicy's own `podSelector`).
    Own(String),
    /// Namespaces whose labels match.
    Selected(Selector),
}

/// A set of pods: those matching `pods` in namespaces within `namespaces`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PodSet {
    pub namespaces: NsScope,
    pub pods: Selector,
}

/// Index into [`Model::pod_sets`].
pub type PodSetId = usize;

/// One entry of a `ports` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortEntry {
    Ports(Protocol, PortSet),
    /// Resolved on the destination pod; `protocol` is `None` for admin
    /// policies, whose named ports take the container port's protocol.
    Named {
        name: String,
        protocol: Option<Protocol>,
    },
}

/// A `ports` list; `None` (absent or empty) matches every port.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortSpec {
    pub entries: Option<Vec<PortEntry>>,
}

impl PortSpec {
    pub fn has_named(&self) -> bool {
        self.entries
            .iter()
            .flatten()
            .any(|e| matches!(e, PortEntry::Named { .. }))
    }

    /// The connections this list allows toward `dst` (`None`: an external
    /// address, where a named port resolves to nothing).
    pub fn resolve(&self, dst: Option<&Workload>) -> ConnSet {
        let Some(entries) = &self.entries else {
            return ConnSet::all();
        };
        let mut out = ConnSet::none();
        for entry in entries {
            match entry {
                PortEntry::Ports(protocol, ports) => {
                    out.add(&ConnSet::from_ports(*protocol, ports.clone()))
                }
                PortEntry::Named { name, protocol } => {
                    if let Some((p, n)) = dst.and_then(|w| w.resolve(name, *protocol)) {
                        out.add(&ConnSet::single(p, n));
                    }
                }
            }
        }
        out
    }

    /// The named ports in the list.
    pub fn named(&self) -> impl Iterator<Item = (&str, Option<Protocol>)> {
        self.entries.iter().flatten().filter_map(|e| match e {
            PortEntry::Named { name, protocol } => Some((name.as_str(), *protocol)),
            PortEntry::Ports(..) => None,
        })
    }
}

/// A peer of a NetworkPolicy rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NpPeer {
    Pods(PodSetId),
    Ip(IpBlock),
}

/// One ingress or egress rule of a NetworkPolicy.
#[derive(Clone, Debug)]
pub struct NpRule {
    /// 1-based, as np-guard numbers rules.
    pub index: usize,
    /// `None`: `from`/`to` absent or empty, which matches every peer.
    pub peers: Option<Vec<NpPeer>>,
    pub ports: PortSpec,
    pub at: SourceRef,
}

#[derive(Clone, Debug)]
pub struct NetworkPolicy {
    pub namespace: String,
    pub name: String,
    pub subject: PodSetId,
    /// `None` when the effective policyTypes lack the direction (its rules then
    /// have no effect and the policy does not isolate in that direction).
    pub ingress: Option<Vec<NpRule>>,
    pub egress: Option<Vec<NpRule>>,
    pub object: ObjectRef,
    pub at: SourceRef,
}

impl NetworkPolicy {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    pub fn rules(&self, dir: Direction) -> Option<&[NpRule]> {
        match dir {
            Direction::Ingress => self.ingress.as_deref(),
            Direction::Egress => self.egress.as_deref(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Direction {
    Ingress,
    Egress,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Action {
    Allow,
    Deny,
    Pass,
}

/// A peer of an admin-tier rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminPeer {
    Pods(PodSetId),
    /// `networks`: external CIDRs (egress only).
    Networks(Vec<IpRange>),
    /// `nodes`: np-guard ignores node peers; they match nothing here either.
    Nodes,
}

#[derive(Clone, Debug)]
pub struct AdminRule {
    pub name: String,
    pub index: usize,
    pub action: Action,
    pub peers: Vec<AdminPeer>,
    pub ports: PortSpec,
    pub at: SourceRef,
}

/// An AdminNetworkPolicy, or the BaselineAdminNetworkPolicy (`baseline`).
#[derive(Clone, Debug)]
pub struct AdminPolicy {
    pub name: String,
    pub baseline: bool,
    pub priority: i64,
    pub subject: PodSetId,
    pub ingress: Vec<AdminRule>,
    pub egress: Vec<AdminRule>,
    pub object: ObjectRef,
    pub at: SourceRef,
}

impl AdminPolicy {
    pub fn kind(&self) -> &'static str {
        if self.baseline {
            "BaselineAdminNetworkPolicy"
        } else {
            "AdminNetworkPolicy"
        }
    }

    pub fn rules(&self, dir: Direction) -> &[AdminRule] {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// Something in the input the API server would reject or np-guard refuses;
/// the model skips the offending part and reports it.
#[derive(Clone, Debug)]
pub struct ModelIssue {
    pub message: String,
    pub object: Option<ObjectRef>,
    pub at: SourceRef,
}

/// Everything the engine needs, built once from an [`Inventory`].
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Namespace name to labels, the automatic name label included.
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    pub workloads: Vec<Workload>,
    pub policies: Vec<NetworkPolicy>,
    /// AdminNetworkPolicies, sorted by priority (then name, for determinism).
    pub admin: Vec<AdminPolicy>,
    pub baseline: Option<AdminPolicy>,
    pub pod_sets: Vec<PodSet>,
    pub issues: Vec<ModelIssue>,
    /// Services, for the ingress analysis ([`crate::ingress`]).
    pub services: Vec<ingress::Service>,
    /// Ingress and Route objects ([`crate::ingress`]).
    pub routes: Vec<ingress::Route>,
    /// Interning index for `pod_sets` (thousands of policies repeat selectors).
    pod_set_index: HashMap<PodSet, PodSetId>,
}

impl Model {
    /// The model np-guard builds: workloads of its eight kinds only, so that
    /// `connlist` output can be compared with np-guard's.
    pub fn from_inventory(inventory: &Inventory) -> Model {
        Model::build(inventory, false)
    }

    /// The model of every workload: also custom resources with a pod template
    /// (Argo Rollouts, Knative, JobSet, ...), for `reach`, `matrix` and lint.
    pub fn from_inventory_all_workloads(inventory: &Inventory) -> Model {
        Model::build(inventory, true)
    }

    fn build(inventory: &Inventory, every_template: bool) -> Model {
        let mut model = Model::default();
        for ns in inventory.namespaces() {
            model.namespaces.insert(ns.name.clone(), ns.labels.clone());
        }
        workloads::collect(inventory, &mut model, every_template);
        let used: Vec<String> = model
            .workloads
            .iter()
            .map(|w| w.namespace.clone())
            .collect();
        for ns in used {
            model.ensure_namespace(&ns);
        }
        policy::collect(inventory, &mut model);
        admin::collect(inventory, &mut model);
        ingress::collect(inventory, &mut model);
        model
    }

    /// Adds a namespace known only by reference, with the automatic label only.
    pub(crate) fn ensure_namespace(&mut self, name: &str) {
        self.namespaces.entry(name.to_owned()).or_insert_with(|| {
            BTreeMap::from([(NAMESPACE_NAME_LABEL.to_owned(), name.to_owned())])
        });
    }

    /// Interns a pod set and returns its id.
    pub(crate) fn pod_set(&mut self, set: PodSet) -> PodSetId {
        if let Some(&i) = self.pod_set_index.get(&set) {
            return i;
        }
        let id = self.pod_sets.len();
        self.pod_sets.push(set.clone());
        self.pod_set_index.insert(set, id);
        id
    }

    pub(crate) fn issue(
        &mut self,
        message: impl Into<String>,
        object: Option<&ObjectRef>,
        at: SourceRef,
    ) {
        self.issues.push(ModelIssue {
            message: message.into(),
            object: object.cloned(),
            at,
        });
    }

    /// Whether workload `w` belongs to pod set `set`.
    pub fn in_pod_set(&self, set: PodSetId, w: &Workload) -> bool {
        let Some(set) = self.pod_sets.get(set) else {
            return false;
        };
        let ns_ok = match &set.namespaces {
            NsScope::Own(ns) => *ns == w.namespace,
            NsScope::Selected(sel) => self
                .namespaces
                .get(&w.namespace)
                .is_some_and(|l| sel.matches(l)),
        };
        ns_ok && set.pods.matches(&w.labels)
    }

    /// Finds a workload by `ns/name[Kind]`, `ns/name` (workload or pod name), or
    /// `name` in `default`.
    pub fn find_workload(&self, query: &str) -> Option<usize> {
        if let Some(i) = self.workloads.iter().position(|w| w.id() == query) {
            return Some(i);
        }
        let (ns, name) = query.split_once('/').unwrap_or(("default", query));
        self.workloads
            .iter()
            .position(|w| w.namespace == ns && w.name == name)
            .or_else(|| {
                self.workloads
                    .iter()
                    .position(|w| w.namespace == ns && w.pods.iter().any(|p| p == name))
            })
    }
}
