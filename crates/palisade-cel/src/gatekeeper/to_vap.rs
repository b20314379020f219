//! A ConstraintTemplate and its constraints as the ValidatingAdmissionPolicy
//! and bindings Gatekeeper generates for them (`make_vap_objects.go`):
//!
//! - policy `gatekeeper-<template name>`, `paramKind` the constraint kind at
//!   `constraints.gatekeeper.sh/v1beta1`, CREATE and UPDATE of every
//!   resource, the template's match conditions followed by Gatekeeper's
//!   (`gatekeeper_internal_match_excluded_namespaces`, `..._namespaces`,
//!   `..._name`, `..._kinds`, which apply the constraint's `match` from
//!   `params.spec.match`, and optionally the global excluded and exempted
//!   namespaces), the variables `anyObject` and `params` before the
//!   template's, its validations and failure policy;
//! - binding `gatekeeper-<constraint name>` to `gatekeeper-<lowercase kind>`,
//!   `paramRef` by the constraint's name with `parameterNotFoundAction:
//!   Allow`, the constraint's `match.labelSelector` and
//!   `match.namespaceSelector` as object and namespace selectors, and its
//!   enforcement action as validation action (`deny` → Deny, `warn` →
//!   Warn, `dryrun` → Audit).
//!
//! Gatekeeper writes `admissionregistration.k8s.io/v1beta1` objects; these
//! are `v1`, which has the same fields. The match expressions are written
//! here with the same meaning as Gatekeeper's.

use palisade_core::Node;
use serde_json::{Value as Json, json};

use super::source::{ANY_OBJECT_EXPRESSION, NativeSource, PARAMS_EXPRESSION};
use crate::vap::ParseError;

/// The API version of constraints as Gatekeeper's policies name them.
pub const CONSTRAINT_API_VERSION: &str = "constraints.gatekeeper.sh/v1beta1";

/// `params.spec.match.<field>` is absent, so the condition holds.
fn unless_set(field: &str) -> String {
    format!(
        "!has(params.spec) || !has(params.spec.match) || !has(params.spec.{field})",
        field = field
    )
}

/// A glob (`*` anywhere) as an anchored regular expression, in CEL.
fn glob(pattern: &str) -> String {
    format!("'^' + string({pattern}).replace('*', '.*') + '$'")
}

fn match_kinds() -> String {
    format!(
        "{} || params.spec.match.kinds.exists(gk, \
         (!has(gk.kinds) || size(gk.kinds) == 0 || '*' in gk.kinds || request.kind.kind in gk.kinds) && \
         (!has(gk.apiGroups) || size(gk.apiGroups) == 0 || '*' in gk.apiGroups || request.kind.group in gk.apiGroups))",
        unless_set("match.kinds")
    )
}

fn match_name() -> String {
    let g = glob("params.spec.match.name");
    format!(
        "{} || [object, oldObject].exists(o, o != null && (\
         (has(o.metadata.generateName) && o.metadata.generateName != '' && params.spec.match.name.endsWith('*') && string(o.metadata.generateName).matches({g})) || \
         (has(o.metadata.name) && string(o.metadata.name).matches({g}))))",
        unless_set("match.name")
    )
}

/// Namespaced objects in a listed namespace (`include`) or not in one;
/// cluster-scoped objects always pass.
fn match_namespaces(field: &str, include: bool) -> String {
    let not = if include { "" } else { "!" };
    format!(
        "{} || [object, oldObject].exists(o, o != null && (\
         !has(o.metadata.namespace) || o.metadata.namespace == '' || \
         {not}params.spec.match.{field}.exists(ns, string(o.metadata.namespace).matches({g}))))",
        unless_set(&format!("match.{field}")),
        g = glob("ns")
    )
}

