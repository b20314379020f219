//! The one result type every analyzer produces and every reporter formats.
//! It carries nothing specific to one analyzer: a rule id, a severity, a
//! message, an optional location and object, a remediation, and whether
//! admission would reject the object.

use std::borrow::Cow;
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

/// Where a finding points: a line and column of a file (`<stdin>` for standard
/// input). Findings about something that is not in a file (a live object, a
/// cluster-wide fact) have no location.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    #[serde(serialize_with = "serialize_arc_str")]
    pub file: Arc<str>,
    /// 1-based.
    pub line: u32,
    /// 1-based.
    pub column: u32,
}

impl From<&SourceRef> for Location {
    fn from(at: &SourceRef) -> Location {
        Location {
            file: at.file.clone(),
            line: at.pos.line,
            column: at.pos.col,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Admission would reject the object because of the finding: which policy
/// enforces it. Any admission-time analyzer (Pod Security labels today,
/// policy engines later) fills it the same way.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Enforcement {
    /// The enforcing policy as the JSON `enforcedBy` key shows it, e.g.
    /// `restricted:v1.30`.
    pub policy: String,
    /// Who enforces it, for people: `the namespace enforces PodSecurity "restricted:v1.30"`.
    pub by: String,
}

/// One thing an analyzer found, about an object, usually pointing at a line.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable rule id, `<analyzer>/<rule>`: `pss/runAsNonRoot`, `yaml/duplicate-key`.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// Where: serialized as the `file`, `line` and `column` keys, absent when the
    /// finding is about something that is not in a file.
    #[serde(flatten)]
    pub location: Option<Location>,
    /// The object the finding is about; `None` for findings about a file as a whole.
    pub object: Option<ObjectRef>,
    /// What to change to make the finding go away.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Cow<'static, str>>,
    /// Set when the cluster would reject the object at admission because of this
    /// finding (JSON `enforcedBy`: the enforcing policy).
    #[serde(
        rename = "enforcedBy",
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_enforcement"
    )]
    pub enforcement: Option<Enforcement>,
    /// Set on a finding a suppression covers, when the run shows suppressed
    /// findings (`--show-suppressed`): which suppression and why. Suppressed
    /// findings never fail a run.
    #[serde(rename = "suppressed", skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

/// What suppressed a finding: an annotation, a config-file exemption, a
/// baseline entry or an accept-file entry, with the reason it gives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// `annotation`, `config`, `baseline` or `accept`.
    pub by: &'static str,
    /// Where the suppression is written (`file:line`, with the annotation key
    /// or the entry), for people to find it.
    pub at: String,
    pub reason: String,
}

impl Finding {
    /// A finding at a place in a file.
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
        at: &SourceRef,
        object: Option<ObjectRef>,
    ) -> Finding {
        Finding {
            location: Some(Location::from(at)),
            ..Finding::unlocated(rule, severity, message, object)
        }
    }

    /// A finding that points at no file: about a live object or a fact of the
    /// whole input.
    pub fn unlocated(
        rule: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
        object: Option<ObjectRef>,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message: message.into(),
            location: None,
            object,
            remediation: None,
            enforcement: None,
            suppression: None,
        }
    }

    pub fn with_remediation(mut self, remediation: impl Into<Cow<'static, str>>) -> Finding {
        self.remediation = Some(remediation.into());
        self
    }

    /// The file the finding points at, if any.
    pub fn file(&self) -> Option<&str> {
        self.location.as_ref().map(|l| &*l.file)
    }

    /// The line and column, if the finding has a location.
    pub fn line_column(&self) -> Option<(u32, u32)> {
        self.location.as_ref().map(|l| (l.line, l.column))
    }
}

fn serialize_enforcement<S: Serializer>(
    value: &Option<Enforcement>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(enforcement) => s.serialize_str(&enforcement.policy),
        None => s.serialize_none(),
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

#[cfg(test)]
mod json_tests {
    use super::*;
    use crate::node::Pos;

    #[test]
    fn a_finding_without_a_location_has_no_file_keys() {
        let unlocated = Finding::unlocated("demo/x", Severity::Low, "m", None);
        let json = serde_json::to_value(&unlocated).unwrap_or_default();
        assert!(
            json.get("file").is_none() && json.get("line").is_none(),
            "{json}"
        );
        let at = SourceRef {
            file: Arc::from("a.yaml"),
            pos: Pos::new(3, 4),
        };
        let mut located = Finding::new("demo/x", Severity::Low, "m", &at, None);
        located.enforcement = Some(Enforcement {
            policy: "restricted:v1.30".into(),
            by: "the namespace".into(),
        });
        let json = serde_json::to_value(&located).unwrap_or_default();
        assert_eq!(json["file"], "a.yaml");
        assert_eq!(
            (json["line"].as_u64(), json["column"].as_u64()),
            (Some(3), Some(4))
        );
        assert_eq!(json["enforcedBy"], "restricted:v1.30");
    }
}
