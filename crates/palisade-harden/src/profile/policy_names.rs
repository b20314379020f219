//! The names of the NetworkPolicies harden writes, and the check that no two
//! of them share a name in one namespace. Two objects with one name are one
//! object to the API server: the second `kubectl apply` would replace the
//! first, and an allowance (or the DNS policy) would silently disappear. A
//! flow named `dns-egress` would otherwise write `allow-dns-egress`, and flows
//! `x` and `x-egress` would both write `allow-x-egress`.

use std::collections::{BTreeMap, BTreeSet};

use super::read::{Seg, key};
use super::types::{Flow, Network, Source};
use super::validate::Invalid;

/// The policy that denies all traffic of a default-deny namespace.
pub const DEFAULT_DENY: &str = "default-deny";
/// The policy that lets a default-deny namespace resolve names.
pub const DNS_EGRESS: &str = "allow-dns-egress";

impl Flow {
    /// The name of the flow's ingress policy, in the destination's namespace.
    pub fn ingress_policy_name(&self) -> String {
        format!("allow-{}", self.name)
    }

    /// The name of the flow's egress policy, in the source's namespace.
    pub fn egress_policy_name(&self) -> String {
        format!("allow-{}-egress", self.name)
    }
}

impl Network {
    /// The namespace a flow starts from (the ingress controller's, for
    /// `ingress-controller`).
    pub fn source_namespace<'a>(&'a self, flow: &'a Flow) -> Option<&'a str> {
        match &flow.from {
            Source::IngressController => self
                .ingress_controller
                .as_ref()
                .map(|c| c.namespace.as_str()),
            Source::Pods(endpoint) => Some(&endpoint.namespace),
        }
    }

    /// Whether the flow gets an egress policy too: its source's namespace is
    /// one of the profile's, denied by default.
    pub fn needs_egress_policy(&self, flow: &Flow, namespaces: &BTreeSet<String>) -> bool {
        self.default_deny
            && self
                .source_namespace(flow)
                .is_some_and(|ns| namespaces.contains(ns))
    }
}

/// Refuses a flow whose policy would take a name another generated policy
/// holds in the same namespace, at the flow, naming both.
pub fn check_unique(network: &Network, namespaces: &BTreeSet<String>) -> Result<(), Invalid> {
    // (namespace, policy name) -> what writes it.
    let mut owners: BTreeMap<(String, String), String> = BTreeMap::new();
    if network.default_deny {
        for ns in namespaces {
            owners.insert(
                (ns.clone(), DEFAULT_DENY.to_owned()),
                "the default-deny policy".to_owned(),
            );
            owners.insert(
                (ns.clone(), DNS_EGRESS.to_owned()),
                "the DNS egress policy of defaultDeny".to_owned(),
            );
        }
    }
    for (index, flow) in network.allow.iter().enumerate() {
        let mut written = vec![(
            flow.to.namespace.clone(),
            flow.ingress_policy_name(),
            "ingress",
        )];
        if network.needs_egress_policy(flow, namespaces)
            && let Some(source) = network.source_namespace(flow)
        {
            written.push((source.to_owned(), flow.egress_policy_name(), "egress"));
        }
        for (namespace, name, side) in written {
            let owner = format!("the {side} policy of flow {:?}", flow.name);
            if let Some(other) = owners.insert((namespace.clone(), name.clone()), owner) {
                return Err((
                    vec![key("network"), key("allow"), Seg::Index(index), key("name")],
                    format!(
                        "flow {:?}: its {side} NetworkPolicy would be named {name:?} in \
                         namespace {namespace}, as {other} is; rename the flow",
                        flow.name
                    ),
                ));
            }
        }
    }
    Ok(())
}
