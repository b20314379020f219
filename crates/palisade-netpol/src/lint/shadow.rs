//! Rules shadowed by a broader rule of the same policy and direction.
//!
//! Why: a redundant rule suggests the broader one is wider than intended (a
//! forgotten `ports`, an omitted `from`), and it misleads reviewers about what
//! the policy allows. Judged on this input's pods: rule A is shadowed by B when,
//! for every selected pod and every peer, what A allows B allows too.

use palisade_core::{Finding, Severity};

use crate::engine::Engine;
use crate::model::{Direction, NpRule};

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    for policy in &engine.model.policies {
        let subjects: Vec<usize> = (0..engine.classes.len())
            .filter(|&c| engine.in_pod_set(policy.subject, c))
            .collect();
        if subjects.is_empty() {
            continue;
        }
        for dir in [Direction::Ingress, Direction::Egress] {
            let rules = policy.rules(dir).unwrap_or(&[]);
            let peers = engine.peers(dir);
            for a in rules {
                let covered_by = rules.iter().find(|b| {
                    b.index != a.index
                        && covers(engine, &subjects, &peers, dir, b, a)
                        && (!covers(engine, &subjects, &peers, dir, a, b) || b.index < a.index)
                });
                let Some(b) = covered_by else { continue };
                if is_empty(engine, &subjects, &peers, dir, a) {
                    // Allows nothing at all: the selection rules report why.
                    continue;
                }
                out.push(
                    Finding::new(
                        "netpol/rule-shadowed",
                        Severity::Low,
                        format!(
                            "NetworkPolicy {} {:?} rule #{} allows nothing that rule #{} does not already allow",
                            policy.id(),
                            dir,
                            a.index,
                            b.index
                        ),
                        &a.at,
                        Some(policy.object.clone()),
                    )
                    .with_remediation(format!("Remove rule #{} or narrow rule #{} if it is broader than intended.", a.index, b.index)),
                );
            }
        }
    }
}

fn covers(
    engine: &Engine,
    subjects: &[usize],
    peers: &[crate::engine::Peer],
    dir: Direction,
    wide: &NpRule,
    narrow: &NpRule,
) -> bool {
    subjects.iter().all(|&s| {
        peers.iter().all(|&p| {
            engine
                .np_rule_allows(s, dir, narrow, p)
                .is_subset(&engine.np_rule_allows(s, dir, wide, p))
        })
    })
}

fn is_empty(
    engine: &Engine,
    subjects: &[usize],
    peers: &[crate::engine::Peer],
    dir: Direction,
    rule: &NpRule,
) -> bool {
    subjects.iter().all(|&s| {
        peers
            .iter()
            .all(|&p| engine.np_rule_allows(s, dir, rule, p).is_empty())
    })
}
