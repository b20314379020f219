//! What policy engines report, whichever policy language they run
//! (Gatekeeper, Kyverno): a policy that cannot be enforced, and, for test
//! runners (`gator verify` suites, `kyverno test` files), one outcome per
//! case or an error for a test file that could not be run at all.

use std::fmt;

use crate::{Finding, Object, Severity, SourceRef};

/// A policy that cannot be enforced, at its object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadProblem {
    /// Where the object was read.
    pub source: SourceRef,
    pub message: String,
}

impl LoadProblem {
    pub fn new(object: &Object, message: String) -> LoadProblem {
        LoadProblem {
            source: object.source().clone(),
            message,
        }
    }

    /// `file:line:col` of the object, for messages.
    pub fn origin(&self) -> String {
        self.source.origin()
    }

    /// The finding a scan reports for it, under `rule` (a load-error rule).
    pub fn finding(&self, rule: &str) -> Finding {
        Finding::new(
            rule,
            Severity::High,
            self.message.clone(),
            &self.source,
            None,
        )
    }
}

/// The outcome of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseOutcome {
    /// The test file.
    pub suite: String,
    /// The test's name within the file.
    pub test: String,
    /// The case's name within the test.
    pub case: String,
    /// `None` when the case passed, else why it failed.
    pub failure: Option<String>,
}

/// Why a test file could not be run at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuiteError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for SuiteError {}
