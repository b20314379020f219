//! `palisade test` and `palisade simulate` end to end, on a small cluster
//! (`fixtures/intent/cluster`): exit statuses, the output formats, the
//! mutations each expectation guards against, and the simulate acceptance
//! (a developer's pod refused by RBAC, the deployer's root pod refused by Pod
//! Security with upstream's message, a compliant pod applied with its reachability).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{json_of, palisade, repo_root, tempdir};

const FIXTURE: &str = "crates/palisade-cli/tests/fixtures/intent";
const CONTROLLER: &str = "--ingress-controller=ingress-nginx/app.kubernetes.io/name=ingress-nginx";

fn expectations() -> String {
    format!("{FIXTURE}/expectations.yaml")
}

/// A copy of the fixture cluster in a fresh directory, with `change` applied
/// to it (a file removed, a label dropped).
fn mutated(name: &str, change: impl FnOnce(&Path)) -> PathBuf {
    let dir = tempdir("palisade-intent", name);
    let source = repo_root().join(FIXTURE).join("cluster");
    for entry in std::fs::read_dir(&source).expect("the fixture cluster") {
        let path = entry.expect("an entry").path();
        let target = dir.join(path.file_name().expect("a file name"));
        std::fs::copy(&path, target).expect("copied");
    }
    change(&dir);
    dir
}

/// Runs `palisade test -o json` on `cluster`; the exit status and the names of failing expectations.
fn failing(cluster: &Path) -> (Option<i32>, BTreeSet<String>) {
    let cluster = cluster.display().to_string();
    let output = palisade(&[
        "test",
        "--expect",
        &expectations(),
        "-f",
        &cluster,
        CONTROLLER,
        "-o",
        "json",
    ]);
    let json = json_of(&output);
    let names = json["expectations"]
        .as_array()
        .expect("a list of expectations")
        .iter()
        .filter(|e| e["passed"] == false)
        .map(|e| e["name"].as_str().unwrap_or("").to_owned())
        .collect();
    (output.status.code(), names)
}

#[test]
fn every_expectation_holds_on_the_fixture() {
    let (code, failed) = failing(&repo_root().join(FIXTURE).join("cluster"));
    assert_eq!(failed, BTreeSet::new());
    assert_eq!(code, Some(0));
    let output = palisade(&[
        "test",
        "--expect",
        &expectations(),
        "-f",
        &format!("{FIXTURE}/cluster"),
        CONTROLLER,
        "-o",
        "json",
    ]);
    let json = json_of(&output);
    assert_eq!(json["summary"]["passed"], 9);
    assert_eq!(json["summary"]["failed"], 0);
}

#[test]
fn removing_the_default_deny_fails_the_isolation_it_guards() {
    let cluster = mutated("no-default-deny", |dir| {
        std::fs::remove_file(dir.join("default-deny.yaml")).expect("removed");
    });
    let (code, failed) = failing(&cluster);
    assert_eq!(code, Some(1));
    assert_eq!(
        failed,
        BTreeSet::from(["dev cannot reach the database".to_owned()])
    );
}

