//! `netpol/invalid-policy`: policies the API server would reject. The model
//! leaves each such policy out while it is built and keeps why; this rule
//! reports them.

use palisade_core::{Finding, Rule, Severity};

use crate::engine::Engine;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A field of a NetworkPolicy or admin policy that the API server would
    /// reject: an invalid CIDR, port, protocol or selector.
    ///
    /// ## Why it matters
    /// The object would not be admitted, so the isolation it describes does not
    /// exist: the analysis leaves the whole policy out, as the cluster would
    /// never store it (a policy that only looks like it isolates pods is a gap).
    ///
    /// ## Example
    /// ```yaml
    /// ingress:
    /// - ports: [{port: 70000}]
    /// ```
    ///
    /// ## How to fix
    /// Fix the field as the message says.
    id: "netpol/invalid-policy",
    title: "a policy the API server would reject",
    severity: Severity::High,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    out.extend(engine.model.issues.iter().map(|issue| {
        Finding::new(RULE.id, RULE.severity, issue.message.clone(), &issue.at, issue.object.clone())
            .with_remediation("Fix the field as the message says; the API server would reject the whole policy, and this analysis leaves it out.")
    }));
}
