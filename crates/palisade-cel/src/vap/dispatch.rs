//! Evaluating policies and their bindings against one request, as the API
//! server's ValidatingAdmissionPolicy dispatcher does: match, collect params,
//! validate once per param, then apply the binding's validation actions
//! (`Deny` refuses, `Warn` adds a warning, `Audit` adds an audit annotation)
//! with the upstream message formats.

use serde_json::Value as Json;

use super::matching::matches;
use super::policy::{Binding, FailurePolicy, ParameterNotFoundAction, Policy, ValidationAction};
use super::request::{AdmissionRequest, ObjectSource, labels_of};
use super::validator::{Action, AuditResult, Decision, Validator};
use crate::env::Activation;

/// The audit annotation key of validation failures under the `Audit` action.
pub const VALIDATION_FAILURE_ANNOTATION: &str =
    "validation.policy.admission.k8s.io/validation_failure";

/// Audit annotation values are cut to this length (bytes), as upstream.
pub const MAX_AUDIT_ANNOTATION_VALUE: usize = 10 * 1024;

/// A failed validation (or error) that the binding's actions apply to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    /// The status reason (`Invalid` unless a validation sets another).
    pub reason: String,
    pub validation_index: Option<usize>,
}

/// The result of one (policy, binding) pair for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub policy: String,
    pub binding: String,
    /// Whether the policy and binding selected the request at all.
    pub matched: bool,
    /// Validations that failed (denied, or errored under `Fail`), in order.
    pub failures: Vec<Failure>,
    pub actions: Vec<ValidationAction>,
    /// A configuration error under failurePolicy `Fail` (params not found
    /// with `Deny`, a namespaced paramRef without a namespace, ...), or an
    /// audit annotation that failed: these refuse the request whatever the
    /// validation actions, as upstream.
    pub forced_denials: Vec<String>,
    /// `auditAnnotations` values to publish, keyed `<policy>/<key>`.
    pub audit_annotations: Vec<(String, String)>,
}

impl Outcome {
    fn new(policy: &Policy, binding: &Binding) -> Outcome {
        Outcome {
            policy: policy.name.clone(),
            binding: binding.name.clone(),
            matched: false,
            failures: Vec::new(),
            actions: binding.validation_actions.clone(),
            forced_denials: Vec::new(),
            audit_annotations: Vec::new(),
        }
    }

    /// The messages that refuse the request, each in the API server's
    /// format: `ValidatingAdmissionPolicy 'P' with binding 'B' denied
    /// request: MSG`.
    pub fn denials(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .forced_denials
            .iter()
            .map(|m| (self.format_denial(m), "Invalid".to_owned()))
            .collect();
        if self.actions.contains(&ValidationAction::Deny) {
            out.extend(
                self.failures
                    .iter()
                    .map(|f| (self.format_denial(&f.message), reason_or_invalid(&f.reason))),
            );
        }
        out
    }

    fn format_denial(&self, message: &str) -> String {
        format!(
            "ValidatingAdmissionPolicy '{}' with binding '{}' denied request: {}",
            self.policy, self.binding, message
        )
    }

    /// The warnings under `Warn`: `Validation failed for
    /// ValidatingAdmissionPolicy 'P' with binding 'B': MSG`.
    pub fn warnings(&self) -> Vec<String> {
        if !self.actions.contains(&ValidationAction::Warn) {
            return Vec::new();
        }
        self.failures
            .iter()
            .map(|f| {
                format!(
                    "Validation failed for ValidatingAdmissionPolicy '{}' with binding '{}': {}",
                    self.policy, self.binding, f.message
                )
            })
            .collect()
    }

