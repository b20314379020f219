//! A ClusterPolicy rule's `validate.cel` block, as Kyverno's CEL handler
//! (`pkg/engine/handlers/validation/validate_cel.go`) evaluates it: the
//! block is a Kubernetes ValidatingAdmissionPolicy in miniature, run through
//! the API server's own validator with no failure policy set (so `Fail`).
//!
//! - `celPreconditions` are the VAP's match conditions: one `false` ⇒
//!   `skip` ("cel preconditions not met"); an error ⇒ `fail` with the error.
//! - `variables` are bound in order; `expressions` are the validations: the
//!   first that is not `true` ⇒ `fail` with its `messageExpression`, its
//!   `message`, the rule's `validate.message`, or `failed expression: <expr>`
//!   (the VAP validator's order); an evaluation error ⇒ `fail` with the
//!   error text (failure policy `Fail` turns errors into denials).
//! - All `true` ⇒ `pass`.
//!
//! Not modelled: `paramKind`/`paramRef` (Kyverno fetches params from the
//! cluster; offline there is none, so a rule using them gives `error`, as
//! Kyverno's parameter lookup failing does), and `auditAnnotations`, which
//! are compiled but do not change the result (Kyverno ignores them here).
//! The VAP's `authorizer` variable is refused at compile time by
//! `palisade-cel`.

use palisade_cel::vap::{
    Action, AuditAnnotation, FailurePolicy, MatchCondition, Validation, Validator,
    parse_match_conditions, parse_validations, parse_variables,
};
use palisade_cel::{Activation, Expression, Scope, Variable};
use palisade_core::Node;

use crate::vpol::libs::{self, LibData};
use crate::{ClusterObjects, Json, RuleOutcome, Status};

/// A compiled `validate.cel` block with its rule's `celPreconditions`.
#[derive(Clone, Debug)]
pub struct CelRule {
    preconditions: Vec<MatchCondition>,
    variables: Vec<Variable>,
    validations: Vec<Validation>,
    audit_annotations: Vec<AuditAnnotation>,
    uses_params: bool,
    rule_name: Option<String>,
}

/// The admission request a `validate.cel` rule is evaluated against.
#[derive(Clone, Copy, Debug)]
pub struct CelInput<'a> {
    /// The resource; null for `DELETE`.
    pub object: &'a Json,
    pub old_object: Option<&'a Json>,
    /// The admission request as JSON: `operation`, `name`, `namespace`,
    /// `kind{group,version,kind}`, `resource`, `userInfo`...
    pub request: &'a Json,
    /// The `namespaceObject` variable (in `kyverno test`, a Namespace with
    /// only `metadata.name`); `None` for cluster-scoped resources.
    pub namespace_object: Option<&'a Json>,
    /// Objects served to Kyverno's CEL libraries (`resource.Get`/`List`).
    pub resources: &'a ClusterObjects,
}

impl CelRule {
    /// `validate_cel` is the rule's `validate.cel` object; `cel_preconditions`
    /// the rule's `celPreconditions` list if any. Every expression is
    /// compiled here; one that does not compile is an error naming its field.
    pub fn parse(validate_cel: &Json, cel_preconditions: Option<&Json>) -> Result<CelRule, String> {
        if !validate_cel.is_object() {
            return Err("validate.cel: must be an object".to_owned());
        }
        let get = |key: &str| validate_cel.get(key).cloned().unwrap_or(Json::Null);
        // The VAP readers take `validations`; a rule calls them `expressions`.
        let block = Node::from_json(&serde_json::json!({
            "validations": get("expressions"),
            "variables": get("variables"),
        }));
        let validations = parse_validations(&block, "validate.cel").map_err(|e| {
            e.to_string()
                .replace("validate.cel.validations", "validate.cel.expressions")
        })?;
        let variables = parse_variables(&block, "validate.cel").map_err(|e| e.to_string())?;
        let preconditions = match cel_preconditions {
            None | Some(Json::Null) => Vec::new(),
            Some(list) => {
                let node = Node::from_json(&serde_json::json!({ "celPreconditions": list }));
                parse_match_conditions(&node, "", "celPreconditions").map_err(|e| e.to_string())?
            }
        };
        let audit_annotations = audit_annotations(validate_cel.get("auditAnnotations"))?;
        let uses_params = ["paramKind", "paramRef"]
            .iter()
            .any(|k| validate_cel.get(*k).is_some_and(|v| !v.is_null()));
        Ok(CelRule {
            preconditions,
            variables,
            validations,
            audit_annotations,
            uses_params,
            rule_name: None,
        })
    }

    /// Names the rule in the pass message (`Validation rule 'NAME' passed.`).
    pub fn with_rule_name(mut self, name: &str) -> CelRule {
        self.rule_name = Some(name.to_owned());
        self
    }

