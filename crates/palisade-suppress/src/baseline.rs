//! Baselines: the findings a project has today, accepted wholesale so that a
//! scan only fails on new ones (`--write-baseline FILE` writes it, `--baseline
//! FILE` reads it).
//!
//! An entry identifies a finding by its rule, its object (kind, namespace,
//! name) and a fingerprint of its message, never by line: editing a file above
//! an object, or moving the object to another file, keeps its entries
//! matching, while a change in what is wrong (another container, another
//! capability) makes a new finding. Findings about no object are identified by
//! their file instead. The message is stored beside the fingerprint for people
//! reading the file; only the fingerprint is compared. The file is JSON (which
//! is also YAML), read strictly: unknown keys are errors naming the line.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use palisade_core::Finding;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The version key of the file, which also says what the file is.
const VERSION: u32 = 1;

/// The file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BaselineFile {
    pub palisade_baseline: u32,
    #[serde(default)]
    pub findings: Vec<Entry>,
}

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<EntryObject>,
    /// Only for findings about no object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub fingerprint: String,
    /// The message when the baseline was written (not compared).
    #[serde(default)]
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryObject {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

/// A baseline read from a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    pub file: PathBuf,
    pub entries: Vec<Entry>,
}

/// The fingerprint of a message: the first 16 bytes of its SHA-256, in hex.
pub fn fingerprint(message: &str) -> String {
    let digest = Sha256::digest(message.as_bytes());
    digest
        .iter()
        .take(16)
        .fold(String::with_capacity(32), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

impl Entry {
    /// The entry that accepts `finding`.
    pub fn of(finding: &Finding) -> Entry {
        Entry {
            rule: finding.rule.clone(),
            object: finding.object.as_ref().map(|o| EntryObject {
                kind: o.kind.to_string(),
                namespace: o.namespace.as_ref().map(ToString::to_string),
                name: o.name.to_string(),
            }),
            file: match &finding.object {
                Some(_) => None,
                None => finding.file().map(str::to_owned),
            },
            fingerprint: fingerprint(&finding.message),
            message: finding.message.clone(),
        }
    }

    /// True when this entry accepts `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        if self.rule != finding.rule || self.fingerprint != fingerprint(&finding.message) {
            return false;
        }
        match (&self.object, &finding.object) {
            (Some(want), Some(have)) => {
                want.kind == have.kind
                    && want.namespace.as_deref() == have.namespace.as_deref()
                    && want.name == have.name
            }
            (None, None) => self.file.as_deref() == finding.file(),
            _ => false,
        }
    }

    /// How the entry reads in messages: `pss/privileged on Deployment shop/web`.
    pub fn describe(&self) -> String {
        match (&self.object, &self.file) {
            (Some(o), _) => match &o.namespace {
                Some(ns) => format!("{} on {} {ns}/{}", self.rule, o.kind, o.name),
                None => format!("{} on {} {}", self.rule, o.kind, o.name),
            },
            (None, Some(file)) => format!("{} in {file}", self.rule),
            (None, None) => self.rule.clone(),
        }
    }
}

impl Baseline {
    /// Reads a baseline file; errors name the file, line and column.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Baseline::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Baseline, String> {
        let file: BaselineFile = serde_json::from_str(text)
            .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
        if file.palisade_baseline != VERSION {
            return Err(format!(
                "{}: palisadeBaseline {} is not a version this palisade reads (expected {VERSION})",
                path.display(),
                file.palisade_baseline
            ));
        }
        Ok(Baseline {
            file: path.to_owned(),
            entries: file.findings,
        })
    }

    /// The text of a baseline accepting `findings` (sorted, one entry per distinct finding).
    pub fn render<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> String {
        let mut entries: Vec<Entry> = findings.into_iter().map(Entry::of).collect();
        entries.sort();
        entries.dedup();
        let file = BaselineFile {
            palisade_baseline: VERSION,
            findings: entries,
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_core::{ObjectRef, Pos, Severity, SourceRef};

    use super::*;

    fn finding(rule: &str, message: &str, line: u32, name: &str) -> Finding {
        Finding::new(
            rule,
            Severity::High,
            message,
            &SourceRef {
                file: Arc::from("a.yaml"),
                pos: Pos::new(line, 3),
            },
            Some(ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: Some("shop".into()),
                name: name.into(),
            }),
        )
    }

    #[test]
    fn entries_match_by_rule_object_and_message_not_by_line() {
        let original = finding("pss/privileged", "container \"a\" is privileged", 10, "web");
        let entry = Entry::of(&original);
        assert!(entry.matches(&finding(
            "pss/privileged",
            "container \"a\" is privileged",
            42,
            "web"
        )));
        assert!(!entry.matches(&finding(
            "pss/privileged",
            "container \"b\" is privileged",
            10,
            "web"
        )));
        assert!(!entry.matches(&finding(
            "pss/privileged",
            "container \"a\" is privileged",
            10,
            "api"
        )));
        assert!(!entry.matches(&finding(
            "pss/hostPID",
            "container \"a\" is privileged",
            10,
            "web"
        )));
    }

    #[test]
    fn a_written_baseline_reads_back_and_matches_what_it_was_written_from() {
        let findings = [
            finding("pss/privileged", "m1", 1, "web"),
            finding("pss/privileged", "m1", 1, "web"),
            Finding::unlocated("yaml/duplicate-key", Severity::Low, "m2", None),
        ];
        let text = Baseline::render(&findings);
        let baseline =
            Baseline::parse(Path::new("b.json"), &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(baseline.entries.len(), 2, "{text}");
        for f in &findings {
            assert!(baseline.entries.iter().any(|e| e.matches(f)), "{f:?}");
        }
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let bad = "{\"palisadeBaseline\": 1,\n \"findings\": [{\"rule\": \"x/y\", \"fingerprint\": \"f\", \"nmae\": 1}]}";
        let message = Baseline::parse(Path::new("b.json"), bad)
            .err()
            .unwrap_or_default();
        assert!(message.starts_with("b.json:2:"), "{message}");
        let message = Baseline::parse(Path::new("b.json"), "{\"palisadeBaseline\": 7}")
            .err()
            .unwrap_or_default();
        assert!(message.contains("palisadeBaseline 7"), "{message}");
    }
}
