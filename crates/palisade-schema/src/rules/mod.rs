//! The schema analyzer's rules, one file each, and the rule and severity of
//! each kind of [`Issue`].

mod invalid_value;
mod required_missing;
mod type_mismatch;
mod unknown_field;

use palisade_core::{Rule, Severity};

use crate::validate::{Issue, IssueKind};

/// Every rule, in the order `palisade rules` lists them.
pub static RULES: &[&Rule] = &[
    &type_mismatch::RULE,
    &unknown_field::RULE,
    &required_missing::RULE,
    &invalid_value::RULE,
];

/// The rule an issue reports under.
pub fn rule_of(kind: IssueKind) -> &'static Rule {
    match kind {
        IssueKind::TypeMismatch => &type_mismatch::RULE,
        IssueKind::UnknownField => &unknown_field::RULE,
        IssueKind::RequiredMissing => &required_missing::RULE,
        IssueKind::InvalidValue => &invalid_value::RULE,
    }
}

/// An issue's severity: high when it touches a security control (a wrong
/// type, a typo or an unreadable value there turns the control off, and
/// scanners that read the field see it absent), the rule's default otherwise.
pub fn severity_of(issue: &Issue) -> Severity {
    if issue.security {
        Severity::High
    } else {
        rule_of(issue.kind).severity
    }
}

/// The remediation shown with a finding of each kind.
pub fn remediation_of(kind: IssueKind) -> &'static str {
    match kind {
        IssueKind::TypeMismatch => {
            "Write the value with the type the field takes (booleans and numbers unquoted, strings quoted when YAML would read them otherwise)."
        }
        IssueKind::UnknownField => {
            "Fix the field name's spelling and case, or move the field to where the schema declares it."
        }
        IssueKind::RequiredMissing => "Add the required field.",
        IssueKind::InvalidValue => "Write a value in the format the field takes.",
    }
}

const SEVERITY_VARIES: &str = "high when the field path goes through a security control (securityContext, privileged, capabilities, hostNetwork, hostPID, hostIPC, hostPath, automountServiceAccountToken, ...)";