    /// `auditAnnotations`, compiled; they do not affect the result.
    pub fn audit_annotation_keys(&self) -> impl Iterator<Item = &str> {
        self.audit_annotations.iter().map(|a| a.key.as_str())
    }

    /// `fallback_message` is the rule's `validate.message` (already
    /// substituted) if any: it stands in for an expression's missing message.
    pub fn evaluate(&self, input: &CelInput, fallback_message: Option<&str>) -> RuleOutcome {
        self.evaluate_in(&activation(input), input.resources, fallback_message)
    }

    /// [`CelRule::evaluate`] with the request's CEL variables already
    /// converted: every CEL rule reviewing one request can share them.
    pub fn evaluate_in(
        &self,
        activation: &Activation,
        resources: &ClusterObjects,
        fallback_message: Option<&str>,
    ) -> RuleOutcome {
        if self.uses_params {
            return RuleOutcome::new(
                Status::Error,
                "error in parameterized resource: paramKind/paramRef need the cluster's params, which are not available offline",
            );
        }
        let mut scope = Scope::new(activation);
        libs::register(
            &mut scope,
            LibData {
                resources,
                images: &Json::Null,
            },
        );
        scope.bind_variables(&self.variables);
        let fallback = fallback_message.filter(|m| !m.is_empty());
        let validator = Validator {
            match_conditions: self.preconditions.clone(),
            variables: Vec::new(),
            validations: self
                .validations
                .iter()
                .map(|v| Validation {
                    message: v.message.clone().or_else(|| fallback.map(str::to_owned)),
                    ..v.clone()
                })
                .collect(),
            audit_annotations: Vec::new(),
            failure_policy: FailurePolicy::Fail,
        };
        let result = validator.validate_in(&scope);
        // No decision at all: the preconditions did not hold (Kyverno
        // compares the result with an empty one).
        if result.decisions.is_empty() {
            return RuleOutcome::new(Status::Skip, "cel preconditions not met");
        }
        if let Some(denied) = result.decisions.iter().find(|d| d.action == Action::Deny) {
            return RuleOutcome::new(Status::Fail, denied.message.clone());
        }
        let message = match &self.rule_name {
            Some(name) => format!("Validation rule '{name}' passed."),
            None => "Validation rule passed.".to_owned(),
        };
        RuleOutcome::new(Status::Pass, message)
    }
}

/// The CEL variables of a request: `object` (null for DELETE),
/// `oldObject`, `request`, `namespaceObject`; no `params`.
pub fn activation(input: &CelInput) -> Activation {
    let object = (!input.object.is_null()).then_some(input.object);
    Activation::from_json(
        object,
        input.old_object,
        input.request,
        None,
        input.namespace_object,
    )
}

