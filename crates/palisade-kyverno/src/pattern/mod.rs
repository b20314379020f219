//! `validate.pattern` and `validate.anyPattern` (Kyverno's
//! `validate.MatchPattern` and the pattern part of
//! `handlers/validation/validate_resource.go`).
//!
//! The pattern is an overlay on the resource: every plain key must exist with
//! a value that satisfies its sub-pattern, anchors change that per key (see
//! [`anchor`]), lists apply their first pattern element to every resource
//! element, and leaves are typed values or string patterns with operators,
//! ranges, durations, quantities and wildcards. The caller substitutes
//! `{{ }}` variables in the pattern first.
//!
//! Numbers: pattern numbers are Go `float64`s and resource integers Go
//! `int64`s, as Kyverno holds them (`go_number`).
//!
//! Submodules: [`anchor`] (anchor keys), `overlay` (the walk), [`scalar`] and
//! `string_pattern` (leaves), [`wildcard_keys`] (wildcard label and
//! annotation keys), [`quantity`] (Kubernetes quantities), [`go_number`] (Go's
//! number texts) and [`duration`] (Go durations, from `palisade-core`).

pub mod anchor;
pub mod go_number;
mod overlay;
pub mod quantity;
pub mod scalar;
pub(crate) mod string_pattern;
pub mod wildcard_keys;

/// Go's `time.ParseDuration`, shared with the rest of Palisade.
pub use palisade_core::go_duration as duration;

use crate::Json;
use overlay::{Class, Walk};

/// The outcome of checking one resource against one pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum PatternResult {
    Pass,
    /// The resource does not satisfy the pattern; `path` is Kyverno's path of
    /// the failing element (e.g. "/spec/containers/0/securityContext/privileged/").
    Fail {
        path: String,
    },
    /// A conditional (`()`) or global (`<()`) anchor did not hold: the rule is
    /// skipped. `message` as Kyverno words it.
    Skip {
        message: String,
    },
    /// Kyverno's error cases: a failure with an empty path, which includes
    /// every failure reported while a conditional or existence anchor key of
    /// the pattern never occurred in the resource. `message` is Kyverno's
    /// error text (the rule message adds "execution error: " before it).
    Error {
        message: String,
    },
}

/// Checks `resource` against `pattern` as Kyverno's `MatchPattern` does.
pub fn validate(resource: &Json, pattern: &Json) -> PatternResult {
    let mut walk = Walk::default();
    let Err(failure) = walk.element(resource, pattern, "/", 0) else {
        return PatternResult::Pass;
    };
    match failure.class {
        Class::Skip => PatternResult::Skip {
            message: failure.message,
        },
        // A negation anchor that matched is a failure at its path even when
        // other anchor keys were missing.
        Class::Negation if !failure.path.is_empty() => PatternResult::Fail { path: failure.path },
        _ if walk.anchor_keys_missing() || failure.path.is_empty() => PatternResult::Error {
            message: failure.message,
        },
        _ => PatternResult::Fail { path: failure.path },
    }
}

/// `anyPattern`: pass as soon as one pattern passes; otherwise fail if any
/// failed (errors count as failures here), skip if all skipped. A failure's
/// path is the first failing pattern's path ("" when it was an error); a skip's
/// message joins each pattern's skip message with a space. An empty list
/// passes. [`validate_any_report`] keeps each pattern's result for Kyverno's
/// exact messages.
pub fn validate_any(resource: &Json, patterns: &[Json]) -> PatternResult {
    validate_any_report(resource, patterns.iter()).result()
}

/// Each pattern's result, in order, up to and including the first that passed.
#[derive(Clone, Debug, PartialEq)]
pub struct AnyPatternReport {
    pub results: Vec<PatternResult>,
}

/// Checks the patterns of an `anyPattern` in order, stopping at the first pass.
pub fn validate_any_report<'p>(
    resource: &Json,
    patterns: impl IntoIterator<Item = &'p Json>,
) -> AnyPatternReport {
    let mut results = Vec::new();
    for pattern in patterns {
        let result = validate(resource, pattern);
        let passed = result == PatternResult::Pass;
        results.push(result);
        if passed {
            break;
        }
    }
    AnyPatternReport { results }
}

impl AnyPatternReport {
    /// Index of the pattern that passed, if one did.
    pub fn passed_index(&self) -> Option<usize> {
        self.results.iter().position(|r| *r == PatternResult::Pass)
    }

    /// The overall verdict, as [`validate_any`] describes it.
    pub fn result(&self) -> PatternResult {
        if self.passed_index().is_some() || self.results.is_empty() {
            return PatternResult::Pass;
        }
        let first_failure = self.results.iter().find_map(|r| match r {
            PatternResult::Fail { path } => Some(path.clone()),
            PatternResult::Error { .. } => Some(String::new()),
            _ => None,
        });
        if let Some(path) = first_failure {
            return PatternResult::Fail { path };
        }
        let skips: Vec<&str> = self
            .results
            .iter()
            .filter_map(|r| match r {
                PatternResult::Skip { message } => Some(message.as_str()),
                _ => None,
            })
            .collect();
        PatternResult::Skip {
            message: skips.join(" "),
        }
    }

    /// Kyverno's per-pattern failure texts, joined with spaces: `rule
    /// <name>[<i>] failed at path <path>`, or `rule <name>[<i>] failed:
    /// <error>` for errors. The rule message is built from them as
    /// `validation error: [<message>. ]<these>`.
    pub fn failure_text(&self, rule_name: &str) -> String {
        let texts: Vec<String> = self
            .results
            .iter()
            .enumerate()
            .filter_map(|(index, result)| match result {
                PatternResult::Fail { path } => {
                    Some(format!("rule {rule_name}[{index}] failed at path {path}"))
                }
                PatternResult::Error { message } => {
                    Some(format!("rule {rule_name}[{index}] failed: {message}"))
                }
                _ => None,
            })
            .collect();
        texts.join(" ")
    }

    /// Kyverno's skip message when every pattern skipped: `rule
    /// <name>[<i>] skipped: <reason>` joined with spaces.
    pub fn skip_text(&self, rule_name: &str) -> String {
        let texts: Vec<String> = self
            .results
            .iter()
            .enumerate()
            .filter_map(|(index, result)| match result {
                PatternResult::Skip { message } => {
                    Some(format!("rule {rule_name}[{index}] skipped: {message}"))
                }
                _ => None,
            })
            .collect();
        texts.join(" ")
    }
}

#[cfg(test)]
mod tests;
