//! `scan`'s schema analyzer through the command line: on by default, the
//! `--k8s-version` flag choosing the embedded schema, and a version without
//! one refused before any input is read.

mod common;

use common::palisade;
use serde_json::Value;

const TYPOS: &str = "crates/palisade-cli/tests/fixtures/schema/typos.yaml";

fn schema_findings(extra: &[&str]) -> (Option<i32>, Vec<(String, String, String)>) {
    let mut args = vec!["scan", "-f", TYPOS, "-o", "json"];
    args.extend_from_slice(extra);
    let output = palisade(&args);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let findings = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("schema/")))
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
            (text("rule"), text("severity"), text("message"))
        })
        .collect();
    (output.status.code(), findings)
}

#[test]
fn scan_runs_the_schema_analyzer_by_default() {
    let (code, findings) = schema_findings(&[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        findings,
        [
            (
                "schema/type-mismatch".to_owned(),
                "high".to_owned(),
                r#"invalid type for "spec.containers[0].securityContext.privileged": got string "true", expected boolean"#.to_owned()
            ),
            (
                "schema/unknown-field".to_owned(),
                "high".to_owned(),
                r#"unknown field "spec.containers[0].securityContext.runAsNonroot""#.to_owned()
            ),
        ]
    );
}

#[test]
fn k8s_version_chooses_the_schema() {
    // Container resizePolicy is a field from Kubernetes v1.27 on.
    let (_, findings) = schema_findings(&["--analyzers", "schema", "--k8s-version", "v1.26"]);
    let messages: Vec<&str> = findings.iter().map(|(_, _, m)| m.as_str()).collect();
    assert!(
        messages.contains(&r#"unknown field "spec.containers[0].resizePolicy""#),
        "{messages:#?}"
    );
    let (_, findings) = schema_findings(&["--analyzers", "schema", "--k8s-version", "1.27.3"]);
    assert_eq!(findings.len(), 2, "{findings:#?}");
}

#[test]
fn a_k8s_version_without_an_embedded_schema_is_a_usage_error() {
    let output = palisade(&["scan", "-f", TYPOS, "--k8s-version", "v1.19"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--k8s-version v1.19: no embedded schema for Kubernetes v1.19; embedded versions are v1.25 to v1.37 (latest)"),
        "{stderr}"
    );
}
