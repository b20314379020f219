//! Namespaces as kubectl gives them: `-n` places namespace-less objects of
//! namespaced kinds (and only those), an object naming another namespace is
//! kubectl's error, and `--namespace-labels` declares namespaces the input lacks.

mod common;

use common::{json_of, palisade};
use serde_json::Value;

const ARGOCD: &str = "crates/palisade-cli/tests/fixtures/namespaces/argocd-install.yaml";
const ELSEWHERE: &str = "crates/palisade-cli/tests/fixtures/namespaces/elsewhere.yaml";
const NETPOL: &str = "crates/palisade-cli/tests/fixtures/namespaces/netpol-team.yaml";

fn answer(args: &[&str]) -> (Option<i32>, String, String) {
    let output = palisade(args);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    )
}

#[test]
fn can_i_n_places_namespace_less_roles_and_bindings_like_kubectl_apply_n() {
    let can_i = |extra: &[&str]| {
        let mut args = vec![
            "rbac",
            "can-i",
            "list",
            "secrets",
            "--as",
            "system:serviceaccount:argocd:argocd-server",
            "-f",
            ARGOCD,
        ];
        args.extend_from_slice(extra);
        answer(&args)
    };
    // The argo-cd case: its Role and RoleBinding carry no namespace.
    let (code, out, err) = can_i(&["-n", "argocd"]);
    assert_eq!((code, out.as_str()), (Some(0), "yes"), "{err}");
    // Without -n they are in `default`, where the account is not.
    assert_eq!(can_i(&[]).0, Some(1));
    assert_eq!(can_i(&["-n", "default"]).0, Some(1));
    // The ClusterRoleBinding is cluster-scoped and names its subject's namespace.
    let (code, out, _) = answer(&[
        "rbac",
        "can-i",
        "list",
        "events",
        "-A",
        "--as",
        "system:serviceaccount:argocd:argocd-server",
        "-f",
        ARGOCD,
    ]);
    assert_eq!((code, out.as_str()), (Some(0), "yes"));
    // who-can sees the same placement.
    let output = palisade(&[
        "rbac", "who-can", "get", "secrets", "-n", "argocd", "-f", ARGOCD, "-o", "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        json_of(&output).to_string().contains("argocd-server"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn can_i_n_keeps_objects_that_name_another_namespace() {
    // The question's namespace is not kubectl apply's: an input holding other
    // namespaces is normal here, not an error.
    let (code, out, err) = answer(&[
        "rbac",
        "can-i",
        "get",
        "configmaps",
        "-n",
        "argocd",
        "--as",
        "bob",
        "-f",
        ARGOCD,
        "-f",
        ELSEWHERE,
    ]);
    assert_eq!((code, out.as_str()), (Some(1), "no"), "{err}");
}

fn items(json: &Value) -> Vec<(String, Option<String>)> {
    json["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|o| {
                    (
                        o["kind"].as_str().unwrap_or("").to_owned(),
                        o["metadata"]["namespace"].as_str().map(str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn inventory_n_shows_the_namespace_only_on_namespaced_kinds() {
    let placed = json_of(&palisade(&["inventory", "-n", "argocd", "-f", ARGOCD]));
    let argocd = Some("argocd".to_owned());
    assert_eq!(
        items(&placed),
        [
            ("ServiceAccount".to_owned(), argocd.clone()),
            ("Role".to_owned(), argocd.clone()),
            ("RoleBinding".to_owned(), argocd.clone()),
            ("ClusterRole".to_owned(), None),
            ("ClusterRoleBinding".to_owned(), None),
            ("PriorityClass".to_owned(), None),
            ("Deployment".to_owned(), argocd),
        ]
    );
    // Set after the name, as kubectl sends it; subjects are not touched.
    let role_binding = &placed["items"][2];
    let keys: Vec<&str> = role_binding["metadata"]
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["name", "namespace"]);
    assert!(role_binding["subjects"][0].get("namespace").is_none());
    // Without -n nothing is invented.
    let as_written = json_of(&palisade(&["inventory", "-f", ARGOCD]));
    assert!(items(&as_written).iter().all(|(_, ns)| ns.is_none()));
}

#[test]
fn n_against_an_object_of_another_namespace_is_kubectls_error_with_its_place() {
    for command in [
        &["scan", "-n", "argocd", "-f", ELSEWHERE][..],
        &["inventory", "-n", "argocd", "-f", ELSEWHERE],
        &["netpol", "lint", "-n", "argocd", "-f", ELSEWHERE],
        &["rbac", "risks", "-n", "argocd", "-f", ELSEWHERE],
    ] {
        let (code, out, err) = answer(command);
        assert_eq!(code, Some(2), "{command:?}: {out}");
        assert_eq!(
            err,
            format!(
                "error: {ELSEWHERE}:10:14: the namespace from the provided object \"other\" does not match the namespace \"argocd\". You must pass '--namespace=other' to perform this operation."
            ),
            "{command:?}"
        );
    }
    // The namespace it names is accepted (the namespace-less ConfigMap goes there too).
    let (code, _, err) = answer(&["inventory", "-n", "other", "-f", ELSEWHERE]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn n_and_namespace_labels_are_checked_before_input_is_read() {
    for command in [
        &["scan", "-n", "Not_A_Namespace", "-f", "/nonexistent"][..],
        &["scan", "--namespace-labels", "argocd", "-f", "/nonexistent"],
        &[
            "netpol",
            "reach",
            "--namespace-labels",
            "a=b",
            "--from",
            "a/b",
            "--to",
            "c/d",
            "-f",
            "/nonexistent",
        ],
        &[
            "rbac",
            "can-i",
            "get",
            "pods",
            "-n",
            "Bad",
            "--as",
            "a",
            "-f",
            "/nonexistent",
        ],
    ] {
        let (code, _, err) = answer(command);
        assert_eq!(code, Some(2), "{command:?}");
        assert!(
            !err.contains("/nonexistent"),
            "{command:?} read input: {err}"
        );
    }
}

fn scan(extra: &[&str]) -> Value {
    let mut args = vec![
        "scan",
        "-f",
        ARGOCD,
        "--analyzers",
        "pss",
        "-o",
        "json",
        "--fail-on",
        "never",
    ];
    args.extend_from_slice(extra);
    let output = palisade(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_of(&output)
}

#[test]
fn scan_namespace_labels_turn_pss_findings_into_enforced_ones() {
    // The Deployment names no namespace and the input holds no Namespace: nothing enforces.
    assert_eq!(scan(&[])["summary"]["enforced"], 0);
    assert_eq!(
        scan(&[
            "--namespace-labels",
            "argocd=pod-security.kubernetes.io/enforce=baseline"
        ])["summary"]["enforced"],
        0,
        "the Deployment is in default without -n"
    );
    let enforced = scan(&[
        "-n",
        "argocd",
        "--namespace-labels",
        "argocd=pod-security.kubernetes.io/enforce=baseline,pod-security.kubernetes.io/enforce-version=v1.30",
    ]);
    assert!(
        enforced["summary"]["enforced"].as_u64() > Some(0),
        "{enforced}"
    );
    let privileged = enforced["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "pss/privileged"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(privileged["enforcedBy"], "baseline:v1.30");
    assert_eq!(privileged["object"]["namespace"], "argocd");
}

#[test]
fn netpol_namespace_labels_feed_namespace_selectors() {
    let reach = |extra: &[&str]| {
        let mut args = vec![
            "netpol",
            "reach",
            "-f",
            NETPOL,
            "--from",
            "front/web",
            "--to",
            "back/db",
            "--port",
            "5432",
        ];
        args.extend_from_slice(extra);
        answer(&args).0
    };
    assert_eq!(reach(&[]), Some(1), "front has only its name label");
    assert_eq!(
        reach(&["--namespace-labels", "front=team=frontend"]),
        Some(0)
    );
    assert_eq!(
        reach(&["--namespace-labels", "back=team=frontend"]),
        Some(1)
    );
}
