//! `ValidatingAdmissionPolicy` and `ValidatingAdmissionPolicyBinding`
//! (admissionregistration.k8s.io/v1) read from `Node`s, with every CEL
//! expression compiled up front: an expression that does not compile is a
//! parse error naming its field, as the API server rejects such a policy at
//! creation.

use palisade_core::{LabelSelector, Node};

use super::fields::{ParseError, error, join, member, opt_str, req_str, selector, seq, strings};
use crate::env::{Expression, Variable};

/// `Fail` (the default) or `Ignore`: what an error while evaluating does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailurePolicy {
    #[default]
    Fail,
    Ignore,
}

/// What a binding does with a failed validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationAction {
    Deny,
    Warn,
    Audit,
}

impl ValidationAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationAction::Deny => "Deny",
            ValidationAction::Warn => "Warn",
            ValidationAction::Audit => "Audit",
        }
    }
}

/// `Allow` (the default when unset) or `Deny` when a binding's params are missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ParameterNotFoundAction {
    #[default]
    Allow,
    Deny,
}

/// A rule's `scope`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RuleScope {
    #[default]
    All,
    Cluster,
    Namespaced,
}

/// One `resourceRules`/`excludeResourceRules` entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NamedRule {
    pub resource_names: Vec<String>,
    pub operations: Vec<String>,
    pub api_groups: Vec<String>,
    pub api_versions: Vec<String>,
    pub resources: Vec<String>,
    pub scope: RuleScope,
}

/// `matchConstraints` of a policy, `matchResources` of a binding.
///
/// `matchPolicy: Equivalent` is read but treated as `Exact`: offline there is
/// no discovery of which other versions of a resource are equivalent, so a
/// request matches only rules that name its own group, version and resource.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatchResources {
    pub namespace_selector: LabelSelector,
    pub object_selector: LabelSelector,
    pub resource_rules: Vec<NamedRule>,
    pub exclude_resource_rules: Vec<NamedRule>,
    pub match_policy: Option<String>,
}

/// `spec.paramKind`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamKind {
    pub api_version: String,
    pub kind: String,
}

/// A named CEL condition (`matchConditions[]`).
#[derive(Clone, Debug)]
pub struct MatchCondition {
    pub name: String,
    pub expression: Expression,
}

/// `spec.validations[]`.
#[derive(Clone, Debug)]
pub struct Validation {
    pub expression: Expression,
    pub message: Option<String>,
    pub message_expression: Option<Expression>,
    pub reason: Option<String>,
}

/// `spec.auditAnnotations[]`.
#[derive(Clone, Debug)]
pub struct AuditAnnotation {
    pub key: String,
    pub value_expression: Expression,
}

/// A parsed, compiled `ValidatingAdmissionPolicy`.
#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    pub param_kind: Option<ParamKind>,
    pub match_constraints: MatchResources,
    pub match_conditions: Vec<MatchCondition>,
    pub variables: Vec<Variable>,
    pub validations: Vec<Validation>,
    pub audit_annotations: Vec<AuditAnnotation>,
    pub failure_policy: FailurePolicy,
}

/// `spec.paramRef` of a binding.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamRef {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub selector: Option<LabelSelector>,
    pub parameter_not_found_action: ParameterNotFoundAction,
}

/// A parsed `ValidatingAdmissionPolicyBinding`.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    pub policy_name: String,
    pub param_ref: Option<ParamRef>,
    pub match_resources: Option<MatchResources>,
    pub validation_actions: Vec<ValidationAction>,
}

fn compile(source: &str, field: &str) -> Result<Expression, ParseError> {
    Expression::compile(source).map_err(|e| error(field, e.to_string()))
}

fn check_kind(node: &Node, kind: &str) -> Result<(), ParseError> {
    if node.as_map().is_none() {
        return Err(error(
            "",
            format!("a {kind} must be a mapping, not a {}", node.type_name()),
        ));
    }
    match opt_str(node, "", "kind")? {
        Some(k) if k == kind => {}
        Some(k) => return Err(error("kind", format!("expected {kind}, found {k}"))),
        None => return Err(error("kind", "Required value")),
    }
    if let Some(v) = opt_str(node, "", "apiVersion")?
        && !v.starts_with("admissionregistration.k8s.io/")
    {
        return Err(error(
            "apiVersion",
            format!("expected admissionregistration.k8s.io/v1, found {v}"),
        ));
    }
    Ok(())
}

fn rules(node: &Node, path: &str, key: &str) -> Result<Vec<NamedRule>, ParseError> {
    let mut out = Vec::new();
    for (i, r) in seq(node, path, key)?.iter().enumerate() {
        let p = format!("{}[{i}]", join(path, key));
        let scope = match opt_str(r, &p, "scope")?.as_deref() {
            None | Some("*") => RuleScope::All,
            Some("Cluster") => RuleScope::Cluster,
            Some("Namespaced") => RuleScope::Namespaced,
            Some(other) => {
                return Err(error(
                    &join(&p, "scope"),
                    format!(
                        "Unsupported value: {other:?}: supported values: \"*\", \"Cluster\", \"Namespaced\""
                    ),
                ));
            }
        };
        out.push(NamedRule {
            resource_names: strings(r, &p, "resourceNames")?,
            operations: strings(r, &p, "operations")?,
            api_groups: strings(r, &p, "apiGroups")?,
            api_versions: strings(r, &p, "apiVersions")?,
            resources: strings(r, &p, "resources")?,
            scope,
        });
    }
    Ok(out)
}

