//! `netpol/missing-default-deny-ingress` and `netpol/missing-default-deny-egress`:
//! a namespace with workloads and no default-deny policy in that direction. One
//! check, run once per direction, so both rules live here.

use std::collections::BTreeMap;

use palisade_core::{Finding, ObjectRef, Rule, Severity};

use crate::engine::Engine;
use crate::model::Direction;

pub static INGRESS: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A namespace with workloads and no NetworkPolicy that selects all its pods
    /// for Ingress.
    ///
    /// ## Why it matters
    /// Without a default-deny, every new workload in the namespace accepts traffic
    /// from anywhere in the cluster until someone writes a policy for it.
    ///
    /// ## Example
    /// A namespace `shop` with a Deployment and only a policy for one app.
    ///
    /// ## How to fix
    /// Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Ingress]` and no
    /// rules, then allow what is needed.
    id: "netpol/missing-default-deny-ingress",
    title: "a namespace with workloads has no default-deny for ingress",
    severity: Severity::Medium,
};

pub static EGRESS: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A namespace with workloads and no NetworkPolicy that selects all its pods
    /// for Egress.
    ///
    /// ## Why it matters
    /// A compromised workload can reach anything, inside the cluster or out; an
    /// egress default-deny limits where stolen data can go.
    ///
    /// ## Example
    /// A namespace `shop` with a Deployment and no egress policy.
    ///
    /// ## How to fix
    /// Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Egress]` and no
    /// rules, then allow what is needed (DNS first).
    id: "netpol/missing-default-deny-egress",
    title: "a namespace with workloads has no default-deny for egress",
    severity: Severity::Low,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&INGRESS, &EGRESS];

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    let model = engine.model;
    // First workload per namespace: where a namespace-level finding points
    // when there is no Namespace manifest to point at.
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, w) in model.workloads.iter().enumerate() {
        first.entry(w.namespace.as_str()).or_insert(i);
    }
    for (ns, &w) in &first {
        for (dir, rule) in [(Direction::Ingress, &INGRESS), (Direction::Egress, &EGRESS)] {
            let has_default_deny = model.policies.iter().any(|p| {
                p.namespace == *ns
                    && p.rules(dir).is_some()
                    && model
                        .pod_sets
                        .get(p.subject)
                        .is_some_and(|s| s.pods.is_empty())
            });
            if has_default_deny {
                continue;
            }
            let word = if dir == Direction::Ingress {
                "Ingress"
            } else {
                "Egress"
            };
            let workload = &model.workloads[w];
            let object = ObjectRef {
                api_version: "v1".into(),
                kind: "Namespace".into(),
                namespace: None,
                name: (*ns).into(),
            };
            out.push(
                Finding::new(
                    rule.id,
                    rule.severity,
                    format!("namespace {ns:?} has workloads but no NetworkPolicy that selects all its pods for {word}; new workloads are open by default"),
                    &workload.at,
                    Some(object),
                )
                .with_remediation(format!(
                    "Add a NetworkPolicy in {ns:?} with `podSelector: {{}}` and `policyTypes: [{word}]` and no rules, then allow what is needed."
                )),
            );
        }
    }
}
