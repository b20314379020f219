//! `netpol/ipblock-except-outside-cidr`: `ipBlock.except` entries that are not
//! strict subsets of their `cidr`.

use palisade_core::{Finding, Rule, Severity};

use crate::engine::Engine;
use crate::model::{Direction, NpPeer};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An `ipBlock.except` entry that is not a strict subset of the block's `cidr`:
    /// outside it, or equal to it.
    ///
    /// ## Why it matters
    /// The API server rejects such a policy; where an older server accepted one,
    /// the entry excludes nothing (outside) or everything (equal), which is never
    /// what the author meant.
    ///
    /// ## Example
    /// ```yaml
    /// egress:
    /// - to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]
    /// ```
    ///
    /// ## How to fix
    /// Make every except entry a smaller range inside the ipBlock's cidr, or
    /// remove it.
    id: "netpol/ipblock-except-outside-cidr",
    title: "an ipBlock except entry is not a strict subset of its cidr",
    severity: Severity::High,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

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
                                RULE.id,
                                RULE.severity,
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
