//! The `policy` analyzer: Gatekeeper constraints over the scanned objects, as
//! Gatekeeper's audit would report them.
//!
//! Templates and constraints come from the Inventory's policy objects
//! (`--policies`, read by the command) and from the scanned input itself. `data.inventory` is every scanned object (what a
//! Gatekeeper that syncs everything would hold). A namespace counts as known
//! to `namespaceSelector` when the input has its Namespace object or
//! `--namespace-labels` declares it.

use std::sync::Arc;

use palisade_core::{Analyzer, Enforcement, Finding, Inventory, Object, Options, Rule, Severity};
use rayon::prelude::*;

use crate::constraint::{Action, enforcement_point, is_constraint};
use crate::evaluate::EnginePreference;
use crate::inventory::inventory;
use crate::policy_set::PolicySet;
use crate::review::Review;
use crate::rules::{CONSTRAINT_VIOLATION, LOAD_ERROR};
use crate::template::is_template;

/// `cel` to prefer CEL where a template has both engines.
pub const ENGINE_OPTION: &str = "policy-engine";

pub struct GatekeeperPolicies;

/// The severity of a result by the strongest action of its constraint.
fn severity(actions: &[Action]) -> Severity {
    if actions.contains(&Action::Deny) {
        Severity::High
    } else if actions.contains(&Action::Warn) {
        Severity::Medium
    } else {
        Severity::Low
    }
}

impl Analyzer for GatekeeperPolicies {
    fn name(&self) -> &'static str {
        "policy"
    }

    fn description(&self) -> &'static str {
        "OPA Gatekeeper ConstraintTemplates and Constraints (Rego via regorus), as Gatekeeper's audit reports them"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        vec![&CONSTRAINT_VIOLATION, &LOAD_ERROR]
    }

    fn check_options(&self, options: &Options) -> Result<(), String> {
        match options.get(ENGINE_OPTION) {
            None | Some("rego") | Some("cel") => Ok(()),
            Some(other) => Err(format!("--policy-engine: {other:?} is not rego or cel")),
        }
    }

    fn analyze(&self, scanned: &Inventory, options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        let policy_objects: Vec<&Object> = scanned
            .policy_objects()
            .iter()
            .chain(scanned.objects())
            .filter(|o| is_template(o) || is_constraint(o))
            .collect();
        if policy_objects.is_empty() {
            return findings;
        }
        let reviewed: Vec<&Object> = scanned
            .objects()
            .iter()
            .filter(|o| !is_template(o) && !is_constraint(o))
            .collect();
        let engine = match options.get(ENGINE_OPTION) {
            Some("cel") => EnginePreference::Cel,
            _ => EnginePreference::Rego,
        };
        let set = PolicySet::build(
            policy_objects,
            || inventory(reviewed.iter().map(|o| o.root())),
            engine,
        );
        for problem in &set.problems {
            findings.push(problem.finding(LOAD_ERROR.id));
        }
        if set.is_empty() {
            return findings;
        }
        let results: Vec<Vec<Finding>> = reviewed
            .par_iter()
            .map(|object| review_object(&set, scanned, object))
            .collect();
        findings.extend(results.into_iter().flatten());
        findings
    }
}

fn review_object(set: &PolicySet, scanned: &Inventory, object: &Object) -> Vec<Finding> {
    let mut review = Review::of_object(object.root());
    let namespace = object.namespace().filter(|ns| !ns.is_empty());
    let known = namespace.and_then(|ns| {
        let info = scanned.namespace(ns)?;
        // Only a Namespace object or declared labels tell what a
        // namespaceSelector would see; a namespace known only because
        // objects are placed in it has unknown labels.
        (info.object.is_some() || info.labels.len() > 1).then_some(info)
    });
    review.namespace_object = namespace
        .and_then(|ns| scanned.namespace_object(ns))
        .map(Object::root);
    let labels = known.map(|info| &info.labels);
    set.review(&review, labels, enforcement_point::AUDIT, None)
        .into_iter()
        .map(|result| {
            let constraint = result.constraint;
            let rule = format!("policy/{}/{}", constraint.kind, constraint.name);
            let mut finding = Finding::new(
                rule,
                severity(&result.actions),
                result.violation.msg,
                object.source(),
                Some(object.reference().clone()),
            );
            if result.actions.contains(&Action::Deny) {
                finding.enforcement = Some(Enforcement {
                    policy: format!("{}/{}", constraint.kind, constraint.name),
                    by: format!(
                        "the Gatekeeper constraint {} {:?} (enforcementAction deny)",
                        constraint.kind, constraint.name
                    ),
                });
            }
            finding
        })
        .collect()
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<PolicySet>();
    let _: Option<Arc<PolicySet>> = None;
}
