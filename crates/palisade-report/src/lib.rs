//! Palisade's reporters: they turn findings into text and do nothing else.
//!
//! Every format reads the same [`Report`]: findings in [`order`], plus a summary.
//! The JSON document is a stable interface (documented in the README); the table
//! is for people and may change.

pub mod json;
pub mod order;
pub mod table;

use std::collections::BTreeMap;

use palisade_core::{Finding, Severity};
use serde::Serialize;

pub use order::order;

/// What a run looked at, beside what it found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub files: usize,
    pub objects: usize,
    pub findings: usize,
    /// Findings per severity; every severity is present, zero or not.
    pub by_severity: BTreeMap<Severity, usize>,
    /// Findings the cluster would reject at admission (see `Finding::enforced_by`).
    pub enforced: usize,
    /// Findings left out because an accept file (`--accept`) covers them.
    pub accepted: usize,
    /// The Pod Security Standards policy the scan targeted, e.g. `restricted:latest`
    /// (absent for commands that do not evaluate PSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pss_policy: Option<String>,
    /// The `--fail-on` threshold.
    pub fail_on: Severity,
    /// True when a finding is at or above `fail_on`: the run exits 1.
    pub failed: bool,
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
        pss_policy: Option<String>,
        fail_on: Severity,
    ) -> Report {
        order(&mut findings);
        let mut by_severity: BTreeMap<Severity, usize> =
            Severity::ALL.into_iter().map(|s| (s, 0)).collect();
        for finding in &findings {
            *by_severity.entry(finding.severity).or_default() += 1;
        }
        let summary = Summary {
            files,
            objects,
            findings: findings.len(),
            enforced: findings.iter().filter(|f| f.enforced_by.is_some()).count(),
            accepted: 0,
            failed: findings.iter().any(|f| f.severity >= fail_on),
            by_severity,
            pss_policy,
            fail_on,
        };
        Report { findings, summary }
    }
}
