//! The hardening challenge end to end (issue #14's acceptance test): the
//! challenge profile through `harden`, the generated folder through `scan`
//! (nothing at or above medium), `test` (every expectation holds) and
//! `simulate` (a developer's pod is refused by RBAC, the deployer's root pod by
//! Pod Security with upstream's message); then mutations: removing one
//! generated object makes the expectation that guards it fail.

mod common;

use std::path::{Path, PathBuf};

use common::palisade;

const PROFILE: &str = "examples/challenge/profile.yaml";
const REQUESTS: &str = "examples/challenge/requests";
const DEPLOYER: &str = "system:serviceaccount:production:deployer";

/// A fresh `harden` of the challenge profile into a temporary folder.
fn generated() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("generated");
    let run = palisade(&["harden", "--profile", PROFILE, "-o", &text(&out), "-q"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    (dir, out)
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `palisade test` of the folder's own expectations: exit status and output.
fn expectations(folder: &Path) -> (Option<i32>, String) {
    let expect = text(&folder.join("expectations.yaml"));
    let out = palisade(&["test", "--expect", &expect, "-f", &text(folder)]);
    (out.status.code(), stdout(&out))
}

/// The names of the expectations `palisade test` reports failed.
fn failed(report: &str) -> Vec<String> {
    report
        .lines()
        .filter_map(|line| line.strip_prefix("FAIL  "))
        .map(|line| line.split(" [").next().unwrap_or(line).to_owned())
        .collect()
}

/// `palisade simulate` of `request` as `identity` (with `groups`) against
/// the folder: exit status and report.
fn simulate(
    identity: &str,
    groups: &[&str],
    request: &str,
    folder: &Path,
) -> (Option<i32>, String) {
    let mut args = vec!["simulate", "--as", identity];
    for group in groups {
        args.extend(["--as-group", group]);
    }
    let cluster = text(folder);
    args.extend(["-f", request, "--cluster", &cluster]);
    let out = palisade(&args);
    (
        out.status.code(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

/// The YAML documents of `file` without those that contain every one of `marks`.
fn remove_documents(file: &Path, marks: &[&str]) {
    let source = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
    let documents: Vec<&str> = source.split("\n---\n").collect();
    let kept: Vec<&str> = documents
        .iter()
        .copied()
        .filter(|doc| !marks.iter().all(|mark| doc.contains(mark)))
        .collect();
    assert_eq!(
        kept.len() + 1,
        documents.len(),
        "exactly one document matches {marks:?}"
    );
    std::fs::write(file, kept.join("\n---\n")).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_generated_baseline_scans_clean_and_meets_every_expectation() {
    let (_dir, folder) = generated();
    let scan = palisade(&[
        "scan",
        &text(&folder),
        "--policies",
        &text(&folder.join("policies")),
        "--fail-on",
        "medium",
        "-q",
    ]);
    assert_eq!(
        scan.status.code(),
        Some(0),
        "{}{}",
        stdout(&scan),
        stderr(&scan)
    );

    let (code, report) = expectations(&folder);
    assert_eq!(code, Some(0), "{report}");
    assert!(failed(&report).is_empty(), "{report}");
    // The challenge's intents are among them, each passing.
    for name in [
        "group developers can get pods in staging",
        "group developers can list pods/log in staging",
        "group developers can watch pods in staging",
        "group developers cannot get pods in production",
        "group developers cannot create pods in staging",
        "group developers holds nothing but its grants",
        "a pod running as root is rejected in production by Pod Security (restricted)",
        "a pod running as root is rejected in dev by run-as-non-root",
        "a hardened pod is admitted in production",
        "a hardened pod is admitted in dev",
        "the ingress controller (app.kubernetes.io/name=ingress-nginx pods in ingress-nginx) reach app=web pods in production on 8080/TCP",
        "other pods of ingress-nginx cannot reach app=web pods in production",
        "app=web pods in production accept no connection from outside the cluster",
    ] {
        assert!(
            report
                .lines()
                .any(|line| line.starts_with(&format!("PASS  {name} ["))),
            "{name} missing or not passing:\n{report}"
        );
    }
}

#[test]
fn a_developer_creating_a_pod_in_production_is_refused_by_rbac() {
    let (_dir, folder) = generated();
    let request = format!("{REQUESTS}/developer-pod.yaml");
    let (code, report) = simulate("alice", &["developers"], &request, &folder);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains("1. RBAC: refused create pods in namespace production"),
        "{report}"
    );
    assert!(
        report.contains("2. Admission: refused (not reached: RBAC refuses first"),
        "{report}"
    );
}

#[test]
fn the_deployer_creating_a_root_pod_in_production_is_refused_by_pod_security() {
    let (_dir, folder) = generated();
    let request = format!("{REQUESTS}/root-pod.yaml");
    let (code, report) = simulate(DEPLOYER, &[], &request, &folder);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains("1. RBAC: allowed create pods in namespace production"),
        "{report}"
    );
    // The API server's PodSecurity admission answers first, in upstream's words.
    let upstream = concat!(
        "     pods \"web-root\" is forbidden: violates PodSecurity \"restricted:latest\": ",
        "allowPrivilegeEscalation != false (container \"web\" must set securityContext.allowPrivilegeEscalation=false), ",
        "unrestricted capabilities (container \"web\" must set securityContext.capabilities.drop=[\"ALL\"]), ",
        "runAsNonRoot != true (pod or container \"web\" must set securityContext.runAsNonRoot=true), ",
        "runAsUser=0 (container \"web\" must not set runAsUser=0), ",
        "seccompProfile (pod or container \"web\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")\n",
    );
    assert!(
        report.contains(&format!("  2. Admission: refused\n{upstream}")),
        "{report}"
    );
    assert!(
        report.contains("also refused by gatekeeper: [run-as-non-root]"),
        "{report}"
    );
}

#[test]
fn the_compliant_pod_of_the_deployer_is_applied() {
    let (_dir, folder) = generated();
    let request = format!("{REQUESTS}/web-pod.yaml");
    let (code, report) = simulate(DEPLOYER, &[], &request, &folder);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("2. Admission: allowed"), "{report}");
}

#[test]
fn without_the_default_deny_of_production_its_isolation_expectation_fails() {
    let (_dir, folder) = generated();
    remove_documents(
        &folder.join("network-policies.yaml"),
        &["name: default-deny", "namespace: production"],
    );
    let (code, report) = expectations(&folder);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(
        failed(&report),
        ["pods of production accept no connection from outside the cluster (default deny)"],
        "{report}"
    );
}

#[test]
fn without_the_enforce_label_of_production_pod_security_no_longer_rejects() {
    let (_dir, folder) = generated();
    let file = folder.join("namespaces.yaml");
    let source = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    let label = "    pod-security.kubernetes.io/enforce: restricted\n";
    assert_eq!(source.matches(label).count(), 1, "{source}");
    std::fs::write(&file, source.replace(label, "")).unwrap_or_else(|e| panic!("{e}"));
    let (code, report) = expectations(&folder);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(
        failed(&report),
        ["a pod running as root is rejected in production by Pod Security (restricted)"],
        "{report}"
    );
}

#[test]
fn without_the_non_root_constraint_the_root_pod_in_dev_is_admitted() {
    let (_dir, folder) = generated();
    remove_documents(
        &folder.join("policies/run-as-non-root.yaml"),
        &["kind: K8sPSPAllowedUsers", "name: run-as-non-root"],
    );
    let (code, report) = expectations(&folder);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(
        failed(&report),
        [
            "a pod running as root is rejected in dev by run-as-non-root",
            "a pod running as root is rejected in staging by run-as-non-root",
        ],
        "{report}"
    );
}

#[test]
fn the_kyverno_and_vap_baselines_meet_their_expectations_too() {
    for engine in ["kyverno", "vap"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let folder = dir.path().join(engine);
        let run = palisade(&[
            "harden",
            "--profile",
            PROFILE,
            "-o",
            &text(&folder),
            "--policy-engine",
            engine,
            "-q",
        ]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        let (code, report) = expectations(&folder);
        assert_eq!(code, Some(0), "{engine}: {report}");
        assert!(
            report.contains("PASS  a pod running as root is rejected in dev by run-as-non-root ["),
            "{engine}: {report}"
        );
    }
}

/// NamespaceLifecycle refuses an object for a namespace the cluster lacks,
/// whoever sends it.
#[test]
fn an_object_for_a_missing_namespace_is_refused_at_admission() {
    let (dir, folder) = generated();
    let pod = dir.path().join("ghost.yaml");
    std::fs::write(
        &pod,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: ghost}\nspec: {containers: [{name: c, image: nginx}]}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, report) = simulate("admin", &["system:masters"], &text(&pod), &folder);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains("  2. Admission: refused\n     namespaces \"ghost\" not found\n"),
        "{report}"
    );
}
