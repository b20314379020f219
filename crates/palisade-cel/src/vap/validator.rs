//! One evaluation of a policy's CEL for one request and one param: match
//! conditions, composited variables, validations with their messages, and
//! audit annotations, with the API server's rules for errors, fallbacks and
//! the failure policy. Shared by ValidatingAdmissionPolicy and Gatekeeper's
//! `K8sNativeValidation` driver, which uses the same upstream validator.

use cel::Value;

use super::policy::{AuditAnnotation, FailurePolicy, MatchCondition, Validation};
use crate::env::{Activation, Scope, Variable};

/// Messages longer than this from a `messageExpression` are dropped (the
/// API server's `MaxEvaluatedMessageExpressionSizeBytes`).
pub const MAX_MESSAGE_EXPRESSION_BYTES: usize = 5 * 1024;

/// What a decision asks of the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Admit,
    Deny,
}

/// How the decision came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalOutcome {
    /// The validation held.
    Admit,
    /// The validation evaluated to something other than `true`.
    Deny,
    /// The expression (or a match condition) failed; the action follows the
    /// failure policy.
    Error,
}

/// One validation's decision (or the single decision of a match condition
/// error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    pub evaluation: EvalOutcome,
    pub message: String,
    /// `Invalid` unless the validation sets `reason`; empty for errors.
    pub reason: String,
    /// The index of the validation in `spec.validations`, when there is one.
    pub validation_index: Option<usize>,
}

/// An audit annotation to publish, or one whose evaluation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditResult {
    Publish { key: String, value: String },
    Error { key: String, message: String },
}

/// Everything one evaluation produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidateResult {
    pub decisions: Vec<Decision>,
    pub audit: Vec<AuditResult>,
}

/// The CEL of a policy, ready to evaluate.
#[derive(Clone, Debug, Default)]
pub struct Validator {
    pub match_conditions: Vec<MatchCondition>,
    pub variables: Vec<Variable>,
    pub validations: Vec<Validation>,
    pub audit_annotations: Vec<AuditAnnotation>,
    pub failure_policy: FailurePolicy,
}

fn action_for_error(f: FailurePolicy) -> Action {
    match f {
        FailurePolicy::Fail => Action::Deny,
        FailurePolicy::Ignore => Action::Admit,
    }
}

/// Go's `utilerrors.NewAggregate(...).Error()`: one message alone, several
/// in brackets.
fn aggregate(messages: &[String]) -> String {
    match messages {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

impl Validator {
    /// Evaluates against `activation`.
    pub fn validate(&self, activation: &Activation) -> ValidateResult {
        let mut scope = Scope::new(activation);
        scope.bind_variables(&self.variables);
        self.validate_in(&scope)
    }

    /// Evaluates in a scope whose variables are already bound.
    pub fn validate_in(&self, scope: &Scope) -> ValidateResult {
        // Match conditions: a `false` anywhere skips the policy, even past
        // errors; errors alone follow the failure policy.
        let mut errors = Vec::new();
        for mc in &self.match_conditions {
            match scope.eval(&mc.expression) {
                Ok(Value::Bool(false)) => return ValidateResult::default(),
                Ok(_) => {}
                Err(e) => errors.push(e.to_string()),
            }
        }
        if !errors.is_empty() {
            return match self.failure_policy {
                FailurePolicy::Ignore => ValidateResult::default(),
                FailurePolicy::Fail => ValidateResult {
                    decisions: vec![Decision {
                        action: Action::Deny,
                        evaluation: EvalOutcome::Error,
                        message: aggregate(&errors),
                        reason: String::new(),
                        validation_index: None,
                    }],
                    audit: Vec::new(),
                },
            };
        }

        let decisions = self
            .validations
            .iter()
            .enumerate()
            .map(|(i, v)| self.decide(scope, i, v))
            .collect();
        let audit = self
            .audit_annotations
            .iter()
            .filter_map(|a| self.audit(scope, a))
            .collect();
        ValidateResult { decisions, audit }
    }

    fn decide(&self, scope: &Scope, index: usize, v: &Validation) -> Decision {
        match scope.eval(&v.expression) {
            Err(e) => Decision {
                action: action_for_error(self.failure_policy),
                evaluation: EvalOutcome::Error,
                message: e.to_string(),
                reason: String::new(),
                validation_index: Some(index),
            },
            Ok(Value::Bool(true)) => Decision {
                action: Action::Admit,
                evaluation: EvalOutcome::Admit,
                message: String::new(),
                reason: String::new(),
                validation_index: Some(index),
            },
            // Anything but `true` fails, as upstream compares with `True`.
            Ok(_) => Decision {
                action: Action::Deny,
                evaluation: EvalOutcome::Deny,
                message: failure_message(scope, v),
                reason: v.reason.clone().unwrap_or_else(|| "Invalid".to_owned()),
                validation_index: Some(index),
            },
        }
    }

    fn audit(&self, scope: &Scope, a: &AuditAnnotation) -> Option<AuditResult> {
        let error = |message: String| match self.failure_policy {
            FailurePolicy::Ignore => None,
            FailurePolicy::Fail => Some(AuditResult::Error {
                key: a.key.clone(),
                message,
            }),
        };
        match scope.eval(&a.value_expression) {
            Err(e) => error(e.to_string()),
            Ok(Value::Null) => None,
            Ok(Value::String(s)) => {
                let value = s.trim();
                (!value.is_empty()).then(|| AuditResult::Publish {
                    key: a.key.clone(),
                    value: value.to_owned(),
                })
            }
            // Upstream marks this an error whatever the failure policy.
            Ok(other) => Some(AuditResult::Error {
                key: a.key.clone(),
                message: format!(
                    "valueExpression '{}' resulted in unsupported return type: {}. Return type must be either string or null.",
                    a.value_expression.source(),
                    crate::convert::type_name(&other)
                ),
            }),
        }
    }
}

/// The message of a failed validation: `messageExpression` if it gives a
/// usable string (not empty after trimming, single line, at most 5 KiB),
/// else `message`, else `failed expression: <expression>`.
fn failure_message(scope: &Scope, v: &Validation) -> String {
    if let Some(me) = &v.message_expression
        && let Ok(Value::String(s)) = scope.eval(me)
    {
        let m = s.trim();
        if !m.is_empty() && m.len() <= MAX_MESSAGE_EXPRESSION_BYTES && !m.contains('\n') {
            return m.to_owned();
        }
    }
    if let Some(m) = &v.message {
        let m = m.trim();
        if !m.is_empty() {
            return m.to_owned();
        }
    }
    format!("failed expression: {}", v.expression.source().trim())
}
