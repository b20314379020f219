//! ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1), evaluated
//! offline: parse a policy and its bindings ([`Policy::parse`],
//! [`Binding::parse`]), then [`evaluate`] one pair or [`review`] all of them
//! against an [`AdmissionRequest`], reading params and Namespaces from an
//! [`ObjectSource`] (a slice of `Node`s is one).

mod dispatch;
mod fields;
mod matching;
mod policy;
mod request;
mod validator;

pub use dispatch::{
    Failure, MAX_AUDIT_ANNOTATION_VALUE, Outcome, Review, VALIDATION_FAILURE_ANNOTATION, evaluate,
    review, status_code,
};
pub use fields::ParseError;
pub use matching::{matches, rule_matches};
pub use policy::{
    AuditAnnotation, Binding, FailurePolicy, MatchCondition, MatchResources, NamedRule, ParamKind,
    ParamRef, ParameterNotFoundAction, Policy, RuleScope, Validation, ValidationAction,
};
pub use policy::{
    match_conditions as parse_match_conditions, match_resources as parse_match_resources,
    validations as parse_validations, variables as parse_variables,
};
pub use request::{
    AdmissionRequest, ObjectSource, builtin_namespaced, labels_of, resource_for_kind,
    split_api_version,
};
pub use validator::{
    Action, AuditResult, Decision, EvalOutcome, MAX_MESSAGE_EXPRESSION_BYTES, ValidateResult,
    Validator,
};