/// Reads a `matchConstraints`/`matchResources` block at `path`.
pub fn match_resources(node: &Node, path: &str) -> Result<MatchResources, ParseError> {
    let match_policy = opt_str(node, path, "matchPolicy")?;
    if let Some(p) = &match_policy
        && p != "Exact"
        && p != "Equivalent"
    {
        return Err(error(
            &join(path, "matchPolicy"),
            format!("Unsupported value: {p:?}: supported values: \"Equivalent\", \"Exact\""),
        ));
    }
    Ok(MatchResources {
        namespace_selector: selector(node, path, "namespaceSelector")?,
        object_selector: selector(node, path, "objectSelector")?,
        resource_rules: rules(node, path, "resourceRules")?,
        exclude_resource_rules: rules(node, path, "excludeResourceRules")?,
        match_policy,
    })
}

fn failure_policy(node: &Node, path: &str) -> Result<FailurePolicy, ParseError> {
    match opt_str(node, path, "failurePolicy")?.as_deref() {
        None | Some("Fail") => Ok(FailurePolicy::Fail),
        Some("Ignore") => Ok(FailurePolicy::Ignore),
        Some(other) => Err(error(
            &join(path, "failurePolicy"),
            format!("Unsupported value: {other:?}: supported values: \"Fail\", \"Ignore\""),
        )),
    }
}

/// Reads the CEL parts shared by a policy spec and a Gatekeeper source:
/// `variables` and `validations` under `path`. (Public for engines with
/// policies of the same shape, such as Kyverno's ValidatingPolicy.)
pub fn variables(node: &Node, path: &str) -> Result<Vec<Variable>, ParseError> {
    let mut out: Vec<Variable> = Vec::new();
    for (i, v) in seq(node, path, "variables")?.iter().enumerate() {
        let p = format!("{}[{i}]", join(path, "variables"));
        let name = req_str(v, &p, "name")?;
        if out.iter().any(|o| o.name == name) {
            return Err(error(
                &join(&p, "name"),
                format!("Duplicate value: {name:?}"),
            ));
        }
        let source = req_str(v, &p, "expression")?;
        out.push(Variable {
            name,
            expression: compile(&source, &join(&p, "expression"))?,
        });
    }
    Ok(out)
}

/// Reads `validations` under `path`, every expression compiled.
pub fn validations(node: &Node, path: &str) -> Result<Vec<Validation>, ParseError> {
    let mut out = Vec::new();
    for (i, v) in seq(node, path, "validations")?.iter().enumerate() {
        let p = format!("{}[{i}]", join(path, "validations"));
        let source = req_str(v, &p, "expression")?;
        let message_expression = match opt_str(v, &p, "messageExpression")? {
            Some(s) if !s.is_empty() => Some(compile(&s, &join(&p, "messageExpression"))?),
            _ => None,
        };
        out.push(Validation {
            expression: compile(&source, &join(&p, "expression"))?,
            message: opt_str(v, &p, "message")?.filter(|m| !m.is_empty()),
            message_expression,
            reason: opt_str(v, &p, "reason")?.filter(|r| !r.is_empty()),
        });
    }
    Ok(out)
}

/// Reads a list of named CEL conditions (`matchConditions`) at `path.key`.
pub fn match_conditions(
    node: &Node,
    path: &str,
    key: &str,
) -> Result<Vec<MatchCondition>, ParseError> {
    let mut out: Vec<MatchCondition> = Vec::new();
    for (i, c) in seq(node, path, key)?.iter().enumerate() {
        let p = format!("{}[{i}]", join(path, key));
        let name = req_str(c, &p, "name")?;
        if out.iter().any(|o| o.name == name) {
            return Err(error(
                &join(&p, "name"),
                format!("Duplicate value: {name:?}"),
            ));
        }
        let source = req_str(c, &p, "expression")?;
        out.push(MatchCondition {
            name,
            expression: compile(&source, &join(&p, "expression"))?,
        });
    }
    Ok(out)
}

