//! Compiling AdminNetworkPolicy and BaselineAdminNetworkPolicy
//! (`policy.networking.k8s.io`, v1alpha1 as np-guard reads it) into [`AdminPolicy`].
//!
//! Rules keep their order because the first matching rule decides; ANPs are
//! sorted by priority (lower first) because that is the order the tier walks.

use palisade_core::{Inventory, Node, Object};

use crate::conn::{PortSet, Protocol};
use crate::ip::IpRange;
use crate::model::{
    Action, AdminPeer, AdminPolicy, AdminRule, Model, NsScope, PodSet, PodSetId, PortEntry,
    PortSpec,
};
use crate::policy::port_number;
use palisade_core::LabelSelector as Selector;

const GROUP: &str = "policy.networking.k8s.io";

pub(crate) fn collect(inventory: &Inventory, model: &mut Model) {
    for object in inventory.of_kind("AdminNetworkPolicy") {
        if object.group() == GROUP
            && let Some(p) = compile(object, false, model)
        {
            model.admin.push(p);
        }
    }
    for object in inventory.of_kind("BaselineAdminNetworkPolicy") {
        if object.group() != GROUP {
            continue;
        }
        if object.name() != "default" {
            model.issue(
                "a BaselineAdminNetworkPolicy must be named \"default\"; ignored",
                Some(object.reference()),
                object.source().clone(),
            );
            continue;
        }
        if model.baseline.is_some() {
            model.issue(
                "only one BaselineAdminNetworkPolicy may exist; this one is ignored",
                Some(object.reference()),
                object.source().clone(),
            );
            continue;
        }
        model.baseline = compile(object, true, model);
    }
    model
        .admin
        .sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
    for pair in model.admin.windows(2) {
        if pair[0].priority == pair[1].priority {
            let (first, second) = (&pair[0], &pair[1]);
            let message = format!(
                "AdminNetworkPolicies {:?} and {:?} have the same priority {}; their order is undefined",
                first.name, second.name, first.priority
            );
            let (object, at) = (second.object.clone(), second.at.clone());
            model.issues.push(crate::model::ModelIssue {
                message,
                object: Some(object),
                at,
            });
        }
    }
}

/// Compiles one (Baseline)AdminNetworkPolicy, or `None` when the API server would
/// refuse it (its CRD schema: priority 0..=1000, one subject kind, an action of
/// the enum, one kind per peer, at least one peer per rule, valid ports and
/// CIDRs). A refused object does not exist in the cluster, so it is left out
/// whole, as NetworkPolicies are, and every reason is reported.
fn compile(object: &Object, baseline: bool, model: &mut Model) -> Option<AdminPolicy> {
    let issues_before = model.issues.len();
    let policy = compile_fields(object, baseline, model)?;
    (model.issues.len() == issues_before).then_some(policy)
}

/// Members of `node` among `keys` that are set (not absent, not null).
fn members_set<'a>(node: &Node, keys: &[&'a str]) -> Vec<&'a str> {
    keys.iter()
        .copied()
        .filter(|key| node.get(key).is_some_and(|v| !v.is_null()))
        .collect()
}

fn compile_fields(object: &Object, baseline: bool, model: &mut Model) -> Option<AdminPolicy> {
    let spec = object.root().get("spec");
    let priority = if baseline {
        i64::MAX
    } else {
        match spec.and_then(|s| s.get("priority")).and_then(Node::as_i64) {
            Some(p) if !(0..=1000).contains(&p) => {
                model.issue(
                    format!(
                        "spec.priority {p} is outside 0..1000; the API server refuses the policy"
                    ),
                    Some(object.reference()),
                    object.locate(spec.and_then(|s| s.get("priority"))),
                );
                return None;
            }
            Some(p) => p,
            None => {
                model.issue(
                    "AdminNetworkPolicy needs a numeric spec.priority",
                    Some(object.reference()),
                    object.source().clone(),
                );
                return None;
            }
        }
    };
    let subject_node = spec.and_then(|s| s.get("subject"));
    if let Some(node) = subject_node {
        let kinds = members_set(node, &["namespaces", "pods"]);
        if kinds.len() > 1 {
            model.issue(
                format!(
                    "spec.subject sets {}: exactly one is allowed",
                    kinds.join(" and ")
                ),
                Some(object.reference()),
                object.locate(subject_node),
            );
            return None;
        }
    }
    let subject = match subject_node.map(|s| pod_set(s, model)) {
        Some(Ok(Some(id))) => id,
        Some(Err(e)) => {
            model.issue(
                format!("spec.subject: {e}"),
                Some(object.reference()),
                object.locate(subject_node),
            );
            return None;
        }
        _ => {
            model.issue(
                "spec.subject must set namespaces or pods",
                Some(object.reference()),
                object.locate(subject_node),
            );
            return None;
        }
    };
    let rules = |key: &str, peer_key: &str, model: &mut Model| -> Vec<AdminRule> {
        let mut out = Vec::new();
        for (i, rule) in spec
            .and_then(|s| s.get(key))
            .into_iter()
            .flat_map(Node::items)
            .enumerate()
        {
            let action = match rule.get("action").and_then(Node::as_str) {
                Some("Allow") => Action::Allow,
                Some("Deny") => Action::Deny,
                Some("Pass") if !baseline => Action::Pass,
                other => {
                    model.issue(
                        format!(
                            "unsupported rule action {other:?}; the API server refuses the policy"
                        ),
                        Some(object.reference()),
                        object.locate(Some(rule)),
                    );
                    continue;
                }
            };
            if rule
                .get(peer_key)
                .and_then(Node::as_seq)
                .is_none_or(<[Node]>::is_empty)
            {
                model.issue(
                    format!("a rule needs at least one `{peer_key}` peer; the API server refuses the policy"),
                    Some(object.reference()),
                    object.locate(Some(rule)),
                );
                continue;
            }
            let mut peers = Vec::new();
            for peer in rule.get(peer_key).into_iter().flat_map(Node::items) {
                match compile_peer(peer, model) {
                    Ok(p) => peers.push(p),
                    Err(e) => model.issue(e, Some(object.reference()), object.locate(Some(peer))),
                }
            }
            let ports = compile_ports(object, rule.get("ports"), model);
            out.push(AdminRule {
                name: rule
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                index: i + 1,
                action,
                peers,
                ports,
                at: object.locate(Some(rule)),
            });
        }
        out
    };
    let ingress = rules("ingress", "from", model);
    let egress = rules("egress", "to", model);
    Some(AdminPolicy {
        name: object.name().to_owned(),
        baseline,
        priority,
        subject,
        ingress,
        egress,
        object: object.reference().clone(),
        at: object.source().clone(),
    })
}

