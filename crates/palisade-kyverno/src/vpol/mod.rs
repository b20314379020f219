//! Kyverno's `ValidatingPolicy` (`policies.kyverno.io`, `pkg/cel/policies/
//! vpol`), evaluated for one resource as `kyverno test` does:
//!
//! 1. `matchConstraints` as a Kubernetes ValidatingAdmissionPolicy's (rules
//!    on group, version, plural resource and operation; namespace and object
//!    selectors; excluded rules). No match: no response at all. With autogen
//!    ([`autogen`]) a Pod policy also matches Pod controllers, evaluated on
//!    the pod template.
//! 2. `matchConditions`: any `false` ⇒ `skip`; otherwise an error ⇒ `error`
//!    (`skip` under `failurePolicy: Ignore`).
//! 3. `variables`, then `validations` in order: the first `false` ⇒ `fail`
//!    with its `messageExpression`, `message`, or `CEL expression validation
//!    failed at index N`; an evaluation error (or a non-bool result) ⇒
//!    `error`; all `true` ⇒ `pass`.
//!
//! `validationActions` (Deny, Audit, Warn) do not change the result.
//! Not modelled: PolicyExceptions, `evaluation.mode: JSON`, `auditAnnotations`
//! (they only annotate), `webhookConfiguration`.

pub mod autogen;
pub mod libs;
mod policy;

use cel::Value;
use palisade_cel::vap::{AdmissionRequest, FailurePolicy, ObjectSource, Validation, matches};
use palisade_cel::{Activation, Scope};

use crate::{ClusterObjects, Json, RuleOutcome, Status};
use libs::LibData;
use policy::CompiledSpec;

/// A parsed ValidatingPolicy, its CEL compiled (autogen copies included).
#[derive(Clone, Debug)]
pub struct ValidatingPolicy {
    name: String,
    validation_actions: Vec<String>,
    failure_policy: FailurePolicy,
    /// The policy's own spec, then its autogen copies.
    specs: Vec<CompiledSpec>,
}

/// One resource to evaluate, with what `kyverno test` supplies besides it.
#[derive(Clone, Copy, Debug)]
pub struct VpolInput<'a> {
    /// The resource (for `DELETE`, the deleted object).
    pub object: &'a Json,
    pub old_object: Option<&'a Json>,
    /// `CREATE` in `kyverno test`.
    pub operation: &'a str,
    /// The resource's Namespace (from the values file's `namespaces:`): its
    /// labels for `namespaceSelector`, and the `namespaceObject` variable.
    pub namespace_object: Option<&'a Json>,
    /// The request's `userInfo` (`username`, `groups`...).
    pub user_info: Option<&'a Json>,
    /// Objects served by `resource.Get`/`resource.List`.
    pub resources: &'a ClusterObjects,
    /// Image entries served by `image.GetMetadata`, or null.
    pub images: &'a Json,
}

