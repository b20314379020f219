//! The `K8sNativeValidation` source of a Gatekeeper ConstraintTemplate
//! (`spec.targets[0].code[]` with `engine: K8sNativeValidation`), read and
//! compiled with Gatekeeper's own variables in front of the template's.

use palisade_core::Node;

use crate::env::{Expression, Variable};
use crate::vap::{FailurePolicy, MatchCondition, ParseError, Validation};

/// The engine name of CEL code in a ConstraintTemplate.
pub const ENGINE: &str = "K8sNativeValidation";

/// Prefix reserved for Gatekeeper's own match conditions and variables.
pub const RESERVED_PREFIX: &str = "gatekeeper_internal_";

/// `variables.anyObject`: the object, or on a DELETE (where `object` is
/// null) the old object.
pub const ANY_OBJECT_EXPRESSION: &str = r#"has(request.operation) && request.operation == "DELETE" && object == null ? oldObject : object"#;

/// `variables.params`: the constraint's `spec.parameters`, or null.
pub const PARAMS_EXPRESSION: &str =
    "!has(params.spec) ? null : !has(params.spec.parameters) ? null : params.spec.parameters";

/// A template's CEL, compiled.
#[derive(Clone, Debug)]
pub struct NativeSource {
    /// `metadata.name` of the template (the lowercase constraint kind).
    pub template_name: String,
    /// `spec.crd.spec.names.kind`: the constraint kind.
    pub constraint_kind: String,
    /// The source's `matchCondition` list (Gatekeeper's JSON name for it).
    pub match_conditions: Vec<MatchCondition>,
    /// `anyObject` and `params`, then the template's variables.
    pub variables: Vec<Variable>,
    pub validations: Vec<Validation>,
    pub failure_policy: FailurePolicy,
    /// The `source` mapping as written, for generating a policy from it.
    pub raw: Node,
}

fn err(field: &str, message: impl Into<String>) -> ParseError {
    ParseError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Gatekeeper's variables, compiled once.
pub fn gatekeeper_variables() -> Result<Vec<Variable>, ParseError> {
    let compile =
        |src: &str| Expression::compile(src).map_err(|e| err("(gatekeeper)", e.to_string()));
    Ok(vec![
        Variable {
            name: "anyObject".into(),
            expression: compile(ANY_OBJECT_EXPRESSION)?,
        },
        Variable {
            name: "params".into(),
            expression: compile(PARAMS_EXPRESSION)?,
        },
    ])
}

impl NativeSource {
    /// Reads the CEL source of a ConstraintTemplate. `Ok(None)`: the
    /// template has no `K8sNativeValidation` code (Rego only).
    pub fn from_template(template: &Node) -> Result<Option<NativeSource>, ParseError> {
        let template_name = template
            .path(&["metadata", "name"])
            .and_then(Node::as_str)
            .ok_or_else(|| err("metadata.name", "Required value"))?
            .to_owned();
        let constraint_kind = template
            .path(&["spec", "crd", "spec", "names", "kind"])
            .and_then(Node::as_str)
            .ok_or_else(|| err("spec.crd.spec.names.kind", "Required value"))?
            .to_owned();
        let targets = template
            .path(&["spec", "targets"])
            .and_then(Node::as_seq)
            .ok_or_else(|| err("spec.targets", "Required value"))?;
        if targets.len() != 1 {
            return Err(err("spec.targets", "exactly one target is allowed"));
        }
        let Some((i, code)) = targets[0]
            .get("code")
            .into_iter()
            .flat_map(Node::items)
            .enumerate()
            .find(|(_, c)| c.get("engine").and_then(Node::as_str) == Some(ENGINE))
        else {
            return Ok(None);
        };
        let path = format!("spec.targets[0].code[{i}].source");
        let source = code
            .get("source")
            .filter(|s| s.as_map().is_some())
            .ok_or_else(|| err(&path, "must be a mapping"))?;
        Self::from_source(source, &path, template_name, constraint_kind).map(Some)
    }

    /// Reads a `source` mapping found at `path`.
    pub fn from_source(
        source: &Node,
        path: &str,
        template_name: String,
        constraint_kind: String,
    ) -> Result<NativeSource, ParseError> {
        let match_conditions = crate::vap::parse_match_conditions(source, path, "matchCondition")?;
        if let Some(mc) = match_conditions
            .iter()
            .find(|m| m.name.starts_with(RESERVED_PREFIX))
        {
            return Err(err(
                &format!("{path}.matchCondition"),
                format!(
                    "{} is not a valid match condition; cannot have {RESERVED_PREFIX:?} as a prefix",
                    mc.name
                ),
            ));
        }
        let user = crate::vap::parse_variables(source, path)?;
        for v in &user {
            if v.name.starts_with(RESERVED_PREFIX) {
                return Err(err(
                    &format!("{path}.variables"),
                    format!(
                        "{} is not a valid variable; cannot have {RESERVED_PREFIX:?} as a prefix",
                        v.name
                    ),
                ));
            }
            if v.name == "params" || v.name == "anyObject" {
                return Err(err(
                    &format!("{path}.variables"),
                    format!(
                        "{0} an invalid variable name, {0:?} is a reserved keyword",
                        v.name
                    ),
                ));
            }
        }
        let mut variables = gatekeeper_variables()?;
        variables.extend(user);
        let failure_policy = match source.get("failurePolicy").and_then(Node::as_str) {
            None | Some("Fail") => FailurePolicy::Fail,
            Some("Ignore") => FailurePolicy::Ignore,
            Some(other) => {
                return Err(err(
                    &format!("{path}.failurePolicy"),
                    format!("unrecognized failure policy: {other}"),
                ));
            }
        };
        Ok(NativeSource {
            template_name,
            constraint_kind,
            match_conditions,
            variables,
            validations: crate::vap::parse_validations(source, path)?,
            failure_policy,
            raw: source.clone(),
        })
    }
}