/// `namespaces: <selector>` or `pods: {namespaceSelector, podSelector}`;
/// `Ok(None)` when the node has neither.
fn pod_set(node: &Node, model: &mut Model) -> Result<Option<PodSetId>, String> {
    if let Some(ns) = node.get("namespaces") {
        let set = PodSet {
            namespaces: NsScope::Selected(Selector::parse(ns)?),
            pods: Selector::everything(),
        };
        return Ok(Some(model.pod_set(set)));
    }
    if let Some(pods) = node.get("pods") {
        let ns = pods
            .get("namespaceSelector")
            .map(Selector::parse)
            .transpose()?
            .unwrap_or_default();
        let sel = pods
            .get("podSelector")
            .map(Selector::parse)
            .transpose()?
            .unwrap_or_default();
        let set = PodSet {
            namespaces: NsScope::Selected(ns),
            pods: sel,
        };
        return Ok(Some(model.pod_set(set)));
    }
    Ok(None)
}

fn compile_peer(peer: &Node, model: &mut Model) -> Result<AdminPeer, String> {
    let kinds = members_set(peer, &["namespaces", "pods", "networks", "nodes"]);
    if kinds.len() > 1 {
        return Err(format!(
            "a peer sets {}: exactly one is allowed",
            kinds.join(" and ")
        ));
    }
    if let Some(id) = pod_set(peer, model)? {
        return Ok(AdminPeer::Pods(id));
    }
    if let Some(networks) = peer.get("networks") {
        let mut ranges = Vec::new();
        for n in networks.items() {
            let text = n.as_str().ok_or("networks entries must be CIDR strings")?;
            ranges.push(IpRange::parse_cidr(text)?.0);
        }
        return Ok(AdminPeer::Networks(ranges));
    }
    if peer.get("nodes").is_some() {
        return Ok(AdminPeer::Nodes);
    }
    Err("an admin policy peer must set namespaces, pods, networks or nodes".into())
}

fn compile_ports(object: &Object, ports: Option<&Node>, model: &mut Model) -> PortSpec {
    let Some(list) = ports.and_then(Node::as_seq) else {
        return PortSpec::default();
    };
    let mut entries = Vec::new();
    for entry in list {
        match compile_port(entry) {
            Ok(e) => entries.push(e),
            Err(msg) => model.issue(msg, Some(object.reference()), object.locate(Some(entry))),
        }
    }
    PortSpec {
        entries: Some(entries),
    }
}

fn protocol(node: &Node) -> Result<Protocol, String> {
    match node.get("protocol") {
        None => Ok(Protocol::Tcp),
        Some(p) => p
            .as_str()
            .and_then(Protocol::parse)
            .ok_or_else(|| format!("unsupported protocol {}", p.to_json())),
    }
}

fn compile_port(entry: &Node) -> Result<PortEntry, String> {
    let kinds = members_set(entry, &["portNumber", "portRange", "namedPort"]);
    if kinds.len() > 1 {
        return Err(format!(
            "a port sets {}: exactly one is allowed",
            kinds.join(" and ")
        ));
    }
    if let Some(n) = entry.get("portNumber") {
        let port = port_number(n.get("port"))?;
        return Ok(PortEntry::Ports(protocol(n)?, PortSet::range(port, port)));
    }
    if let Some(r) = entry.get("portRange") {
        let (start, end) = (port_number(r.get("start"))?, port_number(r.get("end"))?);
        if end < start {
            return Err(format!("portRange end {end} is below start {start}"));
        }
        return Ok(PortEntry::Ports(protocol(r)?, PortSet::range(start, end)));
    }
    if let Some(name) = entry.get("namedPort").and_then(Node::as_str) {
        return Ok(PortEntry::Named {
            name: name.to_owned(),
            protocol: None,
        });
    }
    Err("a port must set portNumber, portRange or namedPort".into())
}
