//! The rules of the suppression pass: problems with suppressions themselves,
//! one file per rule.

pub mod expired;
pub mod invalid_expiry;
pub mod missing_reason;
pub mod not_allowed;
pub mod unknown_rule;
pub mod unused;

use palisade_core::Rule;

/// Every rule the suppression pass reports.
pub static RULES: &[&Rule] = &[
    &missing_reason::RULE,
    &unknown_rule::RULE,
    &invalid_expiry::RULE,
    &not_allowed::RULE,
    &expired::RULE,
    &unused::RULE,
];
