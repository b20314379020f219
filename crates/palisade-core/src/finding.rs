//! The one result type every analyzer produces and every reporter formats.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::object::{ObjectRef, SourceRef};

/// How much a finding matters. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str() == s)
            .ok_or_else(|| {
                format!("unknown severity {s:?}: expected one of info, low, medium, high, critical")
            })
    }
}

/// One thing an analyzer found, pointing at a line of a file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable rule id, `<analyzer>/<rule>`: `pss/runAsNonRoot`, `yaml/duplicate-key`.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    #[serde(serialize_with = "serialize_arc_str")]
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
    /// The object the finding is about; `None` for findings about a file as a whole.
    pub object: Option<ObjectRef>,
    /// What to change to make the finding go away.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Set when the cluster would reject the object at admission because of this
    /// finding: the enforcing policy, e.g. `restricted:v1.30` from the namespace's
    /// `pod-security.kubernetes.io/enforce` labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforced_by: Option<String>,
}

impl Finding {
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
        at: &SourceRef,
        object: Option<ObjectRef>,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message: message.into(),
            file: at.file.clone(),
            line: at.pos.line,
            column: at.pos.col,
            object,
            remediation: None,
            enforced_by: None,
        }
    }

    pub fn with_remediation(mut self, remediation: impl Into<String>) -> Finding {
        self.remediation = Some(remediation.into());
        self
    }
}

fn serialize_arc_str<S: Serializer>(value: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_their_own_names_and_order_by_weight() {
        for sev in Severity::ALL {
            assert_eq!(sev.as_str().parse::<Severity>(), Ok(sev));
        }
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert!("severe".parse::<Severity>().is_err());
    }
}
