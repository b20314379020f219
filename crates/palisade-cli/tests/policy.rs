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
    common::tempdir("palisade-policy-test", name)
}

/// `palisade serve --policies`: Pod Security first, then the constraints, over HTTPS.
#[cfg(unix)]
#[test]
fn serve_enforces_gatekeeper_constraints_over_https() {
    let served = common::serve(
        "serve-policies",
        &[
            "-f",
            "webhook-examples/namespaces.yaml",
            "--policies",
            "policy-examples/policies",
        ],
    );
    // Baseline (staging) admits this pod; the constraints do not.
    let body = br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "e2e-1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "name": "web", "namespace": "staging", "operation": "CREATE", "userInfo": {"username": "alice"},
        "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "staging"},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}"#;
    let (status, reply) = common::validate(&served, body.to_vec());
    assert_eq!(status, 200);
    let response = &reply["response"];
    assert_eq!(response["allowed"], false);
    assert_eq!(response["status"]["code"], 403);
    assert_eq!(
        response["status"]["message"],
        "[containers-must-set-limits] container <web> has no cpu limit\n[containers-must-set-limits] container <web> has no memory limit\n[containers-must-run-as-non-root] container <web> may run as root: set securityContext.runAsNonRoot: true or a non-zero runAsUser"
    );
    // Pod Security's restricted warning for staging comes first.
    assert!(
        response["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("would violate PodSecurity \"restricted:latest\"")
    );
    let _ = fs::remove_dir_all(&served.dir);
}

#[test]
fn serve_refuses_to_start_with_a_policy_it_cannot_enforce() {
    let dir = tempdir("serve-bad");
    fs::write(
        dir.join("orphan.yaml"),
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: NoSuchKind\nmetadata:\n  name: orphan\n",
    )
    .unwrap();
    let output = palisade(&[
        "serve",
        "--tls-cert",
        "/nonexistent.crt",
        "--tls-key",
        "/nonexistent.key",
        "--namespace-labels",
        "a=b=c",
        "--policies",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("orphan.yaml:1:1")
            && text.contains("no ConstraintTemplate defines kind NoSuchKind"),
        "{text}"
    );
}

#[test]
fn scan_applies_validating_admission_policies_with_one_rule_id_per_binding() {
    let output = palisade(&[
        "scan",
        "examples/",
        "--policies",
        "policy-examples/vap",
        "--analyzers",
        "vap",
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    let mut seen: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["rule"].as_str().unwrap(),
                f["object"]["name"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            "vap/require-memory-limits/require-memory-limits orders-db containers without a memory limit: postgres",
            "vap/require-memory-limits/require-memory-limits storefront containers without a memory limit: web",
            "vap/require-memory-limits/require-memory-limits storefront-hardened containers without a memory limit: web",
        ]
    );
}

#[test]
fn admit_answers_for_validating_admission_policies_as_the_api_server() {
    let dir = tempdir("vap-admit");
    fs::write(
        dir.join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\n  namespace: shop\nspec:\n  replicas: 5\n  selector:\n    matchLabels: {app: big}\n  template:\n    metadata:\n      labels: {app: big}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        resources:\n          limits: {cpu: 100m}\n",
    )
    .unwrap();
    let output = palisade(&[
        "admit",
        "-f",
        dir.join("deploy.yaml").to_str().unwrap(),
        "--namespace-labels",
        "shop=team=a",
        "--policies",
        "policy-examples/vap",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let response = &json_of(&output)["response"];
    assert_eq!(response["status"]["code"], 422);
    assert_eq!(response["status"]["reason"], "Invalid");
    assert_eq!(
        response["status"]["message"],
        "ValidatingAdmissionPolicy 'require-memory-limits' with binding 'require-memory-limits' denied request: containers without a memory limit: web"
    );
    assert_eq!(
        response["warnings"],
        serde_json::json!([
            "Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-shop': replicas 5 exceed the ceiling of 2"
        ])
    );
    let audit =
        response["auditAnnotations"]["validation.policy.admission.k8s.io.validation_failure"]
            .as_str()
            .expect("the Audit action records the failure");
    assert!(
        audit.contains("\"binding\":\"max-replicas-shop\""),
        "{audit}"
    );

    // Without its params, a binding with parameterNotFoundAction Deny refuses everything.
    fs::write(
        dir.join("policy.yaml"),
        fs::read_to_string(common::repo_root().join("policy-examples/vap/max-replicas.yaml"))
            .unwrap()
            .split("\n---\napiVersion: v1\nkind: ConfigMap")
            .next()
            .unwrap(),
    )
    .unwrap();
    let output = palisade(&[
        "admit",
        "-f",
        dir.join("deploy.yaml").to_str().unwrap(),
        "--namespace-labels",
        "shop=team=a",
        "--policies",
        dir.join("policy.yaml").to_str().unwrap(),
    ]);
    let response = &json_of(&output)["response"];
    assert_eq!(response["allowed"], false, "{response}");
    let message = response["status"]["message"].as_str().unwrap();
    assert!(message.contains("no params found"), "{message}");
}

#[test]
fn verify_reports_expansion_as_unsupported_instead_of_judging_other_objects() {
    let dir = tempdir("verify-expansion");
    let root = common::repo_root();
    let policies = root.join("policy-examples/policies");
    fs::write(
        dir.join("suite.yaml"),
        format!(
            "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n- name: expanded\n  template: {t}\n  constraint: {c}\n  expansion: expansion.yaml\n  cases:\n  - name: deployment\n    object: {o}\n",
            t = policies.join("container-limits-template.yaml").display(),
            c = policies.join("container-limits-constraint.yaml").display(),
            o = root.join("policy-examples/tests/samples/deployment-cpu-only.yaml").display(),
        ),
    )
    .unwrap();
    let output = palisade(&["policy", "verify", dir.to_str().unwrap(), "-o", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["passed"], 0);
    assert!(
        summary["failed"][0]["why"]
            .as_str()
            .unwrap()
            .contains("expansion")
    );
}