impl Policy {
    /// Reads a `ValidatingAdmissionPolicy`.
    pub fn parse(node: &Node) -> Result<Policy, ParseError> {
        check_kind(node, "ValidatingAdmissionPolicy")?;
        let name = member(node, "metadata")
            .map(|m| req_str(m, "metadata", "name"))
            .unwrap_or_else(|| Err(error("metadata.name", "Required value")))?;
        let spec = member(node, "spec").ok_or_else(|| error("spec", "Required value"))?;
        let param_kind = match member(spec, "paramKind") {
            None => None,
            Some(pk) => Some(ParamKind {
                api_version: req_str(pk, "spec.paramKind", "apiVersion")?,
                kind: req_str(pk, "spec.paramKind", "kind")?,
            }),
        };
        let match_constraints = match member(spec, "matchConstraints") {
            Some(m) => match_resources(m, "spec.matchConstraints")?,
            None => return Err(error("spec.matchConstraints", "Required value")),
        };
        if match_constraints.resource_rules.is_empty() {
            return Err(error(
                "spec.matchConstraints.resourceRules",
                "Required value",
            ));
        }
        let validations = validations(spec, "spec")?;
        let audit_annotations = {
            let mut out = Vec::new();
            for (i, a) in seq(spec, "spec", "auditAnnotations")?.iter().enumerate() {
                let p = format!("spec.auditAnnotations[{i}]");
                let key = req_str(a, &p, "key")?;
                let source = req_str(a, &p, "valueExpression")?;
                out.push(AuditAnnotation {
                    key,
                    value_expression: compile(&source, &join(&p, "valueExpression"))?,
                });
            }
            out
        };
        if validations.is_empty() && audit_annotations.is_empty() {
            return Err(error(
                "spec.validations",
                "Required value: validations or auditAnnotations must contain at least one item",
            ));
        }
        Ok(Policy {
            name,
            param_kind,
            match_constraints,
            match_conditions: match_conditions(spec, "spec", "matchConditions")?,
            variables: variables(spec, "spec")?,
            validations,
            audit_annotations,
            failure_policy: failure_policy(spec, "spec")?,
        })
    }
}

impl Binding {
    /// Reads a `ValidatingAdmissionPolicyBinding`.
    pub fn parse(node: &Node) -> Result<Binding, ParseError> {
        check_kind(node, "ValidatingAdmissionPolicyBinding")?;
        let name = member(node, "metadata")
            .map(|m| req_str(m, "metadata", "name"))
            .unwrap_or_else(|| Err(error("metadata.name", "Required value")))?;
        let spec = member(node, "spec").ok_or_else(|| error("spec", "Required value"))?;
        let policy_name = req_str(spec, "spec", "policyName")?;
        let param_ref = match member(spec, "paramRef") {
            None => None,
            Some(pr) => {
                let p = "spec.paramRef";
                let name = opt_str(pr, p, "name")?.filter(|s| !s.is_empty());
                let selector = match member(pr, "selector") {
                    None => None,
                    Some(_) => Some(selector(pr, p, "selector")?),
                };
                if name.is_some() && selector.is_some() {
                    return Err(error(
                        p,
                        "Forbidden: name and selector are mutually exclusive",
                    ));
                }
                if name.is_none() && selector.is_none() {
                    return Err(error(
                        p,
                        "Required value: one of name or selector must be set",
                    ));
                }
                let parameter_not_found_action = match opt_str(pr, p, "parameterNotFoundAction")?
                    .as_deref()
                {
                    None | Some("Allow") => ParameterNotFoundAction::Allow,
                    Some("Deny") => ParameterNotFoundAction::Deny,
                    Some(other) => {
                        return Err(error(
                            &join(p, "parameterNotFoundAction"),
                            format!(
                                "Unsupported value: {other:?}: supported values: \"Allow\", \"Deny\""
                            ),
                        ));
                    }
                };
                Some(ParamRef {
                    name,
                    namespace: opt_str(pr, p, "namespace")?.filter(|s| !s.is_empty()),
                    selector,
                    parameter_not_found_action,
                })
            }
        };
        let match_resources = match member(spec, "matchResources") {
            None => None,
            Some(m) => Some(match_resources(m, "spec.matchResources")?),
        };
        let mut validation_actions = Vec::new();
        for (i, a) in strings(spec, "spec", "validationActions")?
            .iter()
            .enumerate()
        {
            let action = match a.as_str() {
                "Deny" => ValidationAction::Deny,
                "Warn" => ValidationAction::Warn,
                "Audit" => ValidationAction::Audit,
                other => {
                    return Err(error(
                        &format!("spec.validationActions[{i}]"),
                        format!(
                            "Unsupported value: {other:?}: supported values: \"Audit\", \"Deny\", \"Warn\""
                        ),
                    ));
                }
            };
            if validation_actions.contains(&action) {
                return Err(error(
                    &format!("spec.validationActions[{i}]"),
                    format!("Duplicate value: {a:?}"),
                ));
            }
            validation_actions.push(action);
        }
        if validation_actions.is_empty() {
            return Err(error("spec.validationActions", "Required value"));
        }
        if validation_actions.contains(&ValidationAction::Deny)
            && validation_actions.contains(&ValidationAction::Warn)
        {
            return Err(error(
                "spec.validationActions",
                "Invalid value: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
            ));
        }
        Ok(Binding {
            name,
            policy_name,
            param_ref,
            match_resources,
            validation_actions,
        })
    }
}
