//! `netpol/egress-deny-without-dns`: egress isolation that blocks DNS.

use palisade_core::{Finding, Rule, Severity};

use crate::conn::Protocol;
use crate::engine::Engine;
use crate::model::Direction;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A NetworkPolicy that isolates egress for pods that then cannot reach UDP
    /// port 53 anywhere.
    ///
    /// ## Why it matters
    /// Name resolution breaks, and the usual "fix" under pressure is to open
    /// egress entirely.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - ports: [{port: 443}]
    /// ```
    ///
    /// ## How to fix
    /// Add an egress rule to kube-dns (namespace kube-system, pods
    /// `k8s-app: kube-dns`) with ports UDP 53 and TCP 53.
    id: "netpol/egress-deny-without-dns",
    title: "egress isolation blocks DNS",
    severity: Severity::Medium,
};

/// For each policy that isolates egress: does every workload it selects reach
/// port 53 (UDP) somewhere?
/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    let model = engine.model;
    let peers = engine.peers(Direction::Egress);
    let resolves: Vec<bool> = (0..engine.classes.len())
        .map(|c| {
            peers.iter().any(|&p| {
                engine
                    .direction(c, Direction::Egress, p, false)
                    .allowed
                    .contains(Protocol::Udp, 53)
            })
        })
        .collect();
    for policy in &model.policies {
        if policy.egress.is_none() {
            continue;
        }
        let blocked = (0..engine.classes.len())
            .find(|&c| engine.in_pod_set(policy.subject, c) && !resolves[c]);
        if let Some(c) = blocked {
            out.push(
                Finding::new(
                    RULE.id,
                    RULE.severity,
                    format!(
                        "NetworkPolicy {} isolates egress and {} cannot reach UDP port 53 anywhere, so DNS lookups fail",
                        policy.id(),
                        engine.representative(c).id()
                    ),
                    &policy.at,
                    Some(policy.object.clone()),
                )
                .with_remediation(
                    "Add an egress rule to kube-dns: `to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]` with ports UDP 53 and TCP 53.",
                ),
            );
        }
    }
}
