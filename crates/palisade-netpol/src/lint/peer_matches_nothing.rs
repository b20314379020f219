//! `netpol/peer-matches-nothing`: a rule peer (`from`/`to` entry) that matches
//! no pod of the input, judged only where the input shows the pods.
//!
//! A scan often sees part of a cluster: a baseline of policies without the
//! workloads, or one team's folder. A peer that selects pods in namespaces
//! whose workloads are not in the input (kube-dns in `kube-system`, the ingress
//! controller in its own namespace) matches nothing *in the input* and may
//! match the right pods in the cluster, so it is unknown, not wrong. Like the
//! other checks of something missing, this one only judges namespaces where
//! the input holds workloads (pod templates).

use std::collections::BTreeSet;

use palisade_core::{Finding, LabelSelector, NAMESPACE_NAME_LABEL, Rule, Severity};

use crate::engine::Engine;
use crate::model::{Direction, Model, NetworkPolicy, NpPeer, NsScope};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A `from` or `to` peer of a NetworkPolicy rule that matches no pod: often a
    /// namespace label that no namespace carries, or a pod label no pod has.
    ///
    /// Only namespaces whose workloads are in the input are judged. A peer
    /// that may select pods in a namespace the input holds no workloads for is
    /// not reported: a `namespaceSelector` on `kubernetes.io/metadata.name`
    /// naming a namespace outside the input (the API server sets that label on
    /// every namespace, and `kube-system` always exists), a selector matching a
    /// namespace declared without workloads, or a peer in the policy's own
    /// namespace when the input has no workloads there. A `namespaceSelector`
    /// that selects namespaces of the input without naming them (`{}`, or
    /// other labels) is not judged either: it may select namespaces the input
    /// does not show. A `namespaceSelector` that matches no namespace at all
    /// (a label no namespace carries) is reported when the input holds
    /// workloads, whose namespaces it could have selected.
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
    /// (namespaces carry `kubernetes.io/metadata.name`). When the pods it means
    /// live elsewhere, scan the policies together with those workloads.
    id: "netpol/peer-matches-nothing",
    title: "a NetworkPolicy rule peer matches no pod",
    severity: Severity::Medium,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    let judged: BTreeSet<&str> = engine
        .model
        .workloads
        .iter()
        .map(|w| w.namespace.as_str())
        .collect();
    for policy in &engine.model.policies {
        for dir in [Direction::Ingress, Direction::Egress] {
            peers(engine, &judged, policy, dir, out);
        }
    }
}

fn peers(
    engine: &Engine,
    judged: &BTreeSet<&str>,
    policy: &NetworkPolicy,
    dir: Direction,
    out: &mut Vec<Finding>,
) {
    let model = engine.model;
    for rule in policy.rules(dir).unwrap_or(&[]) {
        for peer in rule.peers.iter().flatten() {
            let NpPeer::Pods(set) = peer else { continue };
            if !engine.pod_set_is_empty(*set) {
                continue;
            }
            let Some(scope) = model.pod_sets.get(*set).map(|s| &s.namespaces) else {
                continue;
            };
            let Some(why) = verdict(model, judged, scope) else {
                continue;
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

/// Why a peer that matches no workload of the input is a mistake, or `None`
/// when the input cannot tell (a namespace it may select has no workloads here).
fn verdict(model: &Model, judged: &BTreeSet<&str>, scope: &NsScope) -> Option<String> {
    match scope {
        NsScope::Own(ns) => judged
            .contains(ns.as_str())
            .then(|| format!("no pod in namespace {ns:?} matches its podSelector")),
        NsScope::Selected(selector) => {
            let outside = named_outside_input(selector, model);
            let mut selected = model
                .namespaces
                .iter()
                .filter(|(_, labels)| selector.matches(labels))
                .map(|(name, _)| name.as_str())
                .chain(outside.iter().map(String::as_str))
                .peekable();
            if selected.peek().is_none() {
                // Nothing of the input matches; judged only when the input
                // holds workloads whose namespaces the selector could have meant.
                return (!judged.is_empty())
                    .then(|| "its namespaceSelector matches no namespace".to_owned());
            }
            // A selector that selects namespaces of the input without pinning
            // their names (`{}`, other labels) may select more that the input
            // does not hold, such as kube-system for a DNS rule: unknown.
            if !pins_names(selector) {
                return None;
            }
            selected
                .all(|ns| judged.contains(ns))
                .then(|| "no pod in the selected namespaces matches its podSelector".to_owned())
        }
    }
}

/// Whether the selector names its namespaces: an `In` (or `matchLabels`) on
/// `kubernetes.io/metadata.name`.
fn pins_names(selector: &LabelSelector) -> bool {
    selector
        .requirements
        .iter()
        .any(|r| r.key == NAMESPACE_NAME_LABEL && r.operator == palisade_core::Operator::In)
}

/// The namespaces a selector names through `kubernetes.io/metadata.name`
/// (`matchLabels`, or `In`) that the input does not hold. The API server sets
/// that label to every namespace's name, so such a namespace may well exist,
/// with pods and labels the input cannot show; empty when the selector does
/// not pin names.
fn named_outside_input(selector: &LabelSelector, model: &Model) -> Vec<String> {
    let on_name = || {
        selector
            .requirements
            .iter()
            .filter(|r| r.key == NAMESPACE_NAME_LABEL)
    };
    let Some(first) = on_name().find(|r| r.operator == palisade_core::Operator::In) else {
        return Vec::new();
    };
    first
        .values
        .iter()
        .filter(|name| !model.namespaces.contains_key(name.as_str()))
        .filter(|name| {
            // Every requirement on the name label must hold for this name
            // (another `In`, a `NotIn`, `Exists`); the other labels are unknown.
            let labels = [(NAMESPACE_NAME_LABEL.to_owned(), (*name).clone())].into();
            on_name().all(|r| {
                LabelSelector {
                    requirements: vec![r.clone()],
                }
                .matches(&labels)
            })
        })
        .cloned()
        .collect()
}