fn audit_annotations(list: Option<&Json>) -> Result<Vec<AuditAnnotation>, String> {
    let items = match list {
        None | Some(Json::Null) => return Ok(Vec::new()),
        Some(Json::Array(items)) => items,
        Some(_) => return Err("validate.cel.auditAnnotations: must be a list".to_owned()),
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = |key: &str| {
            item.get(key)
                .and_then(Json::as_str)
                .ok_or_else(|| format!("validate.cel.auditAnnotations[{i}].{key}: Required value"))
        };
        let key = field("key")?.to_owned();
        let value_expression = Expression::compile(field("valueExpression")?)
            .map_err(|e| format!("validate.cel.auditAnnotations[{i}].valueExpression: {e}"))?;
        out.push(AuditAnnotation {
            key,
            value_expression,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(run_as_non_root: Option<bool>) -> Json {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
        if let Some(v) = run_as_non_root {
            pod["spec"]["securityContext"] = json!({"runAsNonRoot": v});
        }
        pod
    }

    fn request() -> Json {
        json!({"operation": "CREATE", "name": "p", "namespace": "default",
               "kind": {"group": "", "version": "v1", "kind": "Pod"}})
    }

    fn run(rule: &CelRule, object: &Json, fallback: Option<&str>) -> RuleOutcome {
        let request = request();
        let namespace = json!({"metadata": {"name": "default"}});
        rule.evaluate(
            &CelInput {
                object,
                old_object: None,
                request: &request,
                namespace_object: Some(&namespace),
                resources: crate::no_cluster_objects(),
            },
            fallback,
        )
    }

    fn rule(cel: Json) -> CelRule {
        CelRule::parse(&cel, None).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn true_expressions_pass_and_false_fails_with_its_message() {
        let r = rule(json!({"expressions": [
            {"expression": "object.spec.containers.all(c, has(c.image))"},
            {"expression": "object.spec.?securityContext.?runAsNonRoot.orValue(false)",
             "message": "Running as root is not allowed."}
        ]}))
        .with_rule_name("run-as-non-root");
        let ok = run(&r, &pod(Some(true)), None);
        assert_eq!(
            ok,
            RuleOutcome::new(Status::Pass, "Validation rule 'run-as-non-root' passed.")
        );
        let bad = run(&r, &pod(Some(false)), None);
        assert_eq!(
            bad,
            RuleOutcome::new(Status::Fail, "Running as root is not allowed.")
        );
    }

    #[test]
    fn message_falls_back_to_validate_message_then_the_expression() {
        let r = rule(json!({"expressions": [{"expression": "false"}]}));
        // Kyverno copies validate.message into expressions without a message.
        assert_eq!(
            run(&r, &pod(None), Some("rule message")).message,
            "rule message"
        );
        assert_eq!(
            run(&r, &pod(None), None).message,
            "failed expression: false"
        );
    }

    #[test]
    fn message_expression_wins_over_message() {
        let r = rule(
            json!({"expressions": [{"expression": "false", "message": "static",
            "messageExpression": "'pod ' + object.metadata.name + ' denied'"}]}),
        );
        assert_eq!(
            run(&r, &pod(None), Some("fallback")).message,
            "pod p denied"
        );
    }

    #[test]
    fn runtime_errors_fail_rather_than_error() {
        // The VAP validator runs with failurePolicy Fail: an error is a denial.
        let r = rule(json!({"expressions": [{"expression": "object.spec.missing == 1"}]}));
        let out = run(&r, &pod(None), None);
        assert_eq!(out.status, Status::Fail);
        assert!(out.message.contains("no such key"), "{}", out.message);
    }

    #[test]
    fn variables_are_bound_in_order() {
        let r = rule(json!({
            "variables": [
                {"name": "containers", "expression": "object.spec.containers"},
                {"name": "names", "expression": "variables.containers.map(c, c.name)"}],
            "expressions": [{"expression": "variables.names == ['c']"}]}));
        assert_eq!(run(&r, &pod(None), None).status, Status::Pass);
    }

    #[test]
    fn false_cel_precondition_skips() {
        let cel = json!({"expressions": [{"expression": "false"}]});
        let pre = json!([{"name": "only-updates", "expression": "request.operation == 'UPDATE'"}]);
        let r = CelRule::parse(&cel, Some(&pre)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            run(&r, &pod(None), None),
            RuleOutcome::new(Status::Skip, "cel preconditions not met")
        );
        let pre = json!([{"name": "creates", "expression": "request.operation == 'CREATE'"}]);
        let r = CelRule::parse(&cel, Some(&pre)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run(&r, &pod(None), None).status, Status::Fail);
    }

    #[test]
    fn namespace_object_is_visible() {
        let r = rule(
            json!({"expressions": [{"expression": "namespaceObject.metadata.name == 'default'"}]}),
        );
        assert_eq!(run(&r, &pod(None), None).status, Status::Pass);
    }

    #[test]
    fn delete_has_a_null_object() {
        let r = rule(
            json!({"expressions": [{"expression": "object == null && oldObject.metadata.name == 'p'"}]}),
        );
        let old = pod(None);
        let request = request();
        let out = r.evaluate(
            &CelInput {
                object: &Json::Null,
                old_object: Some(&old),
                request: &request,
                namespace_object: None,
                resources: crate::no_cluster_objects(),
            },
            None,
        );
        assert_eq!(out.status, Status::Pass);
    }

    #[test]
    fn params_are_reported_unsupported() {
        let r = rule(
            json!({"paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
                            "expressions": [{"expression": "true"}]}),
        );
        assert_eq!(run(&r, &pod(None), None).status, Status::Error);
    }

    #[test]
    fn bad_input_is_a_parse_error_naming_the_field() {
        let err = CelRule::parse(&json!({"expressions": [{"expression": "1 +"}]}), None)
            .err()
            .unwrap_or_default();
        assert!(
            err.starts_with("validate.cel.expressions[0].expression"),
            "{err}"
        );
        assert!(CelRule::parse(&json!("x"), None).is_err());
        assert!(CelRule::parse(&json!({"expressions": "x"}), None).is_err());
        let err = CelRule::parse(
            &json!({"expressions": [], "auditAnnotations": [{"key": "k"}]}),
            None,
        )
        .err()
        .unwrap_or_default();
        assert!(err.contains("valueExpression"), "{err}");
    }

    #[test]
    fn audit_annotations_compile_but_do_not_change_the_result() {
        let r = rule(json!({"expressions": [{"expression": "true"}],
            "auditAnnotations": [{"key": "who", "valueExpression": "1"}]}));
        assert_eq!(r.audit_annotation_keys().collect::<Vec<_>>(), ["who"]);
        assert_eq!(run(&r, &pod(None), None).status, Status::Pass);
    }
}
