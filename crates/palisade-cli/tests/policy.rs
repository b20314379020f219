//! Gatekeeper policies from the command line: `policy verify` on the bundled
//! example suite, and `scan --policies`.

mod common;

use std::fs;

use common::{json_of, palisade};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn verify_runs_the_example_suite_and_reports_json() {
    let output = palisade(&["policy", "verify", "policy-examples/tests", "-o", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["cases"], 11);
    assert_eq!(summary["passed"], 11);
    assert_eq!(summary["failed"], serde_json::json!([]));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.find("\"cases\"") < text.find("\"passed\"")
            && text.find("\"passed\"") < text.find("\"failed\"")
    );
}

#[test]
fn verify_fails_a_case_whose_assertion_does_not_hold() {
    let dir = tempdir("verify-fails");
    let root = common::repo_root();
    let policies = root.join("policy-examples/policies");
    let samples = root.join("policy-examples/tests/samples");
    fs::write(
        dir.join("suite.yaml"),
        format!(
            "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n- name: limits\n  template: {t}\n  constraint: {c}\n  cases:\n  - name: wrong-expectation\n    object: {o}\n    assertions:\n    - violations: no\n",
            t = policies.join("container-limits-template.yaml").display(),
            c = policies.join("container-limits-constraint.yaml").display(),
            o = samples.join("pod-no-limits-root.yaml").display(),
        ),
    )
    .unwrap();
    let output = palisade(&["policy", "verify", dir.to_str().unwrap(), "-o", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["cases"], 1);
    assert_eq!(summary["passed"], 0);
    let why = summary["failed"][0]["why"].as_str().unwrap();
    assert!(why.contains("want 0 violations, got 2"), "{why}");
    assert_eq!(summary["failed"][0]["case"], "wrong-expectation");
}

#[test]
fn verify_without_suites_is_an_input_error() {
    let output = palisade(&["policy", "verify", "examples/"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no Gatekeeper suite"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn scan_enforces_constraints_with_one_rule_id_each() {
    let output = palisade(&[
        "scan",
        "examples/shop.yaml",
        "--policies",
        "policy-examples/policies",
        "--analyzers",
        "policy",
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    let findings = report["findings"].as_array().expect("findings");
    let of = |rule: &str, name: &str| {
        findings
            .iter()
            .filter(|f| f["rule"] == rule && f["object"]["name"] == name)
            .map(|f| f["message"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    let mut limits = of(
        "policy/PalisadeContainerLimits/containers-must-set-limits",
        "storefront",
    );
    limits.sort();
    assert_eq!(
        limits,
        [
            "container <web> has no cpu limit",
            "container <web> has no memory limit"
        ]
    );
    assert_eq!(
        of(
            "policy/PalisadeRunAsNonRoot/containers-must-run-as-non-root",
            "nightly-report"
        ),
        ["container <report> runs as root (runAsUser: 0)"]
    );
    assert!(findings.iter().all(|f| f["severity"] == "high"));

    // One constraint can be selected by its id prefix.
    let only_root = palisade(&[
        "scan",
        "examples/shop.yaml",
        "--policies",
        "policy-examples/policies",
        "--analyzers",
        "policy/PalisadeRunAsNonRoot/*",
        "-o",
        "json",
    ]);
    let report = json_of(&only_root);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.is_empty());
    assert!(
        rules
            .iter()
            .all(|r| r.starts_with("policy/PalisadeRunAsNonRoot/")),
        "{rules:?}"
    );
}

#[test]
fn a_constraint_that_cannot_be_enforced_is_a_finding_not_a_silent_pass() {
    let dir = tempdir("bad-constraint");
    let root = common::repo_root();
    fs::copy(
        root.join("policy-examples/policies/container-limits-template.yaml"),
        dir.join("template.yaml"),
    )
    .unwrap();
    fs::write(
        dir.join("constraint.yaml"),
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: PalisadeContainerLimits\nmetadata:\n  name: typo\nspec:\n  parameters:\n    exemptImage: [\"x\"]\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: NoSuchKind\nmetadata:\n  name: orphan\n",
    )
    .unwrap();
    let output = palisade(&[
        "scan",
        "examples/shop.yaml",
        "--policies",
        dir.to_str().unwrap(),
        "--analyzers",
        "policy/load-error",
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    let messages: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["file"].as_str().unwrap_or(""),
                f["line"],
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("constraint.yaml:1 ")
            && m.contains("spec.parameters.exemptImage: unknown field")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("constraint.yaml:9 ")
            && m.contains("no ConstraintTemplate defines kind NoSuchKind")),
        "{messages:?}"
    );
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "palisade-policy-test-{name}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}
