//! Evaluating one constraint on one review, as Gatekeeper's constraint
//! framework does: match first, then the template's policy with
//! `input = {"review": …, "parameters": …}`.

use std::collections::BTreeMap;
use std::time::Instant;

use regorus::Value;

use crate::constraint::Constraint;
use crate::rego::{RegoProgram, Violation};
use crate::review::Review;
use crate::template::Template;
use crate::value::{object, to_rego};

/// Which engine runs a template that carries both Rego and CEL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EnginePreference {
    /// Rego when the template has it (Gatekeeper's default without
    /// `--enable-k8s-native-validation`); CEL only for CEL-only templates.
    #[default]
    Rego,
    /// CEL when the template has it (`--enable-k8s-native-validation`).
    Cel,
}

/// A template ready to evaluate.
#[derive(Clone, Debug)]
pub struct CompiledTemplate {
    pub template: Template,
    pub rego: Option<RegoProgram>,
}

impl CompiledTemplate {
    /// Compiles the template's Rego against an inventory document.
    pub fn compile(template: Template, inventory: Value) -> Result<CompiledTemplate, String> {
        let rego = match &template.rego {
            Some(source) => Some(RegoProgram::compile(&template.name, source, inventory)?),
            None => None,
        };
        Ok(CompiledTemplate { template, rego })
    }
}

/// The `input.parameters` value of a constraint (`{}` when it has none).
pub fn parameters_value(constraint: &Constraint) -> Value {
    constraint
        .parameters
        .as_ref()
        .map_or_else(Value::new_object, to_rego)
}

/// The results of one constraint on one review. `review_value` is
/// `review.to_rego()`, built once per review and shared by every constraint.
/// A match error or a policy's runtime error is one result whose message is
/// the error, as Gatekeeper reports it.
pub fn evaluate(
    compiled: &CompiledTemplate,
    constraint: &Constraint,
    parameters: &Value,
    review: &Review,
    review_value: &Value,
    namespace_labels: Option<&BTreeMap<String, String>>,
    deadline: Option<Instant>,
) -> Vec<Violation> {
    match constraint.matcher.matches(review, namespace_labels) {
        Ok(false) => return Vec::new(),
        Ok(true) => {}
        Err(error) => {
            return vec![Violation {
                msg: format!("unable to match constraints: {error}"),
                details: serde_json::json!({}),
            }];
        }
    }
    let Some(program) = &compiled.rego else {
        return vec![Violation {
            msg: format!(
                "template {:?} has no Rego and CEL is not available here",
                compiled.template.name
            ),
            details: serde_json::json!({}),
        }];
    };
    let input = object([
        ("review", review_value.clone()),
        ("parameters", parameters.clone()),
    ]);
    match program.violations(input, deadline) {
        Ok(violations) => violations,
        Err(error) => vec![Violation {
            msg: error,
            details: serde_json::json!({}),
        }],
    }
}
