//! Kyverno's JMESPath (`pkg/engine/jmespath`): the standard JMESPath language
//! as Kyverno's fork of go-jmespath evaluates it, plus Kyverno's custom
//! functions.
//!
//! Parsing and the standard functions come from the `jmespath` crate; the
//! evaluation is our own walk of its AST ([`interpreter`]) because Kyverno's
//! fork differs from the specification in one way that decides rule results:
//! a key missing from an existing map on a plain path is an error,
//! `Unknown key "app" in path`, instead of null. Projections, flatten,
//! filters, multiselect, function arguments, comparisons, pipes and the left
//! of `||` turn that error back into null (see [`interpreter`]).
//!
//! Numbers: Kyverno works in float64. Results come back as serde_json numbers,
//! and every whole number of magnitude below 2^53 is returned as an integer
//! (`3`, never `3.0`), whatever produced it (the resource, a literal, `length`,
//! `divide`...); other numbers are returned as floats. Comparisons are numeric,
//! so `1 == 1.0`.
//!
//! Functions registered beyond the JMESPath standard set (each in a family
//! file): strings (`compare`, `equal_fold`, `replace`, `replace_all`,
//! `to_upper`, `to_lower`, `trim`, `trim_prefix`, `split`, `truncate`,
//! `to_boolean`, `base64_decode`, `base64_encode`, `path_canonicalize`,
//! `sha256`), regex and wildcards (`regex_match`, `regex_replace_all`,
//! `regex_replace_all_literal`, `pattern_match`), arithmetic with numbers,
//! quantities and durations (`add`, `sum`, `subtract`, `multiply`, `divide`,
//! `modulo`, `round`), data (`parse_json`, `parse_yaml`, `lookup`, `items`,
//! `object_from_lists`, `label_match`, `semver_compare`) and time
//! (`time_since`, `time_now`, `time_now_utc`, `time_add`, `time_parse`,
//! `time_utc`, `time_diff`, `time_before`, `time_after`, `time_between`,
//! `time_truncate`, `time_to_cron`). `to_string`, `to_number`, `abs`, `ceil`,
//! `floor` and `avg` are replaced by versions that format and normalise
//! numbers as Kyverno does.
//!
//! Left out: `random` (non-deterministic), `x509_decode` (needs an X.509
//! parser), `image_normalize` (needs Kyverno's image-reference rules),
//! `is_external_url`, `sha1`, `md5`. Calling one is an "undefined function"
//! error. Quantity results of `add`/`subtract`/`multiply`/`modulo` (which Kyverno
//! prints in Kubernetes' canonical quantity form) are an error here;
//! quantity / quantity and every number and duration combination are done.

mod arithmetic;
mod builtin_overrides;
mod convert;
mod data_functions;
mod duration;
mod go_format;
mod interpreter;
mod limits;
mod regex_functions;
mod runtime;
mod string_functions;
mod time_functions;

use std::fmt;

use crate::Json;

pub(crate) use convert::{json_to_variable, variable_to_json};
pub(crate) use go_format::go_json_string;
pub use jmespath::Rcvar;

/// A JMESPath parse or evaluation error, with Kyverno's wording where Kyverno
/// has its own (for example `Unknown key "app" in path`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JmesError {
    pub message: String,
}

impl JmesError {
    pub(crate) fn new(message: impl Into<String>) -> JmesError {
        JmesError {
            message: message.into(),
        }
    }
}

impl fmt::Display for JmesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JmesError {}

/// Evaluates `expression` against `data` as Kyverno does.
pub fn search(expression: &str, data: &Json) -> Result<Json, JmesError> {
    let root = json_to_variable(data)?;
    search_variable(expression, &root)
}

/// Evaluates `expression` against data already converted (the context keeps
/// its root converted so that many queries share one conversion).
pub fn search_variable(expression: &str, root: &Rcvar) -> Result<Json, JmesError> {
    let compiled = runtime::compile(expression)?;
    let result = interpreter::evaluate(&compiled, root)?;
    Ok(variable_to_json(&result))
}

/// Kyverno's context query (`pkg/engine/context/evaluate.go`): the expression
/// is trimmed, and errors carry Kyverno's prefixes (`invalid query (nil)`,
/// `incorrect query <q>: ...`, `JMESPath query failed: ...`).
pub(crate) fn query(expression: &str, root: &Rcvar) -> Result<Json, JmesError> {
    let expression = expression.trim();
    if expression.is_empty() {
        return Err(JmesError::new("invalid query (nil)"));
    }
    let compiled = runtime::compile(expression).map_err(|error| {
        JmesError::new(format!("incorrect query {expression}: {}", error.message))
    })?;
    let result = interpreter::evaluate(&compiled, root)
        .map_err(|error| JmesError::new(format!("JMESPath query failed: {}", error.message)))?;
    Ok(variable_to_json(&result))
}

#[cfg(test)]
mod tests;
