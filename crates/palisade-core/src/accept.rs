//! Accepted findings: the ones a team has reviewed and decided to live with.
//!
//! Each entry names a rule (exactly, or by prefix with a trailing `*`), may narrow
//! it to one object and to messages containing a text, and must say why it was
//! accepted: an accepted risk without a reason is a silenced one. Entries that
//! match nothing are reported back, so a stale acceptance does not outlive the
//! problem it covered.

use serde::Deserialize;

use crate::finding::Finding;

/// The accepted-findings file: `{accepted: [...]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptList {
    #[serde(default)]
    pub accepted: Vec<Acceptance>,
}

/// One accepted finding, or family of findings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// A rule id (`rbac/wl-create-pods`), or a prefix ending in `*` (`netpol/*`).
    pub rule: String,
    /// Only findings about this object (every field given must match).
    #[serde(default)]
    pub object: Option<ObjectMatch>,
    /// Only findings whose message contains this text (for example a subject:
    /// `User alice`).
    #[serde(default, rename = "match")]
    pub message_contains: Option<String>,
    /// Why the finding is accepted. Required.
    pub reason: String,
}

/// Which object an acceptance covers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectMatch {
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

/// What applying an accept list did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Accepted {
    /// The findings that remain.
    pub findings: Vec<Finding>,
    /// How many findings the list accepted.
    pub accepted: usize,
    /// Entries (by index in the file) that matched no finding.
    pub unused: Vec<usize>,
}

impl AcceptList {
    /// Checks what deserialization cannot: every entry has a rule and a reason.
    pub fn validate(&self) -> Result<(), String> {
        for (i, entry) in self.accepted.iter().enumerate() {
            if entry.rule.trim().is_empty() {
                return Err(format!("accepted[{i}]: rule must not be empty"));
            }
            if entry.reason.trim().is_empty() {
                return Err(format!(
                    "accepted[{i}] ({}): reason must say why the finding is accepted",
                    entry.rule
                ));
            }
        }
        Ok(())
    }

    /// Removes the accepted findings.
    pub fn apply(&self, findings: Vec<Finding>) -> Accepted {
        let mut used = vec![false; self.accepted.len()];
        let mut kept = Vec::with_capacity(findings.len());
        let mut accepted = 0;
        for finding in findings {
            match self
                .accepted
                .iter()
                .position(|entry| entry.matches(&finding))
            {
                Some(i) => {
                    used[i] = true;
                    accepted += 1;
                }
                None => kept.push(finding),
            }
        }
        Accepted {
            findings: kept,
            accepted,
            unused: used
                .iter()
                .enumerate()
                .filter(|(_, used)| !**used)
                .map(|(i, _)| i)
                .collect(),
        }
    }
}

impl Acceptance {
    /// True when this entry covers `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        let rule_matches = match self.rule.strip_suffix('*') {
            Some(prefix) => finding.rule.starts_with(prefix),
            None => finding.rule == self.rule,
        };
        if !rule_matches {
            return false;
        }
        if let Some(text) = &self.message_contains
            && !finding.message.contains(text.as_str())
        {
            return false;
        }
        let Some(wanted) = &self.object else {
            return true;
        };
        let Some(object) = &finding.object else {
            return false;
        };
        let same = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| Some(w) == have)
        };
        same(&wanted.kind, Some(&object.kind))
            && same(&wanted.namespace, object.namespace.as_deref())
            && same(&wanted.name, Some(&object.name))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::finding::Severity;
    use crate::node::Pos;
    use crate::object::{ObjectRef, SourceRef};

    fn finding(rule: &str, message: &str, namespace: Option<&str>, name: &str) -> Finding {
        Finding::new(
            rule,
            Severity::High,
            message,
            &SourceRef {
                file: Arc::from("f.yaml"),
                pos: Pos::new(1, 1),
            },
            Some(ObjectRef {
                api_version: "v1".into(),
                kind: "RoleBinding".into(),
                namespace: namespace.map(Into::into),
                name: name.into(),
            }),
        )
    }

    fn entry(rule: &str) -> Acceptance {
        Acceptance {
            rule: rule.into(),
            object: None,
            message_contains: None,
            reason: "reviewed".into(),
        }
    }

    #[test]
    fn rules_match_exactly_or_by_prefix() {
        let f = finding(
            "rbac/wl-create-pods",
            "User alice can create pods",
            Some("shop"),
            "b",
        );
        assert!(entry("rbac/wl-create-pods").matches(&f));
        assert!(entry("rbac/*").matches(&f));
        assert!(!entry("rbac/wl-create").matches(&f));
        assert!(!entry("netpol/*").matches(&f));
    }

    #[test]
    fn object_and_message_narrow_the_match() {
        let f = finding(
            "rbac/wl-create-pods",
            "User alice can create pods",
            Some("shop"),
            "b",
        );
        let mut narrow = entry("rbac/wl-create-pods");
        narrow.message_contains = Some("User alice".into());
        narrow.object = Some(ObjectMatch {
            kind: Some("RoleBinding".into()),
            namespace: Some("shop".into()),
            name: None,
        });
        assert!(narrow.matches(&f));
        narrow.message_contains = Some("User bob".into());
        assert!(!narrow.matches(&f));
        narrow.message_contains = None;
        narrow.object = Some(ObjectMatch {
            namespace: Some("other".into()),
            ..ObjectMatch::default()
        });
        assert!(!narrow.matches(&f));
    }

    #[test]
    fn apply_counts_accepted_findings_and_reports_unused_entries() {
        let list = AcceptList {
            accepted: vec![entry("rbac/wl-create-pods"), entry("pss/privileged")],
        };
        let result = list.apply(vec![
            finding("rbac/wl-create-pods", "a", None, "x"),
            finding("rbac/wl-create-pods", "b", None, "y"),
            finding("rbac/esc-bind", "c", None, "z"),
        ]);
        assert_eq!(result.accepted, 2);
        assert_eq!(result.findings.len(), 1);
        assert_eq!(result.findings[0].rule, "rbac/esc-bind");
        assert_eq!(result.unused, [1]);
    }

    #[test]
    fn an_entry_needs_a_reason() {
        let mut bad = entry("pss/privileged");
        bad.reason = " ".into();
        let list = AcceptList {
            accepted: vec![bad],
        };
        assert!(list.validate().is_err_and(|e| e.contains("reason")));
    }
}
