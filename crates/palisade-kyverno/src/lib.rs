//! Kyverno policies, evaluated offline with Kyverno's verdicts: ClusterPolicy
//! and Policy `validate` rules (pattern, anyPattern, deny, foreach,
//! podSecurity, cel) and `ValidatingPolicy` (policies.kyverno.io).
//!
//! The semantics follow Kyverno at the commit named in
//! `../shared/conformance/kyverno/README.md`; each module says which part of
//! Kyverno it reproduces.
//!
//! Values are `serde_json::Value` throughout: Kyverno evaluates policies on
//! JSON documents (numbers from resources are float64), and JMESPath, the
//! pattern overlay and the conditions all work on that shape.

pub mod admission;
pub mod analyzer;
pub mod autogen;
pub mod cel_rule;
pub mod conditions;
pub mod context;
pub mod engine;
pub mod exception;
pub mod go_yaml;
pub mod jmespath;
pub mod matching;
pub mod operator;
pub mod pattern;
pub mod pod_security;
pub mod policy;
pub mod policy_set;
pub mod rules;
pub mod test_file;
pub mod variables;
pub mod verify;
pub mod vpol;
pub mod wildcard;

/// A JSON value, the shape Kyverno evaluates.
pub type Json = serde_json::Value;

/// The objects standing in for the cluster (what `configMap` context
/// entries and CEL's `resource.Get`/`List` read), shared rather than copied:
/// every CEL evaluation hands them to its library functions.
pub type ClusterObjects = std::sync::Arc<[Json]>;

/// No cluster objects, shared.
pub fn no_cluster_objects() -> &'static ClusterObjects {
    static NONE: std::sync::OnceLock<ClusterObjects> = std::sync::OnceLock::new();
    NONE.get_or_init(ClusterObjects::default)
}

/// The status of one rule response, as Kyverno reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Error,
    Skip,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Error => "error",
            Status::Skip => "skip",
        }
    }

    /// Parses `pass`, `fail`, `warn`, `error` or `skip`.
    pub fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "pass" => Status::Pass,
            "fail" => Status::Fail,
            "warn" => Status::Warn,
            "error" => Status::Error,
            "skip" => Status::Skip,
            _ => return None,
        })
    }
}

/// What one rule (or one ValidatingPolicy) decided for one resource.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleOutcome {
    pub status: Status,
    pub message: String,
    /// Where in the resource a pattern failed (`/spec/containers/0/...`),
    /// when Kyverno names a place.
    pub path: Option<String>,
}

impl RuleOutcome {
    pub fn new(status: Status, message: impl Into<String>) -> RuleOutcome {
        RuleOutcome {
            status,
            message: message.into(),
            path: None,
        }
    }

    /// The same outcome, located at a path of the resource.
    pub fn at(mut self, path: impl Into<String>) -> RuleOutcome {
        self.path = Some(path.into());
        self
    }
}
