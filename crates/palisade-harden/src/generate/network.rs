//! `network-policies.yaml`: per profile namespace (with `defaultDeny`), a
//! policy that denies all ingress and egress and one that allows DNS to the
//! cluster's resolver; then, per allowed flow, the ingress policy on the
//! destination and, when the source's namespace is also denied by default,
//! the matching egress policy on the source. A NetworkPolicy only ever adds
//! allowances, so the order of policies does not matter.

use std::collections::BTreeMap;

use crate::profile::{DEFAULT_DENY, DNS_EGRESS, Endpoint, Flow, Port, Profile, Source};
use crate::yaml::{Doc, Y, map, s, string_map, strs};

/// The label the API server sets on every Namespace to its name (1.21+).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

pub fn documents(profile: &Profile) -> Vec<Doc> {
    let mut docs = Vec::new();
    if profile.network.default_deny {
        for ns in &profile.namespaces {
            docs.push(default_deny(&ns.name));
            docs.push(dns_egress(&ns.name));
        }
    }
    for flow in &profile.network.allow {
        let Some(source) = source_endpoint(profile, flow) else {
            continue;
        };
        docs.push(ingress_side(flow, &source));
        if profile.network.default_deny
            && profile
                .namespaces
                .iter()
                .any(|ns| ns.name == source.namespace)
        {
            docs.push(egress_side(flow, &source));
        }
    }
    docs
}

/// The pods a flow starts from (the ingress controller's, for `ingress-controller`).
pub fn source_endpoint(profile: &Profile, flow: &Flow) -> Option<Endpoint> {
    match &flow.from {
        Source::IngressController => profile.network.ingress_controller.clone(),
        Source::Pods(endpoint) => Some(endpoint.clone()),
    }
}

fn metadata(name: &str, namespace: &str) -> Y {
    map([("name", s(name)), ("namespace", s(namespace))])
}

fn selector(labels: &BTreeMap<String, String>) -> Y {
    if labels.is_empty() {
        Y::Map(Vec::new())
    } else {
        map([("matchLabels", string_map(labels))])
    }
}

fn namespace_selector(namespace: &str) -> Y {
    map([("matchLabels", map([(NAMESPACE_NAME_LABEL, s(namespace))]))])
}

/// A peer: pods of a namespace, by the namespace's name label and the pods' labels.
fn peer(endpoint: &Endpoint) -> Y {
    let mut entries = vec![(
        "namespaceSelector".to_owned(),
        namespace_selector(&endpoint.namespace),
    )];
    if !endpoint.pod_selector.is_empty() {
        entries.push(("podSelector".to_owned(), selector(&endpoint.pod_selector)));
    }
    Y::Map(entries)
}

fn ports(ports: &[Port]) -> Y {
    Y::Seq(
        ports
            .iter()
            .map(|p| {
                map([
                    ("protocol", s(p.protocol.as_str())),
                    ("port", Y::Int(i64::from(p.port))),
                ])
            })
            .collect(),
    )
}

fn describe(endpoint: &Endpoint) -> String {
    if endpoint.pod_selector.is_empty() {
        format!("every pod of {}", endpoint.namespace)
    } else {
        format!(
            "pods {} in {}",
            endpoint.selector_text(),
            endpoint.namespace
        )
    }
}

fn describe_ports(list: &[Port]) -> String {
    list.iter()
        .map(|p| format!("{}/{}", p.port, p.protocol.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn default_deny(namespace: &str) -> Doc {
    Doc {
        comment: vec![
            format!(
                "{DEFAULT_DENY} in {namespace}: no pod of {namespace} accepts or opens any connection"
            ),
            "unless another policy below allows it (NetworkPolicies only add allowances)."
                .to_owned(),
        ],
        body: map([
            ("apiVersion", s("networking.k8s.io/v1")),
            ("kind", s("NetworkPolicy")),
            ("metadata", metadata(DEFAULT_DENY, namespace)),
            (
                "spec",
                map([
                    ("podSelector", Y::Map(Vec::new())),
                    ("policyTypes", strs(["Ingress", "Egress"])),
                ]),
            ),
        ]),
    }
}

fn dns_egress(namespace: &str) -> Doc {
    Doc {
        comment: vec![format!(
            "{DNS_EGRESS} in {namespace}: pods may still resolve names, through the cluster DNS (k8s-app=kube-dns in kube-system) only."
        )],
        body: map([
            ("apiVersion", s("networking.k8s.io/v1")),
            ("kind", s("NetworkPolicy")),
            ("metadata", metadata(DNS_EGRESS, namespace)),
            (
                "spec",
                map([
                    ("podSelector", Y::Map(Vec::new())),
                    ("policyTypes", strs(["Egress"])),
                    (
                        "egress",
                        Y::Seq(vec![map([
                            (
                                "to",
                                Y::Seq(vec![map([
                                    ("namespaceSelector", namespace_selector("kube-system")),
                                    (
                                        "podSelector",
                                        map([("matchLabels", map([("k8s-app", s("kube-dns"))]))]),
                                    ),
                                ])]),
                            ),
                            (
                                "ports",
                                Y::Seq(vec![
                                    map([("protocol", s("UDP")), ("port", Y::Int(53))]),
                                    map([("protocol", s("TCP")), ("port", Y::Int(53))]),
                                ]),
                            ),
                        ])]),
                    ),
                ]),
            ),
        ]),
    }
}

fn source_words(flow: &Flow, source: &Endpoint) -> String {
    match flow.from {
        Source::IngressController => format!("the ingress controller ({})", describe(source)),
        Source::Pods(_) => describe(source),
    }
}

fn ingress_side(flow: &Flow, source: &Endpoint) -> Doc {
    Doc {
        comment: vec![format!(
            "{} (flow {}): {} accept connections from {} on {}.",
            flow.ingress_policy_name(),
            flow.name,
            describe(&flow.to),
            source_words(flow, source),
            describe_ports(&flow.ports)
        )],
        body: map([
            ("apiVersion", s("networking.k8s.io/v1")),
            ("kind", s("NetworkPolicy")),
            (
                "metadata",
                metadata(&flow.ingress_policy_name(), &flow.to.namespace),
            ),
            (
                "spec",
                map([
                    ("podSelector", selector(&flow.to.pod_selector)),
                    ("policyTypes", strs(["Ingress"])),
                    (
                        "ingress",
                        Y::Seq(vec![map([
                            ("from", Y::Seq(vec![peer(source)])),
                            ("ports", ports(&flow.ports)),
                        ])]),
                    ),
                ]),
            ),
        ]),
    }
}

fn egress_side(flow: &Flow, source: &Endpoint) -> Doc {
    Doc {
        comment: vec![format!(
            "{} (flow {}): {} is denied by default too, so it may open these connections to {} on {}.",
            flow.egress_policy_name(),
            flow.name,
            source.namespace,
            describe(&flow.to),
            describe_ports(&flow.ports)
        )],
        body: map([
            ("apiVersion", s("networking.k8s.io/v1")),
            ("kind", s("NetworkPolicy")),
            (
                "metadata",
                metadata(&flow.egress_policy_name(), &source.namespace),
            ),
            (
                "spec",
                map([
                    ("podSelector", selector(&source.pod_selector)),
                    ("policyTypes", strs(["Egress"])),
                    (
                        "egress",
                        Y::Seq(vec![map([
                            ("to", Y::Seq(vec![peer(&flow.to)])),
                            ("ports", ports(&flow.ports)),
                        ])]),
                    ),
                ]),
            ),
        ]),
    }
}
