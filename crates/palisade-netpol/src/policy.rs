//! Compiling `networking.k8s.io/v1` NetworkPolicy objects into [`NetworkPolicy`].
//!
//! The subtle parts of the API live here: effective policyTypes when the field
//! is missing, absent versus empty selectors in a peer, and `ports` entries
//! (default protocol TCP, named ports, `endPort`). What the API server would
//! reject is reported as a [`crate::model::ModelIssue`], and the whole policy is
//! left out: the API server refuses the object, so in the cluster it does not
//! exist and isolates no pod.

use palisade_core::{Inventory, Node, Object, Value};

use crate::conn::{PortSet, Protocol};
use crate::ip::{IpBlock, IpRange};
use crate::model::{Model, NetworkPolicy, NpPeer, NpRule, NsScope, PodSet, PortEntry, PortSpec};
use palisade_core::LabelSelector as Selector;

pub(crate) fn collect(inventory: &Inventory, model: &mut Model) {
    for object in inventory.of_kind("NetworkPolicy") {
        if object.group() == "networking.k8s.io" {
            compile(object, model);
        }
    }
}

fn compile(object: &Object, model: &mut Model) {
    let issues_before = model.issues.len();
    let namespace = object.namespace().unwrap_or("default").to_owned();
    model.ensure_namespace(&namespace);
    let spec = object.root().get("spec");
    let get = |key: &str| spec.and_then(|s| s.get(key));
    let subject_selector = match get("podSelector").map(Selector::parse).transpose() {
        Ok(sel) => sel.unwrap_or_default(),
        Err(e) => {
            model.issue(
                format!("spec.podSelector: {e}"),
                Some(object.reference()),
                object.locate(get("podSelector")),
            );
            return;
        }
    };
    let subject = model.pod_set(PodSet {
        namespaces: NsScope::Own(namespace.clone()),
        pods: subject_selector,
    });

    let (has_ingress, has_egress) =
        effective_types(object, get("policyTypes"), get("egress"), model);
    let rules = |key: &str, peer_key: &str, model: &mut Model| -> Vec<NpRule> {
        get(key)
            .into_iter()
            .flat_map(Node::items)
            .enumerate()
            .map(|(i, rule)| NpRule {
                index: i + 1,
                peers: compile_peers(object, &namespace, rule.get(peer_key), model),
                ports: compile_ports(object, rule.get("ports"), model),
                at: object.locate(Some(rule)),
            })
            .collect()
    };
    let ingress = has_ingress.then(|| rules("ingress", "from", model));
    let egress = has_egress.then(|| rules("egress", "to", model));
    if model.issues.len() > issues_before {
        // Every issue above is a field the API server would refuse.
        return;
    }
    model.policies.push(NetworkPolicy {
        namespace,
        name: object.name().to_owned(),
        subject,
        ingress,
        egress,
        object: object.reference().clone(),
        at: object.source().clone(),
    });
}

/// `policyTypes` as written when non-empty; otherwise Ingress, plus Egress when
/// `egress` has at least one rule (what the API server defaults it to).
fn effective_types(
    object: &Object,
    types: Option<&Node>,
    egress: Option<&Node>,
    model: &mut Model,
) -> (bool, bool) {
    let listed: Vec<&Node> = types.into_iter().flat_map(Node::items).collect();
    if listed.is_empty() {
        return (true, egress.is_some_and(|e| e.items().len() > 0));
    }
    let (mut ingress, mut egress) = (false, false);
    for t in listed {
        match t.as_str() {
            Some("Ingress") => ingress = true,
            Some("Egress") => egress = true,
            _ => model.issue(
                format!("unknown policyTypes entry {}", t.to_json()),
                Some(object.reference()),
                object.locate(Some(t)),
            ),
        }
    }
    (ingress, egress)
}

fn compile_peers(
    object: &Object,
    namespace: &str,
    peers: Option<&Node>,
    model: &mut Model,
) -> Option<Vec<NpPeer>> {
    let items: Vec<&Node> = peers.into_iter().flat_map(Node::items).collect();
    if items.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for peer in items {
        match compile_peer(namespace, peer, model) {
            Ok(p) => out.push(p),
            Err(e) => model.issue(e, Some(object.reference()), object.locate(Some(peer))),
        }
    }
    Some(out)
}

fn present<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key).filter(|n| !n.is_null())
}