/// Gatekeeper's process-wide exclusions: the object's namespace (or, for a
/// Namespace, its own name) must not match any of `namespaces`; with
/// `exempt_label`, a Namespace is still matched when it lacks the
/// `admission.gatekeeper.sh/ignore` label.
fn match_global(namespaces: &[String], exempt_label: bool) -> String {
    let list = namespaces
        .iter()
        .map(|n| Json::from(n.as_str()).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let g = glob("ns");
    let own = if exempt_label {
        format!(
            "![{list}].exists(ns, string(o.metadata.name).matches({g}) && has(o.metadata.labels) && !('admission.gatekeeper.sh/ignore' in o.metadata.labels))"
        )
    } else {
        format!("![{list}].exists(ns, string(o.metadata.name).matches({g}))")
    };
    format!(
        "[object, oldObject].exists(o, o != null && (\
         (has(o.kind) && o.kind == 'Namespace' && has(o.metadata.name)) ? {own} : \
         (!has(o.metadata.namespace) || o.metadata.namespace == '' || \
          ![{list}].exists(ns, string(o.metadata.namespace).matches({g})))))"
    )
}

/// Options of the generated policy (Gatekeeper's flags and Config).
#[derive(Clone, Debug, Default)]
pub struct VapOptions {
    /// Namespaces excluded from all policies (Config `match[].excludedNamespaces`).
    pub excluded_namespaces: Vec<String>,
    /// Namespaces exempt from admission (`--exempt-namespace`).
    pub exempted_namespaces: Vec<String>,
}

fn item(node: &Node, keys: &[&str]) -> Json {
    let mut out = serde_json::Map::new();
    for k in keys {
        if let Some(v) = node.get(k).filter(|v| !v.is_null()) {
            out.insert((*k).to_owned(), v.to_json());
        }
    }
    Json::Object(out)
}

/// The ValidatingAdmissionPolicy Gatekeeper generates for a template.
pub fn template_to_policy(source: &NativeSource, options: &VapOptions) -> Json {
    let raw = &source.raw;
    let mut conditions: Vec<Json> = raw
        .get("matchCondition")
        .into_iter()
        .flat_map(Node::items)
        .map(|c| item(c, &["name", "expression"]))
        .collect();
    conditions.push(
        json!({"name": "gatekeeper_internal_match_excluded_namespaces",
                           "expression": match_namespaces("excludedNamespaces", false)}),
    );
    conditions.push(json!({"name": "gatekeeper_internal_match_namespaces",
                           "expression": match_namespaces("namespaces", true)}));
    conditions.push(json!({"name": "gatekeeper_internal_match_name", "expression": match_name()}));
    conditions
        .push(json!({"name": "gatekeeper_internal_match_kinds", "expression": match_kinds()}));
    if !options.excluded_namespaces.is_empty() {
        conditions.push(
            json!({"name": "gatekeeper_internal_match_global_excluded_namespaces",
                               "expression": match_global(&options.excluded_namespaces, false)}),
        );
    }
    if !options.exempted_namespaces.is_empty() {
        conditions.push(
            json!({"name": "gatekeeper_internal_match_global_exempted_namespaces",
                               "expression": match_global(&options.exempted_namespaces, true)}),
        );
    }
    let mut variables = vec![
        json!({"name": "anyObject", "expression": ANY_OBJECT_EXPRESSION}),
        json!({"name": "params", "expression": PARAMS_EXPRESSION}),
    ];
    variables.extend(
        raw.get("variables")
            .into_iter()
            .flat_map(Node::items)
            .map(|v| item(v, &["name", "expression"])),
    );
    let validations: Vec<Json> = raw
        .get("validations")
        .into_iter()
        .flat_map(Node::items)
        .map(|v| item(v, &["expression", "message", "messageExpression"]))
        .collect();
    let failure_policy = match source.failure_policy {
        crate::vap::FailurePolicy::Fail => "Fail",
        crate::vap::FailurePolicy::Ignore => "Ignore",
    };
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": format!("gatekeeper-{}", source.template_name)},
        "spec": {
            "paramKind": {"apiVersion": CONSTRAINT_API_VERSION, "kind": source.constraint_kind},
            "matchConstraints": {"resourceRules": [{
                "apiGroups": ["*"], "apiVersions": ["*"],
                "operations": ["CREATE", "UPDATE"], "resources": ["*"]
            }]},
            "matchConditions": conditions,
            "validations": validations,
            "failurePolicy": failure_policy,
            "variables": variables,
        }
    })
}

