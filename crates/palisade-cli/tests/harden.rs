//! `palisade harden` end to end through the other commands: the generated
//! policies decide admission (each engine), the NetworkPolicies decide
//! reachability, the RBAC decides access, and the folder rules (refusing a
//! foreign folder, removing stale files) hold.

mod common;

use std::path::Path;

use common::palisade;

const PROFILE: &str = "examples/challenge/profile.yaml";

fn harden_into(dir: &Path, engine: &str) {
    let out = palisade(&[
        "harden",
        "--profile",
        PROFILE,
        "-o",
        &dir.display().to_string(),
        "--policy-engine",
        engine,
        "-q",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

const ROOT_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: root, namespace: NS}\nspec:\n  securityContext: {runAsUser: 0}\n  containers: [{name: app, image: nginx}]\n";
const HARDENED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, namespace: NS}\nspec:\n  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}\n  containers:\n    - name: app\n      image: nginx\n      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n";

/// `palisade admit` of one pod against the generated namespaces and policies:
/// the exit status and the response text.
fn admit(dir: &Path, pod: &str, namespace: &str) -> (Option<i32>, String) {
    let file = dir.join(format!("pod-{namespace}.json"));
    write(&file, &pod.replace("NS", namespace));
    let out = palisade(&[
        "admit",
        "-f",
        &file.display().to_string(),
        "-f",
        &dir.join("namespaces.yaml").display().to_string(),
        "--policies",
        &dir.join("policies").display().to_string(),
    ]);
    std::fs::remove_file(&file).unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn each_engine_rejects_a_root_pod_and_admits_a_hardened_one() {
    for engine in ["gatekeeper", "kyverno", "vap"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        harden_into(dir.path(), engine);
        // dev enforces baseline, which lets a root pod through: the policy rejects it.
        let (code, text) = admit(dir.path(), ROOT_POD, "dev");
        assert_eq!(code, Some(1), "{engine}: {text}");
        assert!(text.contains("run-as-non-root"), "{engine}: {text}");
        // (dev warns at restricted: the response carries "would violate" warnings, no denial.)
        assert!(!text.contains("violates PodSecurity"), "{engine}: {text}");
        assert!(
            text.contains("would violate PodSecurity"),
            "{engine}: {text}"
        );
        // production enforces restricted: Pod Security rejects it first, with upstream's words.
        let (code, text) = admit(dir.path(), ROOT_POD, "production");
        assert_eq!(code, Some(1), "{engine}: {text}");
        assert!(
            text.contains("violates PodSecurity \\\"restricted:latest\\\""),
            "{engine}: {text}"
        );
        for namespace in ["dev", "staging", "production"] {
            let (code, text) = admit(dir.path(), HARDENED_POD, namespace);
            assert_eq!(code, Some(0), "{engine} {namespace}: {text}");
        }
    }
}

/// The risks the challenge profile accepts on the deployer's grant, and only those.
const ACCEPTED: [&str; 4] = [
    "rbac/del-resources",
    "rbac/wl-controllers",
    "rbac/wl-create-pods",
    "rbac/wl-modify-pods",
];

#[test]
fn the_scan_of_the_baseline_reports_nothing_at_or_above_medium_for_each_engine() {
    for engine in ["gatekeeper", "kyverno", "vap"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        harden_into(dir.path(), engine);
        let root = dir.path().display().to_string();
        let policies = dir.path().join("policies").display().to_string();
        // Every analyzer, netpol and rbac included.
        let out = palisade(&[
            "scan",
            &root,
            "--policies",
            &policies,
            "--show-suppressed",
            "-o",
            "json",
            "--fail-on",
            "medium",
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{engine}: {stdout}");
        let report: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{engine}: {e}: {stdout}"));
        let findings = report["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("{engine}: no findings array: {stdout}"));
        let severe = |f: &&serde_json::Value| {
            matches!(f["severity"].as_str(), Some("medium" | "high" | "critical"))
        };
        let open: Vec<&serde_json::Value> = findings
            .iter()
            .filter(|f| f.get("suppressed").is_none())
            .filter(severe)
            .collect();
        assert!(open.is_empty(), "{engine}: {open:#?}");
        // What is suppressed is exactly what the profile accepts, on the
        // deployer's RoleBinding, with the profile's reason.
        let mut suppressed: Vec<&str> = findings
            .iter()
            .filter(|f| f.get("suppressed").is_some())
            .map(|f| {
                assert_eq!(f["object"]["kind"], "RoleBinding", "{engine}: {f:#}");
                assert_eq!(f["object"]["name"], "deployer", "{engine}: {f:#}");
                assert_eq!(f["suppressed"]["by"], "annotation", "{engine}: {f:#}");
                let rule = f["rule"].as_str().unwrap_or("");
                let at = f["suppressed"]["at"].as_str().unwrap_or("");
                let key = format!("ignore.palisade.dev/{}", rule.replace('/', "."));
                assert!(at.ends_with(&key), "{engine}: {f:#}");
                let reason = f["suppressed"]["reason"].as_str().unwrap_or("");
                assert!(reason.contains("pipeline"), "{engine}: {f:#}");
                rule
            })
            .collect();
        suppressed.sort_unstable();
        assert_eq!(suppressed, ACCEPTED, "{engine}");
        assert_eq!(report["summary"]["suppressed"], ACCEPTED.len(), "{engine}");
    }
}

/// Without its accepted risks the same grant is reported: the annotations
/// are what keeps the scan clean, not a blind spot of the analysis.
#[test]
fn the_deployer_grant_is_reported_when_the_profile_accepts_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(common::repo_root().join(PROFILE))
        .unwrap_or_else(|e| panic!("{e}"));
    let start = text
        .find("    acceptedRisks:")
        .unwrap_or_else(|| panic!("the challenge profile accepts no risks"));
    let end = text[start..]
        .find("\nnetwork:")
        .map_or(text.len(), |i| start + i);
    let profile = dir.path().join("profile.yaml");
    write(&profile, &format!("{}{}", &text[..start], &text[end..]));
    let out_dir = dir.path().join("out");
    let out = palisade(&[
        "harden",
        "--profile",
        &profile.display().to_string(),
        "-o",
        &out_dir.display().to_string(),
        "-q",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = palisade(&[
        "scan",
        &out_dir.display().to_string(),
        "--analyzers",
        "rbac",
        "-o",
        "json",
        "--fail-on",
        "medium",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let mut rules: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    rules.sort_unstable();
    assert_eq!(rules, ACCEPTED);
}

#[test]
fn the_network_policies_let_only_the_ingress_controller_reach_web() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    harden_into(dir.path(), "gatekeeper");
    write(
        &dir.path().join("workloads.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: production}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: web:1, ports: [{containerPort: 8080}]}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: production}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: production}\nspec:\n  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\nspec:\n  selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}\n  template:\n    metadata: {labels: {app.kubernetes.io/name: ingress-nginx}}\n    spec: {containers: [{name: controller, image: nginx:1}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: client, namespace: dev}\nspec:\n  selector: {matchLabels: {app: client}}\n  template:\n    metadata: {labels: {app: client}}\n    spec: {containers: [{name: client, image: curl:1}]}\n",
    );
    let root = dir.path().display().to_string();
    let reach = |from: &str| {
        palisade(&[
            "netpol",
            "reach",
            "-f",
            &root,
            "--from",
            from,
            "--ingress-controller",
            "ingress-nginx/app.kubernetes.io/name=ingress-nginx",
            "--to",
            "production/web",
            "--port",
            "8080",
        ])
    };
    let allowed = reach("ingress-controller");
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&allowed.stdout)
    );
    let denied = reach("dev/client");
    assert_eq!(
        denied.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&denied.stdout)
    );
}

#[test]
fn developers_may_only_view_pods_and_logs_in_staging() {
    let dir = "examples/challenge/generated";
    let can = |verb: &str, resource: &str, namespace: &str| {
        palisade(&[
            "rbac",
            "can-i",
            verb,
            resource,
            "-n",
            namespace,
            "--as",
            "alice",
            "--as-group",
            "developers",
            "-f",
            dir,
        ])
        .status
        .code()
    };
    assert_eq!(can("get", "pods/log", "staging"), Some(0));
    assert_eq!(can("list", "pods", "staging"), Some(0));
    assert_eq!(can("get", "pods/log", "production"), Some(1));
    assert_eq!(can("create", "pods", "staging"), Some(1));
    assert_eq!(can("get", "secrets", "staging"), Some(1));
}

#[test]
fn a_foreign_folder_is_refused_and_stale_files_are_removed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(&dir.path().join("mine.yaml"), "kind: ConfigMap\n");
    let out = palisade(&[
        "harden",
        "--profile",
        PROFILE,
        "-o",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert!(!dir.path().join("namespaces.yaml").exists());

    let fresh = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    harden_into(fresh.path(), "gatekeeper");
    let gatekeeper_only = fresh.path().join("policies/run-as-non-root.yaml");
    let before = std::fs::read_to_string(&gatekeeper_only).unwrap_or_default();
    assert!(before.contains("ConstraintTemplate"));
    harden_into(fresh.path(), "kyverno");
    let after = std::fs::read_to_string(&gatekeeper_only).unwrap_or_default();
    assert!(after.contains("ClusterPolicy") && !after.contains("ConstraintTemplate"));
}

#[test]
fn a_profile_error_names_its_place_and_exits_2() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let profile = dir.path().join("p.yaml");
    write(
        &profile,
        "apiVersion: palisade.dev/v1alpha1\nkind: HardeningProfile\nnamespace: []\n",
    );
    let out = palisade(&["harden", "--profile", &profile.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("p.yaml:3:1: unknown field `namespace`"),
        "{stderr}"
    );
}

/// Hardens `profile` (its text) into `dir`, then runs `palisade test` of the
/// generated expectations against the generated manifests: the test's exit
/// status, its report and the expectations file.
fn harden_and_test(dir: &Path, profile: &str) -> (Option<i32>, String, String) {
    let profile_file = dir.join("profile.yaml");
    write(&profile_file, profile);
    let out_dir = dir.join("out");
    let out = palisade(&[
        "harden",
        "--profile",
        &profile_file.display().to_string(),
        "-o",
        &out_dir.display().to_string(),
        "-q",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expect = out_dir.join("expectations.yaml");
    let out = palisade(&[
        "test",
        "--expect",
        &expect.display().to_string(),
        "-f",
        &out_dir.display().to_string(),
    ]);
    let expectations = std::fs::read_to_string(&expect).unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        expectations,
    )
}

const PROFILE_HEAD: &str = "apiVersion: palisade.dev/v1alpha1\nkind: HardeningProfile\nnamespaces: [{name: dev}, {name: staging}]\n";

#[test]
fn a_cannot_expectation_skips_what_another_grant_of_the_subject_gives() {
    // get pods and create pods, in two grants for one group: the first must
    // not expect "cannot create pods", which the second grants.
    let profile = format!(
        "{PROFILE_HEAD}access:\n  - name: read\n    subjects: [group:devs]\n    namespaces: [dev]\n    verbs: [get]\n    resources: [pods]\n  - name: launch\n    subjects: [group:devs]\n    namespaces: [dev]\n    verbs: [create]\n    resources: [pods]\n"
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (code, report, expectations) = harden_and_test(dir.path(), &profile);
    assert_eq!(code, Some(0), "{report}");
    assert!(
        !expectations.contains("group devs cannot create pods in dev"),
        "{expectations}"
    );
    // The write neither grant gives is still expected refused.
    assert!(
        expectations.contains("group devs cannot delete pods in dev"),
        "{expectations}"
    );
}

#[test]
fn custom_resource_grants_are_left_out_of_the_expectations_with_a_comment() {
    let profile = format!(
        "{PROFILE_HEAD}access:\n  - name: widgets\n    subjects: [group:devs]\n    namespaces: [dev]\n    verbs: [get, list]\n    resources: [widgets.example.com, pods]\n"
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (code, report, expectations) = harden_and_test(dir.path(), &profile);
    assert_eq!(code, Some(0), "{report}");
    let body: String = expectations
        .lines()
        .filter(|line| !line.starts_with('#'))
        .collect();
    assert!(!body.contains("widgets.example.com"), "{expectations}");
    // The built-in resource of the same grant is still tested.
    assert!(
        body.contains("group devs can get pods in dev"),
        "{expectations}"
    );
    assert!(
        expectations.contains("# - grant widgets: no can/cannot for widgets.example.com"),
        "{expectations}"
    );
    assert!(
        expectations.contains("# - no `only` for group devs"),
        "{expectations}"
    );
}

/// `kubectl debug`'s request: an UPDATE of the pods/ephemeralcontainers
/// subresource of a compliant pod in dev, adding an ephemeral container that
/// runs as root.
fn ephemeral_root_review() -> serde_json::Value {
    let pod = |ephemeral: serde_json::Value| {
        serde_json::json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "namespace": "dev"},
            "spec": {
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000},
                "containers": [{"name": "app", "image": "nginx"}],
                "ephemeralContainers": ephemeral
            }
        })
    };
    serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "5b0f1e7c-3a52-4c36-9d0e-7f1f2c3d4e5f",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "subResource": "ephemeralcontainers",
            "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
            "requestResource": {"group": "", "version": "v1", "resource": "pods"},
            "requestSubResource": "ephemeralcontainers",
            "name": "web",
            "namespace": "dev",
            "operation": "UPDATE",
            "userInfo": {"username": "alice"},
            "object": pod(serde_json::json!([{
                "name": "debugger",
                "image": "busybox",
                "securityContext": {"runAsUser": 0}
            }])),
            "oldObject": pod(serde_json::json!([])),
            "dryRun": false
        }
    })
}

#[test]
fn each_engine_denies_a_root_ephemeral_container_added_by_an_update() {
    for engine in ["gatekeeper", "kyverno", "vap"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        harden_into(dir.path(), engine);
        let review = dir.path().join("review.json");
        write(&review, &ephemeral_root_review().to_string());
        let out = palisade(&[
            "admit",
            "-f",
            &review.display().to_string(),
            "-f",
            &dir.path().join("namespaces.yaml").display().to_string(),
            "--policies",
            &dir.path().join("policies").display().to_string(),
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{engine}: {text}");
        let response: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{engine}: {e}: {text}"));
        assert_eq!(response["response"]["allowed"], false, "{engine}: {text}");
        let message = response["response"]["status"]["message"]
            .as_str()
            .unwrap_or("");
        assert!(message.contains("run-as-non-root"), "{engine}: {message}");
        // dev enforces baseline, which allows root: the policy decides.
        assert!(
            !message.contains("violates PodSecurity"),
            "{engine}: {message}"
        );
    }
}
