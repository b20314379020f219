//! Kyverno policies from the command line: `policy verify` on kyverno test
//! files, `scan --policies`, `admit --policies` and `serve --policies`, on
//! the bundled example (`policy-examples/kyverno`).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{json_of, palisade, palisade_with_stdin};
use serde_json::{Value, json};

const EXAMPLE: &str = "policy-examples/kyverno";
const RESOURCES: &str = "policy-examples/kyverno/tests/resources.yaml";

/// A ClusterPolicy whose one rule mutates: Palisade does not run it.
const MUTATING_POLICY: &str = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: add-team-label\nspec:\n  rules:\n  - name: add-team\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n    mutate:\n      patchStrategicMerge:\n        metadata:\n          labels:\n            team: shop\n";

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn tempdir(name: &str) -> PathBuf {
    common::tempdir("palisade-kyverno-test", name)
}

fn path(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 temp dir")
}

/// A copy of the example's policies and resources in `dir`, with `test` as
/// its `tests/kyverno-test.yaml`.
fn example_copy(dir: &Path, test: &str) {
    let root = common::repo_root().join(EXAMPLE);
    fs::create_dir_all(dir.join("tests")).unwrap();
    for file in ["require-limits.yaml", "require-non-root.yaml"] {
        fs::copy(root.join(file), dir.join(file)).unwrap();
    }
    fs::copy(
        root.join("tests/resources.yaml"),
        dir.join("tests/resources.yaml"),
    )
    .unwrap();
    fs::write(dir.join("tests/kyverno-test.yaml"), test).unwrap();
}

const TEST_HEADER: &str = "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: NAME\npolicies:\n- ../require-limits.yaml\n- ../require-non-root.yaml\nresources:\n- resources.yaml\nresults:\n";

fn test_file(name: &str, results: &str) -> String {
    format!("{}{results}", TEST_HEADER.replace("NAME", name))
}

// ---------------------------------------------------------------- verify

