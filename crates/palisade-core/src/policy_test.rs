//! What a policy test runner reports, whichever test format it runs
//! (Gatekeeper's `gator verify` suites, `kyverno test` files): one outcome
//! per case, or an error for a test file that could not be run at all.

use std::fmt;

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
