//! `-o policyreport`: the findings as Kubernetes Policy WG reports
//! (`wgpolicyk8s.io/v1alpha2`), YAML documents ready for `kubectl apply`
//! where the PolicyReport CRDs are installed, and read by Policy Reporter.
//!
//! - One `PolicyReport` per namespace that has findings, named
//!   `palisade-<namespace>` in that namespace, and one `ClusterPolicyReport`
//!   named `palisade`, always written (empty when nothing else is), for
//!   cluster-scoped objects, objects whose namespace the input does not say,
//!   and findings about no object. Both carry the label
//!   `app.kubernetes.io/managed-by: palisade`.
//! - One result per finding: `policy` is the analyzer (`pss`), `rule` the rule
//!   id (`pss/privileged`, what `palisade explain` documents), `result` is
//!   `fail` for a finding at or above `--fail-on` and `warn` below it,
//!   `severity` the finding's, `message`, `resources` the object as an
//!   ObjectReference, `source: palisade`, `scored: true`, the run's
//!   `timestamp`, and `properties` (string values, as the CRD requires) with
//!   the file, line, column, fix and enforcing policy when known. There is no
//!   `category`: rules carry none beyond their analyzer, which is the policy.
//! - `summary` counts the results by outcome; `pass`, `error` and `skip` are
//!   0, as no result has them.

use std::collections::BTreeMap;
use std::io::{self, Write};

use palisade_core::Finding;
use serde::Serialize;

use crate::{FailOn, Report};

pub const API_VERSION: &str = "wgpolicyk8s.io/v1alpha2";
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// The name of the ClusterPolicyReport, and the prefix of the PolicyReports.
pub const NAME: &str = "palisade";

/// When the report was made, as the CRD's `timestamp` (a protobuf Timestamp).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Timestamp {
    pub seconds: i64,
    pub nanos: i32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyReport<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    summary: Summary,
    results: Vec<ReportResult<'a>>,
}

#[derive(Serialize)]
struct Metadata {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    labels: BTreeMap<&'static str, &'static str>,
}

#[derive(Default, Serialize)]
struct Summary {
    pass: usize,
    fail: usize,
    warn: usize,
    error: usize,
    skip: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportResult<'a> {
    policy: &'a str,
    rule: &'a str,
    result: &'static str,
    severity: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<ObjectReference<'a>>,
    source: &'static str,
    scored: bool,
    timestamp: Timestamp,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectReference<'a> {
    api_version: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    name: &'a str,
}

/// Writes the reports as YAML documents separated by `---`: the namespaced
/// PolicyReports in namespace order, then the ClusterPolicyReport.
pub fn write(report: &Report, timestamp: Timestamp, out: &mut dyn Write) -> io::Result<()> {
    let fail_on = report.summary.fail_on;
    let mut namespaced: BTreeMap<&str, Vec<ReportResult>> = BTreeMap::new();
    let mut cluster = Vec::new();
    for finding in &report.findings {
        let result = result(finding, fail_on, timestamp);
        match finding.object.as_ref().and_then(|o| o.namespace.as_deref()) {
            Some(namespace) => namespaced.entry(namespace).or_default().push(result),
            None => cluster.push(result),
        }
    }
    let mut documents: Vec<PolicyReport> = namespaced
        .into_iter()
        .map(|(namespace, results)| {
            policy_report(
                "PolicyReport",
                format!("{NAME}-{namespace}"),
                Some(namespace.to_owned()),
                results,
            )
        })
        .collect();
    documents.push(policy_report(
        "ClusterPolicyReport",
        NAME.to_owned(),
        None,
        cluster,
    ));
    let yaml = serde_saphyr::to_string_multiple(&documents).map_err(io::Error::other)?;
    out.write_all(yaml.as_bytes())
}

fn policy_report<'a>(
    kind: &'static str,
    name: String,
    namespace: Option<String>,
    results: Vec<ReportResult<'a>>,
) -> PolicyReport<'a> {
    let mut summary = Summary::default();
    for result in &results {
        match result.result {
            "fail" => summary.fail += 1,
            _ => summary.warn += 1,
        }
    }
    PolicyReport {
        api_version: API_VERSION,
        kind,
        metadata: Metadata {
            name,
            namespace,
            labels: BTreeMap::from([(MANAGED_BY, NAME)]),
        },
        summary,
        results,
    }
}

fn result(finding: &Finding, fail_on: FailOn, timestamp: Timestamp) -> ReportResult<'_> {
    let mut properties = BTreeMap::new();
    if let Some(at) = &finding.location {
        properties.insert("file", at.file.to_string());
        properties.insert("line", at.line.to_string());
        properties.insert("column", at.column.to_string());
    }
    if let Some(fix) = &finding.remediation {
        properties.insert("remediation", fix.to_string());
    }
    if let Some(enforcement) = &finding.enforcement {
        properties.insert("enforcedBy", enforcement.policy.clone());
    }
    let policy = finding
        .rule
        .split_once('/')
        .map_or(finding.rule.as_str(), |(analyzer, _)| analyzer);
    ReportResult {
        policy,
        rule: &finding.rule,
        result: if fail_on.fails(finding.severity) {
            "fail"
        } else {
            "warn"
        },
        severity: finding.severity.as_str(),
        message: &finding.message,
        resources: finding
            .object
            .iter()
            .map(|o| ObjectReference {
                api_version: &o.api_version,
                kind: &o.kind,
                namespace: o.namespace.as_deref(),
                name: &o.name,
            })
            .collect(),
        source: NAME,
        scored: true,
        timestamp,
        properties,
    }
}