/// The ValidatingAdmissionPolicyBinding Gatekeeper generates for a
/// constraint; its `spec.enforcementAction` (default `deny`) gives the
/// validation action.
pub fn constraint_to_binding(constraint: &Node) -> Result<Json, ParseError> {
    let err = |field: &str, message: String| ParseError {
        field: field.to_owned(),
        message,
    };
    let name = constraint
        .path(&["metadata", "name"])
        .and_then(Node::as_str)
        .ok_or_else(|| err("metadata.name", "Required value".into()))?;
    let kind = constraint
        .get("kind")
        .and_then(Node::as_str)
        .ok_or_else(|| err("kind", "Required value".into()))?;
    let action = constraint
        .path(&["spec", "enforcementAction"])
        .and_then(Node::as_str)
        .unwrap_or("deny");
    let action = match action {
        "deny" => "Deny",
        "warn" => "Warn",
        "dryrun" => "Audit",
        other => {
            return Err(err(
                "spec.enforcementAction",
                format!(
                    "unrecognized enforcement action {other}, must be `warn`, `deny` or `dryrun`"
                ),
            ));
        }
    };
    let mut match_resources = serde_json::Map::new();
    if let Some(sel) = constraint.path(&["spec", "match", "labelSelector"]) {
        match_resources.insert("objectSelector".into(), sel.to_json());
    }
    if let Some(sel) = constraint.path(&["spec", "match", "namespaceSelector"]) {
        match_resources.insert("namespaceSelector".into(), sel.to_json());
    }
    Ok(json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": format!("gatekeeper-{name}")},
        "spec": {
            "policyName": format!("gatekeeper-{}", kind.to_ascii_lowercase()),
            "paramRef": {"name": name, "parameterNotFoundAction": "Allow"},
            "matchResources": match_resources,
            "validationActions": [action],
        }
    }))
}

/// A template and one constraint as the policy and binding Gatekeeper
/// generates, parsed and ready to evaluate reviews as the API server would.
#[derive(Clone, Debug)]
pub struct GeneratedVap {
    pub policy: crate::vap::Policy,
    pub binding: crate::vap::Binding,
    /// The constraint, which the binding's `paramRef` names.
    pub constraint: Node,
}

impl GeneratedVap {
    pub fn new(
        source: &NativeSource,
        constraint: &Node,
        options: &VapOptions,
    ) -> Result<GeneratedVap, ParseError> {
        let policy =
            crate::vap::Policy::parse(&Node::from_json(&template_to_policy(source, options)))?;
        let binding =
            crate::vap::Binding::parse(&Node::from_json(&constraint_to_binding(constraint)?))?;
        Ok(GeneratedVap {
            policy,
            binding,
            constraint: constraint.clone(),
        })
    }

    /// Evaluates a Gatekeeper review (gator's `input.review`). A review with
    /// no operation (gator's review of a bare object) is taken as a CREATE,
    /// what the API server would see; on DELETE `object` is null. Kind,
    /// resource, name and namespace missing from the review are taken from
    /// the object. `namespaces` are the Namespace objects known, for
    /// `namespaceSelector` and `namespaceObject`.
    pub fn evaluate(&self, review: &Json, namespaces: &[Node]) -> crate::vap::Outcome {
        let mut request = crate::vap::AdmissionRequest::from_json(review);
        if request.operation.is_empty() {
            request.operation = "CREATE".to_owned();
        }
        if request.operation == "DELETE" {
            request.object = None;
        }
        let mut objects: Vec<Node> = namespaces.to_vec();
        objects.push(self.constraint.clone());
        crate::vap::evaluate(&self.policy, &self.binding, &request, &objects)
    }
}