#[test]
fn removing_the_psa_label_fails_the_pod_security_rejection() {
    let cluster = mutated("no-psa-label", |dir| {
        let path = dir.join("namespaces.yaml");
        let text = std::fs::read_to_string(&path).expect("namespaces");
        let without: String = text
            .lines()
            .filter(|l| !l.contains("pod-security.kubernetes.io"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(text, without, "the label was there");
        std::fs::write(&path, without.replace("  labels:\n", "")).expect("written");
    });
    let (code, failed) = failing(&cluster);
    assert_eq!(code, Some(1));
    assert_eq!(
        failed,
        BTreeSet::from(["a root pod is rejected in production".to_owned()])
    );
}

#[test]
fn removing_the_constraint_fails_the_non_root_rejection() {
    let cluster = mutated("no-constraint", |dir| {
        std::fs::remove_file(dir.join("non-root-constraint.yaml")).expect("removed");
    });
    let (code, failed) = failing(&cluster);
    assert_eq!(code, Some(1));
    assert_eq!(
        failed,
        BTreeSet::from(["a root pod is rejected in dev".to_owned()])
    );
}

#[test]
fn without_the_controller_pods_a_synthetic_controller_stands_in() {
    let cluster = mutated("no-controller", |dir| {
        std::fs::remove_file(dir.join("ingress-nginx.yaml")).expect("removed");
    });
    let (code, failed) = failing(&cluster);
    assert_eq!((code, failed), (Some(0), BTreeSet::new()));
    let path = cluster.display().to_string();
    let output = palisade(&["test", "--expect", &expectations(), "-f", &path, CONTROLLER]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("the ingress controller is the synthetic pod ingress-nginx/"),
        "{text}"
    );
    // Without --ingress-controller, np-guard's stand-in pod is no ingress-nginx pod: the policy does not admit it.
    let (code, _) = (
        palisade(&["test", "--expect", &expectations(), "-f", &path])
            .status
            .code(),
        (),
    );
    assert_eq!(code, Some(1));
}

#[test]
fn junit_goes_to_a_file_beside_the_text_report() {
    let dir = tempdir("palisade-intent", "junit");
    let cluster = mutated("junit-cluster", |dir| {
        std::fs::remove_file(dir.join("default-deny.yaml")).expect("removed");
    });
    let report = dir.join("report.xml");
    let output = palisade(&[
        "test",
        "--expect",
        &expectations(),
        "-f",
        &cluster.display().to_string(),
        CONTROLLER,
        "-o",
        "text",
        "-o",
        &format!("junit={}", report.display()),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("FAIL  dev cannot reach the database")
    );
    let xml = std::fs::read_to_string(&report).expect("the JUnit file");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut failing_case) = (0, 0, String::new());
    let mut current = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = e.name().as_ref().to_vec();
                if name == b"testcase" {
                    cases += 1;
                    current = e
                        .try_get_attribute("name")
                        .ok()
                        .flatten()
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                        .unwrap_or_default();
                } else if name == b"failure" {
                    failures += 1;
                    failing_case = current.clone();
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((cases, failures), (9, 1));
    assert_eq!(failing_case, "dev cannot reach the database");
}

#[test]
fn input_errors_exit_2_with_file_and_line() {
    let dir = tempdir("palisade-intent", "errors");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "apiVersion: palisade.dev/v1alpha1\nkind: SecurityExpectations\nexpectations:\n  - reach: {from: production/nothing, to: 10.0.0.1}\n").expect("written");
    let output = palisade(&[
        "test",
        "--expect",
        &bad.display().to_string(),
        "-f",
        &format!("{FIXTURE}/cluster"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.yaml:4:19: unknown endpoint: no workload \"production/nothing\""),
        "{stderr}"
    );
    std::fs::write(&bad, "apiVersion: palisade.dev/v1alpha1\nkind: SecurityExpectations\nexpectations:\n  - can: {verb: get, resource: pods, namespaces: x}\n").expect("written");
    let output = palisade(&[
        "test",
        "--expect",
        &bad.display().to_string(),
        "-f",
        &format!("{FIXTURE}/cluster"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("bad.yaml:4:38: can: unknown field \"namespaces\"")
    );
}

fn simulate(user: &str, groups: &[&str], object: &str) -> (Option<i32>, String) {
    let object = format!("{FIXTURE}/objects/{object}");
    let cluster = format!("{FIXTURE}/cluster");
    let mut args = vec![
        "simulate",
        "--as",
        user,
        "-f",
        &object,
        "--cluster",
        &cluster,
    ];
    for group in groups {
        args.extend(["--as-group", group]);
    }
    let output = palisade(&args);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn simulate_a_developer_pod_in_production_is_refused_by_rbac() {
    let (code, text) = simulate("alice", &["developers"], "pod.yaml");
    assert_eq!(code, Some(1));
    assert!(
        text.contains("1. RBAC: refused create pods in namespace production"),
        "{text}"
    );
    insta::assert_snapshot!("simulate_developer_pod", text);
}

#[test]
fn simulate_the_deployers_root_pod_is_refused_by_pod_security() {
    let (code, text) = simulate(
        "system:serviceaccount:production:deployer",
        &[],
        "root-pod.yaml",
    );
    assert_eq!(code, Some(1));
    assert!(text.contains("1. RBAC: allowed"), "{text}");
    assert!(text.contains("2. Admission: refused\n     pods \"x\" is forbidden: violates PodSecurity \"restricted:latest\": "), "{text}");
    insta::assert_snapshot!("simulate_deployer_root_pod", text);
}

#[test]
fn simulate_a_compliant_pod_passes_and_shows_its_reachability() {
    let (code, text) = simulate(
        "system:serviceaccount:production:deployer",
        &[],
        "web-pod.yaml",
    );
    assert_eq!(code, Some(0));
    assert!(text.contains("new connection: ingress-nginx/ingress-nginx-controller[Pod] => production/web[Pod] : TCP 8080"), "{text}");
    insta::assert_snapshot!("simulate_deployer_web_pod", text);
}

#[test]
fn simulate_checks_escalation_on_rbac_writes() {
    let dir = tempdir("palisade-intent", "escalation");
    let binding = dir.join("binding.yaml");
    std::fs::write(&binding, "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: grab-admin, namespace: production}\nsubjects: [{kind: User, name: mallory, apiGroup: rbac.authorization.k8s.io}]\nroleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}\n").expect("written");
    let cluster = format!("{FIXTURE}/cluster");
    let output = palisade(&[
        "simulate",
        "--as",
        "system:masters-less",
        "-f",
        &binding.display().to_string(),
        "--cluster",
        &cluster,
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json = json_of(&output);
    assert_eq!(json["objects"][0]["rbac"]["allowed"], false);
    assert!(
        json["objects"][0]["rbac"].get("escalation").is_none(),
        "the write itself is refused first"
    );
    let output = palisade(&[
        "simulate",
        "--as",
        "team-lead",
        "-f",
        &binding.display().to_string(),
        "--cluster",
        &cluster,
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json = json_of(&output);
    let escalation = &json["objects"][0]["rbac"]["escalation"];
    assert_eq!(escalation["allowed"], false, "{json}");
    assert!(
        escalation["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("not currently held")),
        "{json}"
    );
    let output = palisade(&[
        "simulate",
        "--as",
        "admin",
        "--as-group",
        "system:masters",
        "-f",
        &binding.display().to_string(),
        "--cluster",
        &cluster,
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let json = json_of(&output);
    assert_eq!(json["objects"][0]["rbac"]["escalation"]["allowed"], true);
    let risks = json["objects"][0]["consequences"]["new_risks"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(risks > 0, "binding cluster-admin is a new risk: {json}");
}
