//! The NetworkPolicy expectations: `reach` / `isolated` between two
//! endpoints, on one port or any. Endpoint forms are checked here; whether a
//! named workload exists is checked against the input when evaluating.

use palisade_core::Node;
use palisade_netpol::Protocol;

use super::Context;
use super::fields::{Fields, ReadError, Source};
use crate::model::{Check, EndpointSpec, Flow};

/// `reach:` or `isolated:`.
pub(super) fn flow(context: &Context, node: &Node, expect_reach: bool) -> Result<Check, ReadError> {
    let what = if expect_reach { "reach" } else { "isolated" };
    let source = context.source;
    let mut fields = Fields::open(source, node, what)?;
    let from_node = fields.required("from")?;
    let to_node = fields.required("to")?;
    let port = fields.optional("port");
    let protocol = fields.optional("protocol");
    fields.finish()?;
    let port = match (port, protocol) {
        (None, Some(p)) => return Err(source.error(p, format!("{what}.protocol needs a port"))),
        (None, None) => None,
        (Some(port), protocol) => Some((protocol_of(source, protocol)?, port_of(source, port)?)),
    };
    Ok(Check::Network {
        expect_reach,
        flow: Flow {
            from: endpoint(source, from_node)?,
            from_at: source.at(from_node),
            to: endpoint(source, to_node)?,
            to_at: source.at(to_node),
            port,
        },
    })
}

/// A port number, 1 to 65535.
fn port_of(source: Source, node: &Node) -> Result<u16, ReadError> {
    node.as_i64()
        .and_then(|n| u16::try_from(n).ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| source.error(node, "port must be a number from 1 to 65535"))
}

/// TCP (the default), UDP or SCTP, as a NetworkPolicy names them.
fn protocol_of(source: Source, node: Option<&Node>) -> Result<Protocol, ReadError> {
    let Some(node) = node else {
        return Ok(Protocol::Tcp);
    };
    match node.as_str() {
        Some("TCP") => Ok(Protocol::Tcp),
        Some("UDP") => Ok(Protocol::Udp),
        Some("SCTP") => Ok(Protocol::Sctp),
        _ => Err(source.error(node, "protocol must be TCP, UDP or SCTP")),
    }
}

/// One endpoint: `ingress-controller`, `NS/NAME[Kind]`, an address or CIDR, or
/// `{namespace, labels}`.
fn endpoint(source: Source, node: &Node) -> Result<EndpointSpec, ReadError> {
    if node.as_map().is_some() {
        let mut fields = Fields::open(source, node, "an endpoint")?;
        let namespace = source.string(fields.required("namespace")?, "endpoint namespace")?;
        let labels = match fields.optional("labels") {
            Some(labels) => source.string_map(labels, "labels")?,
            None => Default::default(),
        };
        fields.finish()?;
        if !palisade_core::names::is_dns1123_label(&namespace) {
            return Err(source.error(node, format!("{namespace:?} is not a namespace name")));
        }
        return Ok(EndpointSpec::Hypothetical { namespace, labels });
    }
    let text = source.string(node, "an endpoint")?;
    if text == "ingress-controller" || text == palisade_netpol::ingress::PEER_NAME {
        return Ok(EndpointSpec::IngressController);
    }
    if looks_like_address(&text) {
        return palisade_netpol::ip::IpRange::parse_cidr(&text)
            .map(|_| EndpointSpec::External(text.clone()))
            .map_err(|e| source.error(node, format!("{text:?} is not an address or CIDR: {e}")));
    }
    match text.split_once('/') {
        Some((namespace, name)) if !namespace.is_empty() && !name.is_empty() => {
            Ok(EndpointSpec::Workload(text))
        }
        _ => Err(source.error(
            node,
            format!("unknown endpoint {text:?}: expected ingress-controller, NS/NAME[Kind], an address or CIDR, or {{namespace, labels}}"),
        )),
    }
}

/// An IPv4 address starts with a digit; an IPv6 one holds a colon.
fn looks_like_address(text: &str) -> bool {
    text.contains(':') || text.chars().next().is_some_and(|c| c.is_ascii_digit())
}
