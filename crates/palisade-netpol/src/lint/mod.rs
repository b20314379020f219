//! Lint: what matters in practice about a cluster's network policies.
//!
//! Every finding is a [`palisade_core::Finding`] with a rule id `netpol/<id>`,
//! a severity, the file and line of the object or rule at fault, and a
//! remediation. Rules, one file per concern:
//! * `isolation`: `missing-default-deny-ingress`, `missing-default-deny-egress`,
//!   `egress-deny-without-dns`;
//! * `selection`: `policy-selects-nothing`, `peer-matches-nothing`,
//!   `named-port-unresolved`;
//! * `ipblock`: `ipblock-except-outside-cidr`;
//! * `shadow`: `rule-shadowed`;
//! * `invalid-policy`: parts of policies the API server would reject (the
//!   model drops them).

mod ipblock;
mod isolation;
mod selection;
mod shadow;

use palisade_core::{Finding, Severity};

use crate::engine::Engine;

/// Runs every rule. Findings come in a stable order: by rule family, then by
/// object order in the input.
pub fn lint(engine: &Engine) -> Vec<Finding> {
    let mut out: Vec<Finding> = engine
        .model
        .issues
        .iter()
        .map(|issue| {
            Finding::new("netpol/invalid-policy", Severity::High, issue.message.clone(), &issue.at, issue.object.clone())
                .with_remediation("Fix the field as the message says; the API server would reject it, and this analysis ignores it.")
        })
        .collect();
    isolation::check(engine, &mut out);
    selection::check(engine, &mut out);
    ipblock::check(engine, &mut out);
    shadow::check(engine, &mut out);
    out
}
