//! The input side of `kyverno test` (`cmd/cli/kubectl-kyverno/apis/v1alpha1`,
//! `test/load.go`, `values`, `userinfo`, `resource` loaders): the test file
//! (`kyverno-test.yaml`, kind `Test`), its values file (kind `Values`), user
//! info (kind `UserInfo`) and CEL context (kind `Context`) files, and the
//! resource and policy files it names.
//!
//! Files are read with palisade-load, the workspace's kubectl-exact YAML
//! reader, so errors carry file and line. The CLI's own files are decoded
//! strictly as Kyverno does (an unknown field is an error); resources are
//! normalised the way `kyverno test` loads them (see [`read_resources`]).

mod context;
mod discover;
mod document;
mod resources;
mod test;
mod user_info;
mod values;

use std::fmt;
use std::path::PathBuf;

use crate::{Json, Status};

pub use context::{CelContext, read_context};
pub use discover::{find_tests, is_test_file};
pub use document::read_documents;
pub use resources::read_resources;
pub use test::read_test;
pub use user_info::{UserInfo, read_user_info};
pub use values::{PolicyValues, ResourceValues, RuleValues, Values, read_values};

/// A file that could not be read or does not have the expected shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: PathBuf,
    /// 1-based line of the offending value, when known.
    pub line: Option<u32>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// A `kyverno test` file. Paths are resolved against the test file's folder;
/// repeated entries of `policies` and `resources` are dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct TestFile {
    pub path: PathBuf,
    /// `metadata.name`.
    pub name: String,
    pub policies: Vec<PathBuf>,
    pub resources: Vec<PathBuf>,
    pub variables: Option<PathBuf>,
    pub userinfo: Option<PathBuf>,
    pub context: Option<PathBuf>,
    pub exceptions: Vec<PathBuf>,
    pub results: Vec<Expectation>,
}

/// One item of `results:`.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// The policy name: the part after the last `/` of `policy`.
    pub policy: String,
    pub rule: Option<String>,
    /// `isValidatingPolicy` (or another `is...Policy` flag): every response of
    /// the policy matches the entry, whatever its rule.
    pub is_validating_policy: bool,
    /// Informative only: `kyverno test` does not match on it.
    pub kind: Option<String>,
    /// `name` or `namespace/name`.
    pub resources: Vec<String>,
    pub result: Status,
    pub patched_resources: Option<PathBuf>,
    pub generated_resource: Option<PathBuf>,
    pub clone_source_resource: Option<PathBuf>,
}

/// A JSON-ish key/value list in file order.
pub type Entries = Vec<(String, Json)>;

#[cfg(test)]
mod tests;
