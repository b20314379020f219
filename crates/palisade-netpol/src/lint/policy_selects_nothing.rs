//! `netpol/policy-selects-nothing`: a NetworkPolicy, AdminNetworkPolicy or
//! BaselineAdminNetworkPolicy whose subject matches no pod of the input.

use palisade_core::{Finding, Rule, Severity};

use crate::engine::Engine;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A policy whose `podSelector` (or admin policy `subject`) matches no pod in
    /// the input.
    ///
    /// ## Why it matters
    /// The policy looks protective and does nothing, usually because of a typo in
    /// a label: the pods it was written for stay open.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec: {podSelector: {matchLabels: {app: wbe}}}   # the pods are labelled app: web
    /// ```
    ///
    /// ## How to fix
    /// Check the selector against the labels of the pods it should protect, or
    /// delete the policy.
    id: "netpol/policy-selects-nothing",
    title: "a policy selects no pod",
    severity: Severity::Low,
};

/// The rules this check emits.
pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(engine: &Engine, out: &mut Vec<Finding>) {
    let model = engine.model;
    for policy in &model.policies {
        if engine.pod_set_is_empty(policy.subject) {
            out.push(
                Finding::new(
                    RULE.id,
                    RULE.severity,
                    format!("NetworkPolicy {} selects no pod in namespace {:?}", policy.id(), policy.namespace),
                    &policy.at,
                    Some(policy.object.clone()),
                )
                .with_remediation("Check spec.podSelector against the labels of the pods it should protect, or delete the policy."),
            );
        }
    }
    for policy in model.admin.iter().chain(&model.baseline) {
        if engine.pod_set_is_empty(policy.subject) {
            out.push(
                Finding::new(
                    RULE.id,
                    RULE.severity,
                    format!(
                        "{} {:?} has a subject that matches no pod",
                        policy.kind(),
                        policy.name
                    ),
                    &policy.at,
                    Some(policy.object.clone()),
                )
                .with_remediation(
                    "Check spec.subject against the namespace and pod labels it should cover.",
                ),
            );
        }
    }
}