fn compile_peer(namespace: &str, peer: &Node, model: &mut Model) -> Result<NpPeer, String> {
    let pods = present(peer, "podSelector");
    let namespaces = present(peer, "namespaceSelector");
    if let Some(block) = present(peer, "ipBlock") {
        if pods.is_some() || namespaces.is_some() {
            return Err("a peer may not set ipBlock together with a selector".into());
        }
        return compile_ip_block(block).map(NpPeer::Ip);
    }
    if pods.is_none() && namespaces.is_none() {
        return Err("a peer must set ipBlock, podSelector or namespaceSelector".into());
    }
    let pods = pods.map(Selector::parse).transpose()?.unwrap_or_default();
    let namespaces = match namespaces {
        Some(n) => NsScope::Selected(Selector::parse(n)?),
        None => NsScope::Own(namespace.to_owned()),
    };
    Ok(NpPeer::Pods(model.pod_set(PodSet { namespaces, pods })))
}

fn compile_ip_block(block: &Node) -> Result<IpBlock, String> {
    let cidr_text = block
        .get("cidr")
        .and_then(Node::as_str)
        .ok_or("ipBlock needs a cidr")?;
    let (cidr, host_bits) = IpRange::parse_cidr(cidr_text)?;
    // The API server refuses the whole policy when an except entry is not a
    // CIDR or not a strict subset of the block's cidr, so such a policy does
    // not exist in the cluster and isolates nothing.
    let mut except = Vec::new();
    for (i, e) in block
        .get("except")
        .into_iter()
        .flat_map(Node::items)
        .enumerate()
    {
        let text = e
            .as_str()
            .ok_or_else(|| format!("ipBlock.except[{i}] must be a string"))?;
        let (range, _) =
            IpRange::parse_cidr(text).map_err(|msg| format!("ipBlock.except[{i}]: {msg}"))?;
        if !(cidr.contains(&range) && range != cidr) {
            return Err(format!(
                "ipBlock.except[{i}]: Invalid value: {text:?}: must be a strict subset of `cidr`"
            ));
        }
        except.push(range);
    }
    Ok(IpBlock {
        cidr,
        except,
        cidr_with_host_bits: host_bits.then(|| cidr_text.trim().to_owned()),
    })
}

/// A NetworkPolicy `ports` list. Absent or empty matches everything.
fn compile_ports(object: &Object, ports: Option<&Node>, model: &mut Model) -> PortSpec {
    let items: Vec<&Node> = ports.into_iter().flat_map(Node::items).collect();
    if items.is_empty() {
        return PortSpec::default();
    }
    let mut entries = Vec::new();
    for entry in items {
        match compile_port(entry) {
            Ok(e) => entries.push(e),
            Err(msg) => model.issue(msg, Some(object.reference()), object.locate(Some(entry))),
        }
    }
    PortSpec {
        entries: Some(entries),
    }
}

fn compile_port(entry: &Node) -> Result<PortEntry, String> {
    let protocol = match present(entry, "protocol") {
        None => Protocol::Tcp,
        Some(p) => p
            .as_str()
            .and_then(Protocol::parse)
            .ok_or_else(|| format!("unsupported protocol {}", p.to_json()))?,
    };
    let port = present(entry, "port");
    let end = present(entry, "endPort");
    match port.map(|p| &p.value) {
        None => {
            if end.is_some() {
                return Err("endPort needs a numeric port".into());
            }
            Ok(PortEntry::Ports(protocol, PortSet::all()))
        }
        Some(Value::String(name)) => {
            if end.is_some() {
                return Err("endPort cannot be used with a named port".into());
            }
            Ok(PortEntry::Named {
                name: name.to_string(),
                protocol: Some(protocol),
            })
        }
        Some(_) => {
            let lo = port_number(port)?;
            let hi = match end {
                Some(e) => port_number(Some(e))?,
                None => lo,
            };
            if hi < lo {
                return Err(format!("endPort {hi} is below port {lo}"));
            }
            Ok(PortEntry::Ports(protocol, PortSet::range(lo, hi)))
        }
    }
}

pub(crate) fn port_number(node: Option<&Node>) -> Result<u16, String> {
    node.and_then(Node::as_i64)
        .and_then(|n| u16::try_from(n).ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            format!(
                "port {} is not a number in 1..65535",
                node.map(Node::to_json).unwrap_or_default()
            )
        })
}
