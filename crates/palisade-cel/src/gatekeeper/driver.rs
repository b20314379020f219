//! Gatekeeper's `K8sNativeValidation` driver, offline: a template's CEL
//! evaluated against a Gatekeeper review and one constraint, giving the
//! violation messages Gatekeeper reports.
//!
//! As in Gatekeeper's k8scel driver: `params` is the whole constraint (the
//! template reads `variables.params`, its `spec.parameters`), `object` is
//! null on DELETE (`variables.anyObject` is then the old object), the
//! template's match conditions and failure policy apply, and every
//! validation whose decision is Deny becomes one result whose message is the
//! `messageExpression` result, else `message`, else `failed expression:
//! <expression>` (an error under failure policy Fail gives the error text).
//! The constraint's own `match` (kinds, namespaces, ...) is the caller's
//! job, as it is for Rego: Gatekeeper applies it before calling any driver.

use serde_json::Value as Json;

use super::source::NativeSource;
use crate::env::Activation;
use crate::vap::{Action, AdmissionRequest, Decision, Validator};

/// The violations (messages) of `review` against `constraint`.
/// `review` is the AdmissionRequest JSON Gatekeeper builds (gator's
/// `input.review`), `constraint` the constraint object, `namespace` the
/// Namespace object when known (`namespaceObject`).
pub fn evaluate(
    source: &NativeSource,
    review: &Json,
    constraint: &Json,
    namespace: Option<&Json>,
) -> Vec<String> {
    decisions(source, review, constraint, namespace)
        .into_iter()
        .map(|d| d.message)
        .collect()
}

/// The same, as the validator's Deny decisions (with validation index and
/// reason).
pub fn decisions(
    source: &NativeSource,
    review: &Json,
    constraint: &Json,
    namespace: Option<&Json>,
) -> Vec<Decision> {
    let mut request = AdmissionRequest::from_json(review);
    if request.operation == "DELETE" {
        // Gatekeeper copies oldObject into object on DELETE for Rego; the
        // CEL driver unsets it again so that CEL sees what the API server
        // sends (templates use `variables.anyObject`).
        request.object = None;
    }
    let activation = Activation::from_json(
        request.object.as_ref(),
        request.old_object.as_ref(),
        &request.to_cel_json(),
        Some(constraint),
        namespace,
    );
    let validator = Validator {
        match_conditions: source.match_conditions.clone(),
        variables: source.variables.clone(),
        validations: source.validations.clone(),
        audit_annotations: Vec::new(),
        failure_policy: source.failure_policy,
    };
    validator
        .validate(&activation)
        .decisions
        .into_iter()
        .filter(|d| d.action == Action::Deny)
        .collect()
}
