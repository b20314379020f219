//! Selectors and names that match nothing: a policy selecting no pod, a rule
//! peer matching no pod (often a namespace label that does not exist), and
//! named ports that resolve on no destination pod.
//!
//! Why: each is a policy that looks protective or permissive and does nothing,
//! usually because of a typo in a label or a port name.

use palisade_core::{Finding, Severity};

use crate::engine::Engine;
use crate::model::{Direction, NetworkPolicy, NpPeer, NsScope};

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    let model = engine.model;
    for policy in &model.policies {
        if engine.pod_set_is_empty(policy.subject) {
            out.push(
                Finding::new(
                    "netpol/policy-selects-nothing",
                    Severity::Low,
                    format!("NetworkPolicy {} selects no pod in namespace {:?}", policy.id(), policy.namespace),
                    &policy.at,
                    Some(policy.object.clone()),
                )
                .with_remediation("Check spec.podSelector against the labels of the pods it should protect, or delete the policy."),
            );
        }
        for dir in [Direction::Ingress, Direction::Egress] {
            peers(engine, policy, dir, out);
            named_ports(engine, policy, dir, out);
        }
    }
    for policy in model.admin.iter().chain(&model.baseline) {
        if engine.pod_set_is_empty(policy.subject) {
            out.push(
                Finding::new(
                    "netpol/policy-selects-nothing",
                    Severity::Low,
                    format!(
                        "{} {:?} has a subject that matches no pod",
                        policy.kind(),
                        policy.name
                    ),
                    &policy.at,
                    Some(policy.object.clone()),
                )
                .with_remediation(
                    "Check spec.subject against the namespace and pod labels it should cover.",
                ),
            );
        }
    }
}

fn peers(engine: &Engine, policy: &NetworkPolicy, dir: Direction, out: &mut Vec<Finding>) {
    let model = engine.model;
    for rule in policy.rules(dir).unwrap_or(&[]) {
        for peer in rule.peers.iter().flatten() {
            let NpPeer::Pods(set) = peer else { continue };
            if !engine.pod_set_is_empty(*set) {
                continue;
            }
            let why = match model.pod_sets.get(*set).map(|s| &s.namespaces) {
                Some(NsScope::Selected(sel))
                    if !model.namespaces.values().any(|l| sel.matches(l)) =>
                {
                    "its namespaceSelector matches no namespace".to_owned()
                }
                Some(NsScope::Own(ns)) => {
                    format!("no pod in namespace {ns:?} matches its podSelector")
                }
                _ => "no pod in the selected namespaces matches its podSelector".to_owned(),
            };
            out.push(
                Finding::new(
                    "netpol/peer-matches-nothing",
                    Severity::Medium,
                    format!("NetworkPolicy {} {:?} rule #{}: a peer matches no pod: {why}", policy.id(), dir, rule.index),
                    &rule.at,
                    Some(policy.object.clone()),
                )
                .with_remediation("Check the peer's selectors against real namespace and pod labels (namespaces carry `kubernetes.io/metadata.name`)."),
            );
        }
    }
}

/// A named port resolves on the destination: the selected pods for ingress,
/// the peers' pods for egress.
fn named_ports(engine: &Engine, policy: &NetworkPolicy, dir: Direction, out: &mut Vec<Finding>) {
    for rule in policy.rules(dir).unwrap_or(&[]) {
        let destinations: Vec<usize> = match dir {
            Direction::Ingress => (0..engine.classes.len())
                .filter(|&c| engine.in_pod_set(policy.subject, c))
                .collect(),
            Direction::Egress => (0..engine.classes.len())
                .filter(|&c| match &rule.peers {
                    None => true,
                    Some(peers) => peers
                        .iter()
                        .any(|p| matches!(p, NpPeer::Pods(s) if engine.in_pod_set(*s, c))),
                })
                .collect(),
        };
        for (name, protocol) in rule.ports.named() {
            let resolves = destinations
                .iter()
                .any(|&c| engine.representative(c).resolve(name, protocol).is_some());
            if resolves || destinations.is_empty() {
                continue;
            }
            let proto = protocol.map_or(String::new(), |p| format!(" ({p})"));
            out.push(
                Finding::new(
                    "netpol/named-port-unresolved",
                    Severity::Medium,
                    format!(
                        "NetworkPolicy {} {:?} rule #{}: named port {name:?}{proto} matches no container port of any destination pod, so it allows nothing",
                        policy.id(),
                        dir,
                        rule.index
                    ),
                    &rule.at,
                    Some(policy.object.clone()),
                )
                .with_remediation("Use the name (and protocol) of a containerPort of the destination pods, or a port number."),
            );
        }
    }
}
