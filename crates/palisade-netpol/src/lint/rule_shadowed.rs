//! `netpol/rule-shadowed`: rules shadowed by a broader rule of the same policy
//! and direction. Judged on this input's pods: rule A is shadowed by B when, for
//! every selected pod and every peer, what A allows B allows too.

use palisade_core::{Finding, Rule, Severity};

use crate::engine::Engine;
use crate::model::{Direction, NpRule};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A NetworkPolicy rule that allows nothing another rule of the same policy
    /// and direction does not already allow, for the pods in the input.
    ///
    /// ## Why it matters
    /// A redundant rule suggests the broader one is wider than intended (a
    /// forgotten `ports`, an omitted `from`), and it misleads reviewers about
    /// what the policy allows.
    ///
    /// ## Example
    /// ```yaml
    /// ingress:
    /// - ports: [{port: 8080}]
    /// - {}                      # allows everything, so the rule above adds nothing
    /// ```
    ///
    /// ## How to fix
    /// Remove the shadowed rule, or narrow the broader one if it allows more than
    /// intended.
    id: "netpol/rule-shadowed",
    title: "a NetworkPolicy rule allows nothing a broader rule does not already allow",
    severity: Severity::Low,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

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
                        RULE.id,
                        RULE.severity,
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
