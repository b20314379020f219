//! `netpol/named-port-unresolved`: a named port that resolves on no destination
//! pod.

use palisade_core::{Finding, Rule, Severity};

use crate::engine::Engine;
use crate::model::{Direction, NetworkPolicy, NpPeer};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A named port in a NetworkPolicy rule that matches no `containerPort` name
    /// (and protocol) of any destination pod: the selected pods for ingress, the
    /// peers' pods for egress.
    ///
    /// ## Why it matters
    /// A named port that resolves nowhere allows nothing; usually the name has a
    /// typo or the container port was renamed.
    ///
    /// ## Example
    /// ```yaml
    /// ingress:
    /// - ports: [{port: htp}]      # the container port is named http
    /// ```
    ///
    /// ## How to fix
    /// Use the name (and protocol) of a containerPort of the destination pods, or
    /// a port number.
    id: "netpol/named-port-unresolved",
    title: "a named port matches no container port of the destination pods",
    severity: Severity::Medium,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    for policy in &engine.model.policies {
        for dir in [Direction::Ingress, Direction::Egress] {
            named_ports(engine, policy, dir, out);
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
                    RULE.id,
                    RULE.severity,
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