#[test]
fn verify_runs_the_kyverno_example_with_exact_counts() {
    let output = palisade(&["policy", "verify", EXAMPLE, "-o", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = json_of(&output);
    // 3 + 2 + 3 + 2 (result entry, resource) pairs.
    assert_eq!(summary["cases"], 10, "{summary}");
    assert_eq!(summary["passed"], 10, "{summary}");
    assert_eq!(summary["failed"], json!([]));
    assert_eq!(summary["unsupported"], json!([]));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.find("\"cases\"") < text.find("\"passed\"")
            && text.find("\"passed\"") < text.find("\"failed\"")
            && text.find("\"failed\"") < text.find("\"unsupported\""),
        "{text}"
    );

    // The text form names every case and sums up.
    let output = palisade(&["policy", "verify", EXAMPLE]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("ok    ") && text.contains("require-limits/require-limits/web"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("1 suites, 10 cases: 10 passed, 0 failed, 0 unsupported tests"),
        "{text}"
    );
}

#[test]
fn verify_takes_a_kyverno_test_file_named_on_the_command_line() {
    // Named as a file, it is not also read (and failed) as a Gatekeeper suite.
    let output = palisade(&[
        "policy",
        "verify",
        "policy-examples/kyverno/tests/kyverno-test.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["cases"], 10, "{summary}");
    assert_eq!(summary["passed"], 10, "{summary}");
    assert_eq!(summary["failed"], json!([]));

    // Next to a Gatekeeper suite file, both run: 11 + 10 cases.
    let output = palisade(&[
        "policy",
        "verify",
        "policy-examples/tests/suite.yaml",
        "policy-examples/kyverno/tests/kyverno-test.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["cases"], 21, "{summary}");
    assert_eq!(summary["passed"], 21, "{summary}");
}

#[test]
fn verify_fails_a_flipped_expectation_and_names_the_case() {
    let dir = tempdir("flipped");
    // `hardened` passes require-limits; the test now says it fails.
    example_copy(
        &dir,
        &test_file(
            "flipped",
            "- policy: require-limits\n  rule: require-limits\n  resources: [hardened]\n  result: fail\n- policy: require-limits\n  rule: require-limits\n  resources: [root-no-limits, web]\n  result: fail\n",
        ),
    );
    let output = palisade(&["policy", "verify", path(&dir), "-o", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["cases"], 3, "{summary}");
    assert_eq!(summary["passed"], 2, "{summary}");
    let failed = summary["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{summary}");
    assert_eq!(failed[0]["case"], "require-limits/require-limits/hardened");
    assert_eq!(failed[0]["test"], "flipped");
    assert!(
        failed[0]["suite"]
            .as_str()
            .unwrap()
            .ends_with("kyverno-test.yaml")
    );
    assert_eq!(
        failed[0]["why"],
        "expected fail; Pod hardened: rule require-limits gave pass"
    );
}

#[test]
fn verify_reports_a_mutating_test_as_unsupported_and_does_not_count_it() {
    let dir = tempdir("mutate");
    example_copy(
        &dir,
        &test_file(
            "validating",
            "- policy: require-non-root\n  rule: run-as-non-root\n  resources: [hardened]\n  result: pass\n",
        ),
    );
    fs::create_dir_all(dir.join("mutate")).unwrap();
    fs::write(dir.join("mutate/policy.yaml"), MUTATING_POLICY).unwrap();
    fs::write(
        dir.join("mutate/kyverno-test.yaml"),
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: mutates\npolicies:\n- policy.yaml\nresources:\n- ../tests/resources.yaml\nresults:\n- policy: add-team-label\n  rule: add-team\n  resources: [hardened]\n  patchedResources: patched.yaml\n  kind: Pod\n  result: pass\n",
    )
    .unwrap();
    let output = palisade(&["policy", "verify", path(&dir), "-o", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = json_of(&output);
    // Only the validating test's one case counts.
    assert_eq!(summary["cases"], 1, "{summary}");
    assert_eq!(summary["passed"], 1, "{summary}");
    assert_eq!(summary["failed"], json!([]));
    let unsupported = summary["unsupported"].as_array().unwrap();
    assert_eq!(unsupported.len(), 1, "{summary}");
    assert!(
        unsupported[0]["suite"]
            .as_str()
            .unwrap()
            .ends_with("mutate/kyverno-test.yaml"),
        "{summary}"
    );
    let why = unsupported[0]["why"].as_str().unwrap();
    assert!(
        why.contains("add-team-label") && why.contains("add-team") && why.contains("mutates"),
        "{why}"
    );
}

#[test]
fn verify_that_runs_only_unsupported_tests_is_not_a_pass() {
    let dir = tempdir("only-mutate");
    fs::write(dir.join("policy.yaml"), MUTATING_POLICY).unwrap();
    fs::write(
        dir.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
    )
    .unwrap();
    fs::write(
        dir.join("kyverno-test.yaml"),
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: mutates\npolicies:\n- policy.yaml\nresources:\n- pod.yaml\nresults:\n- policy: add-team-label\n  rule: add-team\n  resources: [p]\n  patchedResources: patched.yaml\n  kind: Pod\n  result: pass\n",
    )
    .unwrap();
    let output = palisade(&["policy", "verify", path(&dir), "-o", "json"]);
    // Nothing was verified: the run must not read as a success.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["cases"], 0, "{summary}");
    assert_eq!(summary["unsupported"].as_array().map(Vec::len), Some(1));
}

#[test]
fn verify_fails_an_expectation_that_no_rule_answers() {
    // kyverno test passes an expectation whose rule never matched the
    // resource; Palisade's strict scoring fails it and says why.
    let dir = tempdir("no-response");
    example_copy(
        &dir,
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: no-response\npolicies:\n- ../services.yaml\nresources:\n- resources.yaml\nresults:\n- policy: services-need-owner\n  rule: owner-label\n  resources: [hardened]\n  result: pass\n",
    );
    fs::write(
        dir.join("services.yaml"),
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: services-need-owner\nspec:\n  validationFailureAction: Audit\n  rules:\n  - name: owner-label\n    match:\n      any:\n      - resources:\n          kinds: [Service]\n    validate:\n      message: Services need an owner label.\n      pattern:\n        metadata:\n          labels:\n            owner: \"?*\"\n",
    )
    .unwrap();
    let output = palisade(&["policy", "verify", path(&dir), "-o", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["cases"], 1, "{summary}");
    assert_eq!(summary["passed"], 0, "{summary}");
    assert_eq!(
        summary["failed"][0]["case"],
        "services-need-owner/owner-label/hardened"
    );
    let why = summary["failed"][0]["why"].as_str().unwrap();
    assert!(
        why.contains("Pod hardened: no response from the policy")
            && why.contains("kyverno test would count this as passed"),
        "{why}"
    );
}

// ------------------------------------------------------------------ scan

fn scan_findings(args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let output = palisade(args);
    let report = json_of(&output);
    let findings = report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("findings: {report}"))
        .clone();
    (output.status.code(), findings)
}

/// `rule object-name severity enforced-by` per Kyverno finding, sorted.
fn kyverno_summary(findings: &[Value]) -> Vec<String> {
    let mut seen: Vec<String> = findings
        .iter()
        .filter(|f| f["rule"].as_str().unwrap_or("").starts_with("kyverno/"))
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["rule"].as_str().unwrap(),
                f["object"]["name"].as_str().unwrap_or("-"),
                f["severity"].as_str().unwrap(),
                f["enforcedBy"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    seen.sort();
    seen
}

#[test]
fn scan_reports_kyverno_rules_with_their_ids_severities_and_enforcement() {
    let (code, findings) = scan_findings(&["scan", "--policies", EXAMPLE, RESOURCES, "-o", "json"]);
    assert_eq!(code, Some(1));
    // Severities are the policies' policies.kyverno.io/severity (medium,
    // high); the Deployment's rule is the autogen one; hardened and
    // nightly-report pass both policies.
    assert_eq!(
        kyverno_summary(&findings),
        [
            "kyverno/require-limits/autogen-require-limits web medium require-limits/autogen-require-limits",
            "kyverno/require-limits/require-limits root-no-limits medium require-limits/require-limits",
            "kyverno/require-non-root/run-as-non-root container-opts-out high require-non-root/run-as-non-root",
            "kyverno/require-non-root/run-as-non-root root-no-limits high require-non-root/run-as-non-root",
        ]
    );
    let web = findings
        .iter()
        .find(|f| f["rule"] == "kyverno/require-limits/autogen-require-limits")
        .unwrap();
    assert_eq!(web["object"]["kind"], "Deployment");
    assert_eq!(web["file"], RESOURCES);
    // At the field that failed, or its nearest parent that exists: the
    // container's `limits` (memory is missing).
    assert_eq!(web["line"], 59);
    let message = web["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "validation error: Every container needs resources.limits.cpu and resources.limits.memory. rule autogen-require-limits failed at path /spec/template/spec/containers/0/resources/limits/memory/"
        ),
        "{message}"
    );
    // Other analyzers ran too.
    assert!(findings.iter().any(|f| f["rule"] == "pss/runAsNonRoot"));

    // --analyzers kyverno keeps exactly the Kyverno findings.
    let (code, only) = scan_findings(&[
        "scan",
        "--policies",
        EXAMPLE,
        RESOURCES,
        "--analyzers",
        "kyverno",
        "-o",
        "json",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(only.len(), 4, "{only:?}");
    assert_eq!(kyverno_summary(&only), kyverno_summary(&findings));

    // One policy's rules by id prefix.
    let (_, one) = scan_findings(&[
        "scan",
        "--policies",
        EXAMPLE,
        RESOURCES,
        "--analyzers",
        "kyverno/require-non-root/*",
        "-o",
        "json",
    ]);
    let rules: Vec<&str> = one.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        [
            "kyverno/require-non-root/run-as-non-root",
            "kyverno/require-non-root/run-as-non-root"
        ]
    );
}

#[test]
fn scan_of_the_policy_files_with_the_same_policies_reports_each_failure_once() {
    // The scanned directory holds the policies that --policies names too.
    let (code, findings) = scan_findings(&[
        "scan",
        EXAMPLE,
        "--policies",
        EXAMPLE,
        "--analyzers",
        "kyverno",
        "-o",
        "json",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(findings.len(), 4, "{findings:?}");
    let (_, once) = scan_findings(&[
        "scan",
        "--policies",
        EXAMPLE,
        RESOURCES,
        "--analyzers",
        "kyverno",
        "-o",
        "json",
    ]);
    assert_eq!(kyverno_summary(&findings), kyverno_summary(&once));
}

#[test]
fn scan_without_kyverno_policies_has_no_kyverno_findings() {
    let (code, findings) =
        scan_findings(&["scan", RESOURCES, "--analyzers", "kyverno", "-o", "json"]);
    assert_eq!(code, Some(0));
    assert_eq!(findings, Vec::<Value>::new());
}

const BROKEN_POLICY: &str = "# a rule without a match block\napiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: no-match\nspec:\n  rules:\n  - name: orphan\n    validate:\n      message: x\n      pattern:\n        metadata:\n          name: \"?*\"\n";

#[test]
fn a_broken_kyverno_policy_is_a_load_error_finding_at_its_line() {
    let dir = tempdir("scan-broken");
    fs::write(dir.join("broken.yaml"), BROKEN_POLICY).unwrap();
    let broken = dir.join("broken.yaml");
    // From --policies and from the scanned input alike: a finding, not a
    // silent pass.
    for args in [
        vec!["scan", "--policies", path(&dir), RESOURCES],
        vec!["scan", broken.to_str().unwrap(), RESOURCES],
    ] {
        let mut args = args;
        args.extend(["--analyzers", "kyverno", "-o", "json"]);
        let (code, findings) = scan_findings(&args);
        assert_eq!(code, Some(1), "{args:?}");
        assert_eq!(findings.len(), 1, "{findings:?}");
        let finding = &findings[0];
        assert_eq!(finding["rule"], "kyverno/load-error");
        assert_eq!(finding["severity"], "high");
        assert_eq!(finding["file"], broken.to_str().unwrap());
        assert_eq!(finding["line"], 2);
        assert_eq!(
            finding["message"],
            "ClusterPolicy no-match: rule \"orphan\": the rule has no match block"
        );
    }
}

// ----------------------------------------------------------------- admit

const VIOLATING_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: root-no-limits\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: registry.example/shop:2.1\n";

const COMPLIANT_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hardened\n  namespace: shop\nspec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: app\n    image: registry.example/shop:2.1\n    resources:\n      limits: {cpu: 500m, memory: 256Mi}\n";

fn admit(policies: &str, object: &str) -> std::process::Output {
    palisade_with_stdin(
        &[
            "admit",
            "-f",
            "-",
            "--namespace-labels",
            "shop=team=shop",
            "--policies",
            policies,
        ],
        object,
    )
}

#[test]
fn admit_denies_a_violating_pod_with_kyvernos_message() {
    let output = admit(EXAMPLE, VIOLATING_POD);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let response = &json_of(&output)["response"];
    assert_eq!(response["allowed"], false);
    assert_eq!(response["status"]["code"], 403);
    assert_eq!(response["status"]["reason"], "Forbidden");
    assert_eq!(
        response["status"]["message"],
        "\n\nresource Pod/shop/root-no-limits was blocked due to the following policies \n\n\
         require-limits:\n  require-limits: 'validation error: Every container needs resources.limits.cpu and\n    resources.limits.memory. rule require-limits failed at path /spec/containers/0/resources/'\n\
         require-non-root:\n  run-as-non-root: 'validation error: Set runAsNonRoot to true on the pod or on every\n    container. rule run-as-non-root[0] failed at path /spec/securityContext/ rule\n    run-as-non-root[1] failed at path /spec/containers/0/securityContext/'\n"
    );
    assert_eq!(response.get("warnings"), None, "{response}");
}

#[test]
fn admit_denies_a_deployment_by_the_autogen_rule() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: registry.example/web:1.0\n        securityContext:\n          runAsNonRoot: true\n        resources:\n          limits: {cpu: 250m}\n";
    let output = admit(EXAMPLE, deployment);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = json_of(&output)["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.starts_with(
            "\n\nresource Deployment/shop/web was blocked due to the following policies \n\nrequire-limits:\n  autogen-require-limits: "
        ),
        "{message}"
    );
    assert!(!message.contains("require-non-root"), "{message}");
}

#[test]
fn admit_allows_a_compliant_pod() {
    let output = admit(EXAMPLE, COMPLIANT_POD);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let response = &json_of(&output)["response"];
    assert_eq!(response["allowed"], true);
    assert_eq!(response.get("status"), None, "{response}");
    assert_eq!(response.get("warnings"), None, "{response}");
}

#[test]
fn admit_warns_for_an_audit_policy_instead_of_denying() {
    let dir = tempdir("audit");
    fs::write(
        dir.join("audit.yaml"),
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: require-team-label\nspec:\n  validationFailureAction: Audit\n  emitWarning: true\n  rules:\n  - name: team-label\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n    validate:\n      message: Pods need a team label.\n      pattern:\n        metadata:\n          labels:\n            team: \"?*\"\n",
    )
    .unwrap();
    let output = admit(path(&dir), VIOLATING_POD);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let response = &json_of(&output)["response"];
    assert_eq!(response["allowed"], true);
    assert_eq!(response.get("status"), None, "{response}");
    let warnings = response["warnings"].as_array().expect("a warning");
    assert_eq!(warnings.len(), 1, "{response}");
    assert_eq!(
        warnings[0],
        "policy require-team-label.team-label: validation error: Pods need a team label. rule team-label failed at path /metadata/labels/"
    );
}

#[test]
fn admit_refuses_to_run_with_a_broken_kyverno_policy() {
    let dir = tempdir("admit-broken");
    fs::write(dir.join("broken.yaml"), BROKEN_POLICY).unwrap();
    let output = admit(path(&dir), COMPLIANT_POD);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains(
            "broken.yaml:2:1: ClusterPolicy no-match: rule \"orphan\": the rule has no match block"
        ),
        "{text}"
    );
}

// ----------------------------------------------------------------- serve

#[cfg(unix)]
fn pod_review(uid: &str, pod: Value) -> Vec<u8> {
    let name = pod["metadata"]["name"].clone();
    serde_json::to_vec(&json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "name": name, "namespace": "shop", "operation": "CREATE",
            "userInfo": {"username": "alice"},
            "object": pod,
        }
    }))
    .unwrap()
}

#[cfg(unix)]
#[test]
fn serve_enforces_kyverno_policies_over_https() {
    let served = common::serve(
        "kyverno-serve",
        &[
            "--namespace-labels",
            "shop=team=shop",
            "--policies",
            EXAMPLE,
        ],
    );
    let denied = pod_review(
        "kyverno-1",
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "root-no-limits", "namespace": "shop"},
               "spec": {"containers": [{"name": "app", "image": "registry.example/shop:2.1",
                        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}}),
    );
    let (status, reply) = common::validate(&served, denied);
    assert_eq!(status, 200);
    let response = &reply["response"];
    assert_eq!(response["uid"], "kyverno-1");
    assert_eq!(response["allowed"], false, "{response}");
    assert_eq!(response["status"]["code"], 403);
    // Only require-non-root fails: the pod has limits.
    assert_eq!(
        response["status"]["message"],
        "\n\nresource Pod/shop/root-no-limits was blocked due to the following policies \n\nrequire-non-root:\n  run-as-non-root: 'validation error: Set runAsNonRoot to true on the pod or on every\n    container. rule run-as-non-root[0] failed at path /spec/securityContext/ rule\n    run-as-non-root[1] failed at path /spec/containers/0/securityContext/'\n"
    );

    let allowed = pod_review("kyverno-2", compliant_pod_json());
    let (status, reply) = common::validate(&served, allowed);
    assert_eq!(status, 200);
    let response = &reply["response"];
    assert_eq!(response["uid"], "kyverno-2");
    assert_eq!(response["allowed"], true, "{response}");
    assert_eq!(response.get("status"), None, "{response}");
    let _ = fs::remove_dir_all(&served.dir);
}

#[cfg(unix)]
#[test]
fn serve_refuses_to_start_with_a_broken_kyverno_policy() {
    let dir = tempdir("serve-broken");
    fs::write(dir.join("broken.yaml"), BROKEN_POLICY).unwrap();
    let output = palisade(&[
        "serve",
        "--tls-cert",
        "/nonexistent.crt",
        "--tls-key",
        "/nonexistent.key",
        "--policies",
        path(&dir),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("broken.yaml:2:1") && text.contains("the rule has no match block"),
        "{text}"
    );
}

/// [`COMPLIANT_POD`] as JSON.
#[cfg(unix)]
fn compliant_pod_json() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "hardened", "namespace": "shop"},
           "spec": {"securityContext": {"runAsNonRoot": true},
                    "containers": [{"name": "app", "image": "registry.example/shop:2.1",
                                    "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}}]}})
}
