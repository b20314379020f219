//! Pod Security Standards as findings: every pod template in the inventory is
//! evaluated at the target policy and, where the input holds its namespace with
//! enforce labels, at the policy the cluster would enforce.
//!
//! A check that the enforcing namespace would reject carries an [`Enforcement`] and
//! raised to at least `high`: it blocks a deployment, where a target-only
//! failure is advice.

use std::collections::HashMap;

use palisade_core::{
    Enforcement, Finding, Inventory, Object, PodTemplate, Severity, SourceRef, pod_templates,
};
use rayon::prelude::*;

use crate::namespace_policy::enforce_policy;
use crate::{CheckFailure, Level, LevelVersion, evaluate};

/// Rule ids are `pss/<upstream check id>`.
pub const RULE_PREFIX: &str = "pss/";

/// Evaluates every pod template of every object, in parallel; findings come back
/// in object order, then template order, then upstream check order.
pub fn scan(inventory: &Inventory, target: LevelVersion) -> Vec<Finding> {
    // Each namespace's labels are read once here, not once per object.
    let enforced: HashMap<&str, LevelVersion> = inventory
        .namespaces()
        .map(|ns| (ns.name.as_str(), enforce_policy(ns).policy))
        .filter(|(_, policy)| policy.level != Level::Privileged)
        .collect();
    inventory
        .objects()
        .par_iter()
        .flat_map_iter(|object| {
            let enforce = object.namespace().and_then(|ns| enforced.get(ns)).copied();
            scan_object(object, target, enforce)
        })
        .collect()
}

/// The findings for one object's pod templates at `target`, marking those that
/// `enforce` (the namespace's enforce policy, when it enforces anything) rejects.
pub fn scan_object(
    object: &Object,
    target: LevelVersion,
    enforce: Option<LevelVersion>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for template in &pod_templates(object) {
        let at_target = evaluate(template.metadata, template.spec, target);
        let evaluated_at_enforce;
        let at_enforce: &[CheckFailure] = match enforce {
            Some(policy) if policy == target => &at_target,
            Some(policy) => {
                evaluated_at_enforce = evaluate(template.metadata, template.spec, policy);
                &evaluated_at_enforce
            }
            None => &[],
        };
        for failure in &at_target {
            let enforced = at_enforce.iter().any(|f| f.id == failure.id);
            findings.push(finding(
                template,
                failure,
                enforced.then_some(enforce).flatten(),
            ));
        }
        // Checks the namespace enforces beyond the target level still block admission.
        for failure in at_enforce
            .iter()
            .filter(|f| at_target.iter().all(|t| t.id != f.id))
        {
            findings.push(finding(template, failure, enforce));
        }
    }
    findings
}

fn finding(
    template: &PodTemplate<'_>,
    failure: &CheckFailure,
    enforced_by: Option<LevelVersion>,
) -> Finding {
    let object = template.object;
    // Point at the offending value when the check knows it, else at the pod spec.
    let at = match failure.pos {
        Some(pos) if pos.is_known() => SourceRef {
            file: object.source().file.clone(),
            pos,
        },
        _ => object.locate(Some(template.spec)),
    };
    let mut severity = failure.severity;
    if enforced_by.is_some() {
        severity = severity.max(Severity::High);
    }
    let mut finding = Finding::new(
        format!("{RULE_PREFIX}{}", failure.id),
        severity,
        failure.message(),
        &at,
        Some(object.reference().clone()),
    );
    finding.remediation = crate::remediation(failure.id).map(std::borrow::Cow::Borrowed);
    finding.enforcement = enforced_by.map(|policy| Enforcement {
        policy: policy.to_string(),
        by: format!("the namespace enforces PodSecurity \"{policy}\""),
    });
    finding
}
