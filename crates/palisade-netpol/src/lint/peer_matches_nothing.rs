//! `netpol/peer-matches-nothing`: a rule peer (`from`/`to` entry) that matches
//! no pod of the input.

use palisade_core::{Finding, Rule, Severity};

use crate::engine::Engine;
use crate::model::{Direction, NetworkPolicy, NpPeer, NsScope};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A `from` or `to` peer of a NetworkPolicy rule that matches no pod: often a
    /// namespace label that no namespace carries.
    ///
    /// ## Why it matters
    /// The rule looks like it allows traffic and allows none, so the traffic it was
    /// meant for is blocked, or someone "fixes" it by opening the policy wider.
    ///
    /// ## Example
    /// ```yaml
    /// ingress:
    /// - from: [{namespaceSelector: {matchLabels: {team: nobody}}}]
    /// ```
    ///
    /// ## How to fix
    /// Check the peer's selectors against real namespace and pod labels
    /// (namespaces carry `kubernetes.io/metadata.name`).
    id: "netpol/peer-matches-nothing",
    title: "a NetworkPolicy rule peer matches no pod",
    severity: Severity::Medium,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    for policy in &engine.model.policies {
        for dir in [Direction::Ingress, Direction::Egress] {
            peers(engine, policy, dir, out);
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
                    RULE.id,
                    RULE.severity,
                    format!("NetworkPolicy {} {:?} rule #{}: a peer matches no pod: {why}", policy.id(), dir, rule.index),
                    &rule.at,
                    Some(policy.object.clone()),
                )
                .with_remediation("Check the peer's selectors against real namespace and pod labels (namespaces carry `kubernetes.io/metadata.name`)."),
            );
        }
    }
}