impl ValidatingPolicy {
    /// Reads a ValidatingPolicy (v1alpha1, v1beta1 or v1). An expression that
    /// does not compile is an error naming its field.
    pub fn parse(object: &Json) -> Result<ValidatingPolicy, String> {
        let parsed = policy::parse(object)?;
        Ok(ValidatingPolicy {
            name: parsed.name,
            validation_actions: parsed.validation_actions,
            failure_policy: parsed.failure_policy,
            specs: parsed.specs,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `Deny`, `Audit`, `Warn` as written.
    pub fn validation_actions(&self) -> &[String] {
        &self.validation_actions
    }

    /// The response for one resource; `None` when the policy (and none of
    /// its autogen copies) matches it.
    pub fn evaluate(&self, input: &VpolInput) -> Option<RuleOutcome> {
        let request = admission_request(input);
        let source = NamespaceSource {
            namespace: input.namespace_object,
        };
        let spec = self.specs.iter().find(|spec| {
            spec.match_constraints
                .as_ref()
                .is_some_and(|m| matches(m, &request, &source))
        })?;
        let activation = Activation::from_json(
            request.object.as_ref(),
            request.old_object.as_ref(),
            &request.to_cel_json(),
            None,
            input.namespace_object,
        );
        let mut scope = Scope::new(&activation);
        libs::register(
            &mut scope,
            LibData {
                resources: input.resources,
                images: input.images,
            },
        );
        Some(evaluate_spec(spec, self.failure_policy, &mut scope))
    }
}

fn admission_request(input: &VpolInput) -> AdmissionRequest {
    let mut request = AdmissionRequest::for_object(input.object, input.operation);
    if input.operation != "DELETE"
        && let Some(old) = input.old_object
    {
        request.old_object = Some(old.clone());
    }
    if let Some(user) = input.user_info {
        request.user_info = user.clone();
    }
    request
}

/// Namespaces for `namespaceSelector`: the one supplied, or else a Namespace
/// without labels (`kyverno test` knows labels only from the values file).
struct NamespaceSource<'a> {
    namespace: Option<&'a Json>,
}

impl ObjectSource for NamespaceSource<'_> {
    fn objects(&self, _api_version: &str, kind: &str, _namespace: Option<&str>) -> Vec<Json> {
        match (kind, self.namespace) {
            ("Namespace", Some(ns)) => vec![ns.clone()],
            _ => Vec::new(),
        }
    }

    fn namespace(&self, name: &str) -> Option<Json> {
        let supplied = self
            .namespace
            .filter(|ns| ns.pointer("/metadata/name").and_then(Json::as_str) == Some(name));
        Some(supplied.cloned().unwrap_or_else(|| {
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        }))
    }
}

fn evaluate_spec(
    spec: &CompiledSpec,
    failure_policy: FailurePolicy,
    scope: &mut Scope,
) -> RuleOutcome {
    // Match conditions: a `false` anywhere skips, even past errors.
    let mut errors = Vec::new();
    for condition in &spec.match_conditions {
        match scope.eval(&condition.expression) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => return skip(),
            Ok(other) => errors.push(format!(
                "type conversion error from '{}' to 'bool'",
                palisade_cel::convert::type_name(&other)
            )),
            Err(e) => errors.push(e.message),
        }
    }
    if !errors.is_empty() {
        return match failure_policy {
            FailurePolicy::Ignore => skip(),
            FailurePolicy::Fail => RuleOutcome::new(
                Status::Error,
                format!("failed to load context: {}", errors.join("; ")),
            ),
        };
    }
    scope.bind_variables(&spec.variables);
    for (index, validation) in spec.validations.iter().enumerate() {
        match scope.eval(&validation.expression) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => {
                return RuleOutcome::new(Status::Fail, failure_message(scope, validation, index));
            }
            Ok(other) => {
                return RuleOutcome::new(
                    Status::Error,
                    format!(
                        "error: type conversion error from '{}' to 'bool'",
                        palisade_cel::convert::type_name(&other)
                    ),
                );
            }
            Err(e) => return RuleOutcome::new(Status::Error, format!("error: {}", e.message)),
        }
    }
    RuleOutcome::new(Status::Pass, "success")
}

fn skip() -> RuleOutcome {
    RuleOutcome::new(Status::Skip, "skip")
}

/// Kyverno's message for a false validation: the `messageExpression`'s
/// string (or the reason it has none), else `message`, else the index.
fn failure_message(scope: &Scope, validation: &Validation, index: usize) -> String {
    let mut message = validation.message.clone().unwrap_or_default();
    if let Some(expression) = &validation.message_expression {
        message = match scope.eval(expression) {
            Err(e) => format!("failed to evaluate message expression: {}", e.message),
            Ok(Value::String(s)) => s.to_string(),
            Ok(other) => format!(
                "failed to convert message expression to string: type conversion error from '{}' to 'string'",
                palisade_cel::convert::type_name(&other)
            ),
        };
    }
    if message.is_empty() {
        message = format!("CEL expression validation failed at index {index}");
    }
    message
}

#[cfg(test)]
mod tests;
