//! Palisade's reporters: they turn results into text and do nothing else.
//!
//! Every output of the `palisade` command is written here: findings (table,
//! JSON, and for machines SARIF, JUnit XML and PolicyReports; one [`Report`]
//! with its [`Summary`]), the inventory, connection lists,
//! `reach` answers, the NetworkPolicy matrix, RBAC answers (`can-i`, `can-i
//! --list`, `who-can`), and the rule registry (`palisade rules`, `palisade
//! explain`). One [`Format`] enum names every
//! format, one column writer ([`columns`]) lays out every table, one escaper
//! ([`csv`]) quotes every CSV field. Tables fit the terminal's width when there
//! is one ([`terminal`]), wrapping at spaces rather than cutting words.
//!
//! The findings JSON document is a stable interface (documented in the README);
//! tables are for people and may change. Reporters do no analysis and read no
//! input: callers hand them plain values.

pub mod columns;
pub mod connlist;
pub mod csv;
pub mod format;
pub mod identity;
pub mod intent;
pub mod inventory;
pub mod json;
pub mod junit;
pub mod matrix;
pub mod order;
pub mod policy_report;
pub mod rbac;
pub mod reach;
pub mod rules;
pub mod sarif;
pub mod simulate;
pub mod table;
pub mod terminal;
pub mod wrap;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use palisade_core::{Fact, Finding, Severity};
use serde::{Serialize, Serializer};

pub use format::Format;
pub use order::order;

/// `--fail-on`: the lowest severity that makes a run exit 1, or `never` for
/// report-only runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Never,
    At(Severity),
}

impl FailOn {
    /// True when a finding of `severity` fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::At(threshold) => severity >= threshold,
        }
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailOn::Never => f.write_str("never"),
            FailOn::At(severity) => severity.fmt(f),
        }
    }
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "never" {
            return Ok(FailOn::Never);
        }
        s.parse().map(FailOn::At).map_err(|_| {
            format!(
                "unknown severity {s:?}: expected one of info, low, medium, high, critical, never"
            )
        })
    }
}

impl Serialize for FailOn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What a run looked at, beside what it found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub files: usize,
    pub objects: usize,
    pub findings: usize,
    /// Findings per severity; every severity is present, zero or not.
    pub by_severity: BTreeMap<Severity, usize>,
    /// Findings the cluster would reject at admission (see `Finding::enforcement`).
    pub enforced: usize,
    /// Findings left out because an accept file (`--accept`) covers them.
    pub accepted: usize,
    /// Findings an annotation, the config file or a baseline suppresses (shown
    /// with `suppressed` set under `--show-suppressed`, else left out).
    pub suppressed: usize,
    /// Run-wide facts the analyzers reported, each under its own key (the Pod
    /// Security target is `pssPolicy`).
    #[serde(flatten, serialize_with = "serialize_facts")]
    pub facts: Vec<Fact>,
    /// The `--fail-on` threshold.
    pub fail_on: FailOn,
    /// True when a finding is at or above `fail_on`: the run exits 1.
    pub failed: bool,
}

fn serialize_facts<S: Serializer>(facts: &[Fact], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(facts.iter().map(|f| (f.key, &f.value)))
}

/// Findings (already ordered) and their summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

impl Report {
    /// Orders the findings and computes the summary.
    pub fn new(
        mut findings: Vec<Finding>,
        files: usize,
        objects: usize,
        facts: Vec<Fact>,
        fail_on: FailOn,
    ) -> Report {
        order(&mut findings);
        let mut by_severity: BTreeMap<Severity, usize> =
            Severity::ALL.into_iter().map(|s| (s, 0)).collect();
        // Suppressed findings (shown on request) count in `suppressed` only.
        let active = || findings.iter().filter(|f| f.suppression.is_none());
        for finding in active() {
            *by_severity.entry(finding.severity).or_default() += 1;
        }
        let summary = Summary {
            files,
            objects,
            findings: active().count(),
            enforced: active().filter(|f| f.enforcement.is_some()).count(),
            accepted: 0,
            suppressed: findings.len() - active().count(),
            failed: active().any(|f| fail_on.fails(f.severity)),
            by_severity,
            facts,
            fail_on,
        };
        Report { findings, summary }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_never_never_fails_and_keeps_its_name() {
        assert_eq!("never".parse::<FailOn>(), Ok(FailOn::Never));
        assert!(!FailOn::Never.fails(Severity::Critical));
        assert!(FailOn::At(Severity::High).fails(Severity::Critical));
        assert!(!FailOn::At(Severity::High).fails(Severity::Medium));
        assert!("sometimes".parse::<FailOn>().is_err());
        let report = Report::new(
            Vec::new(),
            0,
            0,
            vec![Fact {
                key: "pssPolicy",
                label: "Pod Security Standards",
                value: "restricted:latest".into(),
            }],
            FailOn::Never,
        );
        let json = serde_json::to_value(&report.summary).unwrap_or_default();
        assert_eq!(json["failOn"], "never");
        assert_eq!(json["pssPolicy"], "restricted:latest");
    }
}
