//! Missing default-deny per namespace and direction, and egress isolation that
//! blocks DNS.
//!
//! Why: without a default-deny policy every new workload in a namespace is
//! open in that direction until someone writes a policy for it. An egress
//! default-deny without a DNS allowance breaks name resolution, and the usual
//! "fix" is to open egress entirely.

use std::collections::BTreeMap;

use palisade_core::{Finding, ObjectRef, Severity};

use crate::conn::Protocol;
use crate::engine::Engine;
use crate::model::Direction;

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    let model = engine.model;
    // First workload per namespace: where a namespace-level finding points
    // when there is no Namespace manifest to point at.
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, w) in model.workloads.iter().enumerate() {
        first.entry(w.namespace.as_str()).or_insert(i);
    }
    for (ns, &w) in &first {
        for (dir, id, severity) in [
            (
                Direction::Ingress,
                "netpol/missing-default-deny-ingress",
                Severity::Medium,
            ),
            (
                Direction::Egress,
                "netpol/missing-default-deny-egress",
                Severity::Low,
            ),
        ] {
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
                name: (*ns).to_owned(),
            };
            out.push(
                Finding::new(
                    id,
                    severity,
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
    dns(engine, out);
}

/// For each policy that isolates egress: does every workload it selects reach
/// port 53 (UDP) somewhere?
fn dns(engine: &Engine, out: &mut Vec<Finding>) {
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
                    "netpol/egress-deny-without-dns",
                    Severity::Medium,
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
