//! `netpol/ipblock-host-bits`: an `ipBlock.cidr` whose address has bits set
//! below its prefix length.

use palisade_core::{Finding, Rule, Severity};

use crate::engine::Engine;
use crate::model::{Direction, NpPeer};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An `ipBlock.cidr` such as `10.0.0.1/24`: an address with bits set below the
    /// prefix length.
    ///
    /// ## Why it matters
    /// The API server accepts it and reads it as the whole network (`10.0.0.0/24`,
    /// 256 addresses). The author usually meant one host (`10.0.0.1/32`), so the
    /// rule allows far more than it seems to, or the prefix is a typo.
    ///
    /// ## Example
    /// ```yaml
    /// egress:
    /// - to: [{ipBlock: {cidr: 10.0.0.1/24}}]
    /// ```
    ///
    /// ## How to fix
    /// Write the network address (`10.0.0.0/24`) if the whole network is meant,
    /// or the host with a full-length prefix (`10.0.0.1/32`) if one address is.
    id: "netpol/ipblock-host-bits",
    title: "an ipBlock cidr has host bits set, so it covers the whole network",
    severity: Severity::Medium,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    for policy in &engine.model.policies {
        for dir in [Direction::Ingress, Direction::Egress] {
            for rule in policy.rules(dir).unwrap_or(&[]) {
                for peer in rule.peers.iter().flatten() {
                    let NpPeer::Ip(block) = peer else { continue };
                    let Some(written) = &block.cidr_with_host_bits else {
                        continue;
                    };
                    out.push(
                        Finding::new(
                            RULE.id,
                            RULE.severity,
                            format!(
                                "NetworkPolicy {} {:?} rule #{}: cidr {written} has host bits set and covers the whole network {}",
                                policy.id(),
                                dir,
                                rule.index,
                                block.cidr
                            ),
                            &rule.at,
                            Some(policy.object.clone()),
                        )
                        .with_remediation(format!(
                            "Write the network address if the network is meant, or {} with a full-length prefix if one host is.",
                            written.split('/').next().unwrap_or(written)
                        )),
                    );
                }
            }
        }
    }
}