    /// The `validation_failure` audit annotation values under `Audit`, one
    /// per failure: a JSON list of one `{message, policy, binding,
    /// expressionIndex, validationActions}` (Go's field order). The API
    /// server keeps the first value set for the key.
    pub fn audit_failures(&self) -> Vec<String> {
        if !self.actions.contains(&ValidationAction::Audit) {
            return Vec::new();
        }
        let actions: Vec<&str> = self.actions.iter().map(|a| a.as_str()).collect();
        self.failures
            .iter()
            .map(|f| {
                format!(
                    "[{{\"message\":{},\"policy\":{},\"binding\":{},\"expressionIndex\":{},\"validationActions\":{}}}]",
                    go_json(&f.message),
                    go_json(&self.policy),
                    go_json(&self.binding),
                    f.validation_index.unwrap_or(0),
                    serde_json::Value::from(actions.clone())
                )
            })
            .collect()
    }
}

fn reason_or_invalid(reason: &str) -> String {
    if reason.is_empty() {
        "Invalid".to_owned()
    } else {
        reason.to_owned()
    }
}

/// A JSON string as Go's encoder writes it (`<`, `>`, `&` escaped).
fn go_json(s: &str) -> String {
    serde_json::Value::from(s)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The HTTP status code of a denial's reason, as upstream maps it.
pub fn status_code(reason: &str) -> u16 {
    match reason {
        "Forbidden" => 403,
        "Unauthorized" => 401,
        "RequestEntityTooLarge" => 413,
        _ => 422,
    }
}

/// The params to validate with, one evaluation per entry (`None`: no params).
fn collect_params<S: ObjectSource + ?Sized>(
    policy: &Policy,
    binding: &Binding,
    req: &AdmissionRequest,
    source: &S,
) -> Result<Vec<Option<Json>>, String> {
    let (Some(kind), Some(pref)) = (&policy.param_kind, &binding.param_ref) else {
        // No paramKind: any paramRef is ignored. paramKind without a
        // paramRef: validate with null params.
        return Ok(vec![None]);
    };
    let namespaced = source.is_namespaced(&kind.api_version, &kind.kind);
    let namespace = if namespaced {
        match (&pref.namespace, req.namespace.as_str()) {
            (Some(ns), _) => Some(ns.clone()),
            (None, "") => {
                return Err(
                    "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources"
                        .to_owned(),
                );
            }
            (None, ns) => Some(ns.to_owned()),
        }
    } else {
        if pref.namespace.is_some() {
            return Err(
                "paramRef.namespace must not be provided for a cluster-scoped `paramKind`"
                    .to_owned(),
            );
        }
        None
    };
    let candidates = source.objects(&kind.api_version, &kind.kind, namespace.as_deref());
    let found: Vec<Option<Json>> = match (&pref.name, &pref.selector) {
        (Some(name), _) => candidates
            .into_iter()
            .filter(|o| o.pointer("/metadata/name").and_then(Json::as_str) == Some(name))
            .take(1)
            .map(Some)
            .collect(),
        (None, Some(sel)) => candidates
            .into_iter()
            .filter(|o| sel.matches(&labels_of(o)))
            .map(Some)
            .collect(),
        (None, None) => return Err("one of name or selector must be provided".to_owned()),
    };
    if found.is_empty() && pref.parameter_not_found_action == ParameterNotFoundAction::Deny {
        return Err(
            "no params found for policy binding with `Deny` parameterNotFoundAction".to_owned(),
        );
    }
    Ok(found)
}

/// Evaluates one policy with one of its bindings.
pub fn evaluate<S: ObjectSource + ?Sized>(
    policy: &Policy,
    binding: &Binding,
    req: &AdmissionRequest,
    source: &S,
) -> Outcome {
    let mut out = Outcome::new(policy, binding);
    if !matches(&policy.match_constraints, req, source) {
        return out;
    }
    if let Some(m) = &binding.match_resources
        && !matches(m, req, source)
    {
        return out;
    }
    out.matched = true;
    let params = match collect_params(policy, binding, req, source) {
        Ok(p) => p,
        Err(e) => {
            if policy.failure_policy == FailurePolicy::Fail {
                out.forced_denials
                    .push(format!("failed to configure binding: {e}"));
            }
            return out;
        }
    };
    let namespace_object = if req.namespace.is_empty() || req.is_namespace() {
        None
    } else {
        source.namespace(&req.namespace)
    };
    let validator = Validator {
        match_conditions: policy.match_conditions.clone(),
        variables: policy.variables.clone(),
        validations: policy.validations.clone(),
        audit_annotations: policy.audit_annotations.clone(),
        failure_policy: policy.failure_policy,
    };
    let request = req.to_cel_json();
    for param in params {
        let param = param.map(|p| with_type_meta(p, policy));
        let activation = Activation::from_json(
            req.object.as_ref(),
            req.old_object.as_ref(),
            &request,
            param.as_ref(),
            namespace_object.as_ref(),
        );
        let result = validator.validate(&activation);
        for d in result.decisions {
            push_decision(&mut out, d);
        }
        for a in result.audit {
            match a {
                AuditResult::Publish { key, value } => {
                    let key = format!("{}/{}", policy.name, key);
                    let value = truncate(&value, MAX_AUDIT_ANNOTATION_VALUE);
                    if !out
                        .audit_annotations
                        .iter()
                        .any(|(k, v)| *k == key && *v == value)
                    {
                        out.audit_annotations.push((key, value));
                    }
                }
                AuditResult::Error { message, .. } => out.forced_denials.push(message),
            }
        }
    }
    out
}

fn push_decision(out: &mut Outcome, d: Decision) {
    if d.action == Action::Deny {
        out.failures.push(Failure {
            message: d.message,
            reason: d.reason,
            validation_index: d.validation_index,
        });
    }
}

/// Params carry their apiVersion and kind even when the store drops them.
fn with_type_meta(mut p: Json, policy: &Policy) -> Json {
    if let (Some(kind), Some(map)) = (&policy.param_kind, p.as_object_mut()) {
        map.entry("apiVersion")
            .or_insert_with(|| Json::from(kind.api_version.clone()));
        map.entry("kind")
            .or_insert_with(|| Json::from(kind.kind.clone()));
    }
    p
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// What the API server would answer for a request, all policies together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    /// `false` when any binding denies.
    pub allowed: bool,
    /// The first denial: its message, reason and HTTP code. (The API server
    /// reports only the first; all are in `outcomes`.)
    pub denial: Option<(String, String, u16)>,
    pub warnings: Vec<String>,
    /// Audit annotations: `<policy>/<key>` values (a key set by several
    /// bindings gets their distinct values joined by `, `) and the
    /// `validation_failure` annotation (first value kept).
    pub audit_annotations: Vec<(String, String)>,
    pub outcomes: Vec<Outcome>,
}

/// Evaluates every binding of every policy against `req`. Bindings are
/// paired with policies by `policyName`; a binding to an unknown policy does
/// nothing, as upstream.
pub fn review<S: ObjectSource + ?Sized>(
    policies: &[Policy],
    bindings: &[Binding],
    req: &AdmissionRequest,
    source: &S,
) -> Review {
    let mut outcomes = Vec::new();
    for policy in policies {
        for binding in bindings.iter().filter(|b| b.policy_name == policy.name) {
            outcomes.push(evaluate(policy, binding, req, source));
        }
    }
    let mut denial = None;
    let mut warnings = Vec::new();
    let mut audit: Vec<(String, String)> = Vec::new();
    for o in &outcomes {
        if denial.is_none()
            && let Some((m, r)) = o.denials().into_iter().next()
        {
            let code = status_code(&r);
            denial = Some((m, r, code));
        }
        warnings.extend(o.warnings());
        if let Some(v) = o.audit_failures().into_iter().next()
            && !audit
                .iter()
                .any(|(k, _)| k == VALIDATION_FAILURE_ANNOTATION)
        {
            audit.push((VALIDATION_FAILURE_ANNOTATION.to_owned(), v));
        }
        for (k, v) in &o.audit_annotations {
            match audit.iter_mut().find(|(key, _)| key == k) {
                Some((_, existing)) => {
                    if !existing.split(", ").any(|e| e == v) {
                        existing.push_str(", ");
                        existing.push_str(v);
                    }
                }
                None => audit.push((k.clone(), v.clone())),
            }
        }
    }
    Review {
        allowed: denial.is_none(),
        denial,
        warnings,
        audit_annotations: audit,
        outcomes,
    }
}
