//! The result of one expectation: whether it holds, and the engines' explanation.

use serde::Serialize;

/// One expectation, decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub name: String,
    /// The key that introduced it: `can`, `cannot`, `only`, `reach`, `isolated`, `admitted`, `rejected`.
    pub kind: &'static str,
    pub passed: bool,
    /// What the engine decided and why (the binding and role, the policies, the admission message).
    pub explanation: String,
    /// Further lines: each extra permission of a failing `only`, the notes of a reach.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// `file:line:col` of the expectation.
    pub location: String,
}

/// How many outcomes passed and failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
}

impl Tally {
    pub fn of(outcomes: &[Outcome]) -> Tally {
        let passed = outcomes.iter().filter(|o| o.passed).count();
        Tally {
            passed,
            failed: outcomes.len() - passed,
        }
    }
}
