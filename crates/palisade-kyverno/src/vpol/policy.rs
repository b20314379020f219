//! Reading a ValidatingPolicy (`policies.kyverno.io` v1alpha1, v1beta1, v1)
//! and compiling its CEL once: `matchConstraints`, `matchConditions`,
//! `variables` and `validations` have the shape of a Kubernetes
//! ValidatingAdmissionPolicy's, so they are read with `palisade-cel`'s VAP
//! readers. The autogen copies ([`super::autogen`]) are compiled here too.

use palisade_cel::Variable;
use palisade_cel::vap::{
    FailurePolicy, MatchCondition, MatchResources, Validation, parse_match_conditions,
    parse_match_resources, parse_validations, parse_variables,
};
use palisade_core::Node;

use super::autogen;
use crate::Json;

/// The CEL of one spec (the policy's own, or an autogen copy's), compiled.
#[derive(Clone, Debug)]
pub(crate) struct CompiledSpec {
    /// `None`: the policy has no `matchConstraints` and matches nothing.
    pub match_constraints: Option<MatchResources>,
    pub match_conditions: Vec<MatchCondition>,
    pub variables: Vec<Variable>,
    pub validations: Vec<Validation>,
}

impl CompiledSpec {
    pub fn compile(spec: &Json) -> Result<CompiledSpec, String> {
        let node = Node::from_json(spec);
        let match_constraints = match node.get("matchConstraints").filter(|n| !n.is_null()) {
            Some(m) => {
                Some(parse_match_resources(m, "spec.matchConstraints").map_err(|e| e.to_string())?)
            }
            None => None,
        };
        Ok(CompiledSpec {
            match_constraints,
            match_conditions: parse_match_conditions(&node, "spec", "matchConditions")
                .map_err(|e| e.to_string())?,
            variables: parse_variables(&node, "spec").map_err(|e| e.to_string())?,
            validations: parse_validations(&node, "spec").map_err(|e| e.to_string())?,
        })
    }
}

/// What `ValidatingPolicy::parse` reads.
pub(crate) struct Parsed {
    pub name: String,
    pub validation_actions: Vec<String>,
    pub failure_policy: FailurePolicy,
    /// The policy's own spec first, then its autogen copies.
    pub specs: Vec<CompiledSpec>,
}

pub(crate) fn parse(object: &Json) -> Result<Parsed, String> {
    let api_version = object
        .get("apiVersion")
        .and_then(Json::as_str)
        .unwrap_or_default();
    if !api_version.starts_with("policies.kyverno.io/") {
        return Err(format!(
            "apiVersion: expected policies.kyverno.io/v1alpha1, v1beta1 or v1, found {api_version:?}"
        ));
    }
    let kind = object
        .get("kind")
        .and_then(Json::as_str)
        .unwrap_or_default();
    if kind != "ValidatingPolicy" {
        return Err(format!("kind: expected ValidatingPolicy, found {kind:?}"));
    }
    let name = object
        .pointer("/metadata/name")
        .and_then(Json::as_str)
        .filter(|n| !n.is_empty())
        .ok_or("metadata.name: Required value")?
        .to_owned();
    let spec = object
        .get("spec")
        .filter(|s| s.is_object())
        .ok_or("spec: Required value")?;
    let validation_actions = match spec.get("validationActions") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(items)) => items
            .iter()
            .map(|a| {
                a.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| "spec.validationActions: must be strings".to_owned())
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("spec.validationActions: must be a list".to_owned()),
    };
    let failure_policy = match spec.get("failurePolicy").and_then(Json::as_str) {
        None | Some("Fail") => FailurePolicy::Fail,
        Some("Ignore") => FailurePolicy::Ignore,
        Some(other) => {
            return Err(format!(
                "spec.failurePolicy: Unsupported value: {other:?}: supported values: \"Fail\", \"Ignore\""
            ));
        }
    };
    let mut specs = vec![CompiledSpec::compile(spec)?];
    for copy in autogen::copies(spec) {
        let rewritten = autogen::rewrite_spec(spec, &copy)?;
        specs.push(CompiledSpec::compile(&rewritten).map_err(|e| format!("autogen: {e}"))?);
    }
    Ok(Parsed {
        name,
        validation_actions,
        failure_policy,
        specs,
    })
}
