//! `ipBlock.except` entries that are not strict subsets of their `cidr`.
//!
//! Why: the API server rejects them; where an older server accepted one, the
//! entry excludes nothing (outside) or everything (equal), which is never
//! what the author meant.

use palisade_core::{Finding, Severity};

use crate::engine::Engine;
use crate::model::{Direction, NpPeer};

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    for policy in &engine.model.policies {
        for dir in [Direction::Ingress, Direction::Egress] {
            for rule in policy.rules(dir).unwrap_or(&[]) {
                for peer in rule.peers.iter().flatten() {
                    let NpPeer::Ip(block) = peer else { continue };
                    for e in &block.except {
                        if block.cidr.contains(e) && *e != block.cidr {
                            continue;
                        }
                        out.push(
                            Finding::new(
                                "netpol/ipblock-except-outside-cidr",
                                Severity::High,
                                format!(
                                    "NetworkPolicy {} {:?} rule #{}: except {e} is not a strict subset of cidr {}",
                                    policy.id(),
                                    dir,
                                    rule.index,
                                    block.cidr
                                ),
                                &rule.at,
                                Some(policy.object.clone()),
                            )
                            .with_remediation("Make every except entry a smaller range inside the ipBlock's cidr, or remove it."),
                        );
                    }
                }
            }
        }
    }
}
