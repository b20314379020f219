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
use palisade_cel::gatekeeper::NativeSource;

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
    /// The `K8sNativeValidation` code, compiled.
    pub cel: Option<NativeSource>,
}

impl CompiledTemplate {
    /// Compiles the template's Rego against an inventory document, and its
    /// CEL when it has some. Either failing refuses the template, as
    /// Gatekeeper refuses a template any of whose engines rejects it.
    pub fn compile(template: Template, inventory: Value) -> Result<CompiledTemplate, String> {
        let rego = match &template.rego {
            Some(source) => Some(RegoProgram::compile(&template.name, source, inventory)?),
            None => None,
        };
        let cel = match &template.cel {
            Some(source) => Some(
                NativeSource::from_source(
                    source,
                    "spec.targets[0].code[K8sNativeValidation].source",
                    template.name.clone(),
                    template.kind.clone(),
                )
                .map_err(|e| format!("CEL: {e}"))?,
            ),
            None => None,
        };
        Ok(CompiledTemplate {
            template,
            rego,
            cel,
        })
    }

    /// Whether CEL runs for this template under `preference`: when it is
    /// preferred and present, or when the template has no Rego.
    pub fn runs_cel(&self, preference: EnginePreference) -> bool {
        self.cel.is_some() && (preference == EnginePreference::Cel || self.rego.is_none())
    }
}

/// The `input.parameters` value of a constraint (`{}` when it has none).
pub fn parameters_value(constraint: &Constraint) -> Value {
    constraint
        .parameters
        .as_ref()
        .map_or_else(Value::new_object, to_rego)
}

/// One review as every constraint sees it.
pub struct Subject<'r> {
    pub review: &'r Review<'r>,
    /// `review.to_rego()`, built once per review and shared by every constraint.
    pub value: &'r Value,
    /// The labels of the object's Namespace, when known.
    pub namespace_labels: Option<&'r BTreeMap<String, String>>,
    pub deadline: Option<Instant>,
    pub engine: EnginePreference,
}

/// The results of one constraint on one review. A match error or a policy's
/// runtime error is one result whose message is the error, as Gatekeeper
/// reports it.
pub fn evaluate(
    compiled: &CompiledTemplate,
    constraint: &Constraint,
    parameters: &Value,
    subject: &Subject<'_>,
) -> Vec<Violation> {
    let Subject {
        review,
        value: review_value,
        namespace_labels,
        deadline,
        engine,
    } = *subject;
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
    if compiled.runs_cel(engine)
        && let Some(source) = &compiled.cel
    {
        let review_json = crate::value::to_json(review_value);
        let namespace = review.namespace_object.map(palisade_core::Node::to_json);
        return palisade_cel::gatekeeper::evaluate(
            source,
            &review_json,
            &constraint.json,
            namespace.as_ref(),
        )
        .into_iter()
        .map(|msg| Violation {
            msg,
            details: serde_json::json!({}),
        })
        .collect();
    }
    let Some(program) = &compiled.rego else {
        return Vec::new();
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
