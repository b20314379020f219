//! The `vap` analyzer: ValidatingAdmissionPolicies over the scanned objects,
//! each object judged as its CREATE would be.
//!
//! Policies and bindings come from the Inventory's policy objects
//! (`--policies`) and from the scanned input; params are looked up among the
//! scanned and policy objects;
//! Namespaces are the input's Namespace objects (a namespace known only by
//! name matches no `namespaceSelector` with requirements).

use palisade_cel::vap::{AdmissionRequest, ValidationAction};
use palisade_core::{Analyzer, Enforcement, Finding, Inventory, Object, Options, Rule, Severity};
use rayon::prelude::*;

use crate::rules::{VAP_LOAD_ERROR, VAP_VIOLATION};
use crate::vap::{VapSet, is_vap_object};

pub struct ValidatingAdmissionPolicies;

fn severity(actions: &[ValidationAction]) -> Severity {
    if actions.contains(&ValidationAction::Deny) {
        Severity::High
    } else if actions.contains(&ValidationAction::Warn) {
        Severity::Medium
    } else {
        Severity::Low
    }
}

impl Analyzer for ValidatingAdmissionPolicies {
    fn name(&self) -> &'static str {
        "vap"
    }

    fn description(&self) -> &'static str {
        "ValidatingAdmissionPolicies and their bindings (CEL), as the API server would apply them on create"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        vec![&VAP_VIOLATION, &VAP_LOAD_ERROR]
    }

    fn analyze(&self, scanned: &Inventory, _options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        let all: Vec<&Object> = scanned
            .policy_objects()
            .iter()
            .chain(scanned.objects())
            .collect();
        if !all.iter().any(|o| is_vap_object(o)) {
            return findings;
        }
        let set = VapSet::build(all.iter().copied(), all.iter().map(|o| o.root()));
        for problem in &set.problems {
            findings.push(problem.finding(VAP_LOAD_ERROR.id));
        }
        if set.is_empty() {
            return findings;
        }
        let namespace = |name: &str| scanned.namespace_object(name).map(|o| o.root().to_json());
        let reviewed: Vec<&Object> = scanned
            .objects()
            .iter()
            .filter(|o| !is_vap_object(o))
            .collect();
        let results: Vec<Vec<Finding>> =
            reviewed
                .par_iter()
                .map(|object| {
                    let request = AdmissionRequest::for_object(&object.root().to_json(), "CREATE");
                    let review = set.review(&request, &namespace);
                    let mut out = Vec::new();
                    for outcome in review.outcomes.iter().filter(|o| o.matched) {
                        let rule = format!("vap/{}/{}", outcome.policy, outcome.binding);
                        let denies = outcome.actions.contains(&ValidationAction::Deny);
                        let messages =
                            outcome
                                .forced_denials
                                .iter()
                                .map(|m| (m.clone(), Severity::High, true))
                                .chain(outcome.failures.iter().map(|f| {
                                    (f.message.clone(), severity(&outcome.actions), denies)
                                }));
                        for (message, severity, denied) in messages {
                            let mut finding = Finding::new(
                                rule.clone(),
                                severity,
                                message,
                                object.source(),
                                Some(object.reference().clone()),
                            );
                            if denied {
                                finding.enforcement = Some(Enforcement {
                                    policy: format!("{}/{}", outcome.policy, outcome.binding),
                                    by: format!(
                                        "the ValidatingAdmissionPolicy {:?} through binding {:?}",
                                        outcome.policy, outcome.binding
                                    ),
                                });
                            }
                            out.push(finding);
                        }
                    }
                    out
                })
                .collect();
        findings.extend(results.into_iter().flatten());
        findings
    }
}
