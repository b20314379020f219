//! The `palisade` binary end to end: arguments, outputs and exit codes.

mod common;

use common::{json_of, palisade, palisade_with_stdin, repo_root};

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("findings is an array")
}

#[test]
fn version_and_help_work_and_every_subcommand_has_examples() {
    let version = palisade(&["--version"]);
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("palisade "));
    for sub in [
        &["--help"][..],
        &["scan", "--help"],
        &["inventory", "--help"],
    ] {
        let help = palisade(sub);
        assert!(help.status.success(), "{sub:?}");
        assert!(
            String::from_utf8_lossy(&help.stdout).contains("Examples:"),
            "{sub:?} has examples"
        );
    }
}

#[test]
fn scanning_the_example_reports_admission_rejections_first_and_exits_1() {
    let output = palisade(&["scan", "examples/shop.yaml", "-o", "json"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_of(&output);
    let all = findings(&report);
    let rule_of = |f: &Value| f["rule"].as_str().unwrap_or_default().to_owned();

    // The duplicate `privileged` key resolves to true, as kubectl reads it, and the
    // namespace's baseline:v1.30 enforcement would reject it.
    let privileged = all
        .iter()
        .find(|f| rule_of(f) == "pss/privileged")
        .expect("the duplicated privileged key is read as true");
    assert_eq!(
        privileged["message"],
        "privileged (container \"web\" must not set securityContext.privileged=true)"
    );
    assert_eq!(privileged["enforcedBy"], "baseline:v1.30");
    assert_eq!(privileged["severity"], "critical");
    assert_eq!(privileged["object"]["kind"], "Deployment");
    assert_eq!(privileged["object"]["namespace"], "shop");
    assert_eq!(privileged["file"], "examples/shop.yaml");
    assert!(
        privileged["line"].as_u64().unwrap_or(0) > 30,
        "points into the container, not the file start"
    );

    // `hostPID: yes` is YAML 1.1 for true.
    assert!(all.iter().any(|f| rule_of(f) == "pss/hostNamespaces"
        && f["message"] == "host namespaces (hostPID=true)"
        && f["object"]["kind"] == "CronJob"));
    // Restricted-only checks are reported but not marked as enforced by a baseline namespace.
    let run_as_non_root = all
        .iter()
        .find(|f| rule_of(f) == "pss/runAsNonRoot")
        .expect("restricted checks run by default");
    assert!(run_as_non_root.get("enforcedBy").is_none());
    // The parser differential is reported too.
    assert!(all.iter().any(|f| rule_of(f) == "yaml/duplicate-key"));

    // Within an object, enforced findings come first.
    let deployment: Vec<&Value> = all
        .iter()
        .filter(|f| f["object"]["kind"] == "Deployment")
        .collect();
    let first_unenforced = deployment
        .iter()
        .position(|f| f.get("enforcedBy").is_none());
    let last_enforced = deployment
        .iter()
        .rposition(|f| f.get("enforcedBy").is_some());
    assert!(matches!((last_enforced, first_unenforced), (Some(l), Some(u)) if l < u));

    let summary = &report["summary"];
    assert_eq!(summary["findings"].as_u64(), Some(all.len() as u64));
    assert_eq!(summary["pssPolicy"], "restricted:latest");
    assert_eq!(summary["failed"], true);
    assert!(summary["enforced"].as_u64().unwrap_or(0) >= 3);
}

#[test]
fn a_hardened_workload_is_clean_and_exits_0() {
    // Alone, the file has no NetworkPolicy for its namespace: that is netpol's finding.
    let output = palisade(&[
        "scan",
        "examples/hardened.yaml",
        "-o",
        "json",
        "--analyzers",
        "pss,yaml",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(findings(&json_of(&output)).is_empty());
}

#[test]
fn level_and_fail_on_change_the_verdict() {
    // At baseline, the hardened workload and the Rollout differ: NET_ADMIN is not a default capability.
    // The Rollout is a workload for NetworkPolicy too: its namespace has no default-deny.
    let rollout = palisade(&[
        "scan",
        "examples/rollout.yaml",
        "--pss-level",
        "baseline",
        "--analyzers",
        "pss,netpol",
        "-o",
        "json",
    ]);
    assert_eq!(rollout.status.code(), Some(1));
    let report = json_of(&rollout);
    assert_eq!(
        findings(&report)
            .iter()
            .map(|f| f["rule"].as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        [
            "netpol/missing-default-deny-ingress",
            "netpol/missing-default-deny-egress",
            "pss/capabilities_baseline"
        ]
    );
    let lenient = palisade(&[
        "scan",
        "examples/rollout.yaml",
        "--pss-level",
        "baseline",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(lenient.status.code(), Some(0));
    let privileged = palisade(&[
        "scan",
        "examples/shop.yaml",
        "--pss-level",
        "privileged",
        "-o",
        "json",
    ]);
    let report = json_of(&privileged);
    assert!(
        findings(&report)
            .iter()
            .all(|f| !f["rule"].as_str().unwrap_or("").starts_with("pss/")
                || f.get("enforcedBy").is_some()),
        "at the privileged level only what the namespace enforces is reported"
    );
}

#[test]
fn the_table_groups_by_file_and_object_without_colour_when_piped() {
    // The bundled example without the hardening challenge, which has its own tests.
    let output = palisade(&["scan", "examples/", "--exclude", "challenge"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        !text.contains('\x1b'),
        "no colour codes when stdout is not a terminal"
    );
    assert!(text.lines().any(|l| l == "examples/shop.yaml"));
    assert!(text.lines().any(|l| l == "  Deployment shop/storefront"));
    assert!(
        text.contains(
            "rejected at admission: the namespace enforces PodSecurity \"baseline:v1.30\""
        )
    );
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.contains("from 5 files") && last.contains("would be rejected at admission"),
        "{last}"
    );
}

#[test]
fn version_flag_is_validated_like_the_namespace_label() {
    let output = palisade(&["scan", "examples/", "--pss-version", "v1.01"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("must be \"latest\" or \"v1.x\""));
    // A version no release defined is a typo, not a future cluster.
    let future = palisade(&["scan", "examples/", "--pss-version", "v1.99"]);
    assert_eq!(future.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&future.stderr);
    assert!(
        stderr.contains("known versions are v1.0 to v1.37"),
        "{stderr}"
    );
    assert_eq!(
        palisade(&["scan", "examples/", "--pss-version", "v1.37", "-q"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn input_errors_exit_2_and_name_the_file_and_line() {
    let missing = palisade(&["scan", "does-not-exist.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    // The file as a whole is at fault: named, without a made-up position.
    assert!(stderr.contains("error: does-not-exist.yaml: "), "{stderr}");
    assert!(!stderr.contains(":0:0"), "{stderr}");

    let broken = palisade_with_stdin(
        &["scan", "-f", "-"],
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n",
    );
    assert_eq!(broken.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("<stdin>:"), "{stderr}");

    let nothing = palisade(&["scan"]);
    assert_eq!(nothing.status.code(), Some(2));
}

#[test]
fn inventory_prints_one_object_as_itself_and_several_as_a_list() {
    let one = palisade_with_stdin(
        &["inventory", "-f", "-"],
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  mode: 0755\n",
    );
    assert_eq!(
        one.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let object = json_of(&one);
    assert_eq!(object["kind"], "ConfigMap");
    assert_eq!(
        object["data"]["mode"], 493,
        "0755 is octal in YAML 1.1, as kubectl reads it"
    );

    let many = palisade(&["inventory", "-f", "examples/shop.yaml", "-o", "json"]);
    let list = json_of(&many);
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        list["items"][2]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["hostPID"],
        true
    );
}

#[test]
fn the_example_scan_reads_as_reviewed() {
    // The bundled example without the hardening challenge, which has its own tests.
    let output = palisade(&["scan", "examples/", "--exclude", "challenge"]);
    insta::assert_snapshot!(
        "scan_examples_table",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn reach_explains_the_allowing_rule_and_exits_by_verdict() {
    let allowed = palisade(&[
        "netpol",
        "reach",
        "-f",
        "examples/",
        "--from",
        "shop/storefront",
        "--to",
        "shop/orders-db",
        "--port",
        "5432",
    ]);
    assert_eq!(allowed.status.code(), Some(0));
    let text = String::from_utf8_lossy(&allowed.stdout);
    assert!(
        text.starts_with(
            "allowed: shop/storefront[Deployment] => shop/orders-db[StatefulSet] on TCP 5432"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "NetworkPolicy shop/storefront-to-db rule #1: Allow TCP 5432 (examples/network.yaml:"
        ),
        "{text}"
    );

    let other_port = palisade(&[
        "netpol",
        "reach",
        "-f",
        "examples/",
        "--from",
        "shop/storefront",
        "--to",
        "shop/orders-db",
        "--port",
        "22",
    ]);
    assert_eq!(other_port.status.code(), Some(1));
    let denied = palisade(&[
        "netpol",
        "reach",
        "-f",
        "examples/",
        "--from",
        "shop/nightly-report",
        "--to",
        "shop/orders-db",
        "-o",
        "json",
    ]);
    assert_eq!(denied.status.code(), Some(1));
    let answer = json_of(&denied);
    assert_eq!(answer["allowed"], false);
    assert_eq!(answer["egress"]["isolating"][0], "shop/default-deny");

    let unknown = palisade(&[
        "netpol",
        "reach",
        "-f",
        "examples/",
        "--from",
        "shop/nope",
        "--to",
        "shop/orders-db",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("shop/nope"));
}

#[test]
fn reach_from_the_ingress_controller_uses_the_stand_in_or_the_named_pods() {
    let fixture = "crates/palisade-cli/tests/fixtures/ingress.yaml";
    // np-guard's stand-in is not in ingress-nginx: the policy keeps it out.
    let stand_in = palisade(&[
        "netpol",
        "reach",
        "-f",
        fixture,
        "--from",
        "ingress-controller",
        "--to",
        "shop/web",
        "--port",
        "8080",
    ]);
    assert_eq!(stand_in.status.code(), Some(1));
    let text = String::from_utf8_lossy(&stand_in.stdout);
    assert!(
        text.starts_with("denied: {ingress-controller} => shop/web[Deployment] on TCP 8080"),
        "{text}"
    );
    assert!(
        text.contains("sent by Ingress/Route: Ingress shop/web; exposed ports: TCP 8080"),
        "{text}"
    );
    assert!(
        text.contains("isolated by: shop/web-from-ingress-nginx"),
        "{text}"
    );
    let connlist = palisade(&["netpol", "connlist", "-f", fixture]);
    assert!(!String::from_utf8_lossy(&connlist.stdout).contains("{ingress-controller}"));

    // The real controller pods are in ingress-nginx: allowed on the exposed port only.
    let named = [
        "--ingress-controller",
        "ingress-nginx/app.kubernetes.io/name=ingress-nginx",
    ];
    let mut args = vec![
        "netpol",
        "reach",
        "-f",
        fixture,
        "--from",
        "{ingress-controller}",
        "--to",
        "shop/web",
        "-o",
        "json",
    ];
    args.extend(named);
    let real = palisade(&args);
    assert_eq!(real.status.code(), Some(0));
    let answer = json_of(&real);
    assert_eq!(answer["allowed"], true);
    assert_eq!(answer["conn"], "TCP 8080");
    assert_eq!(
        answer["routes"]["controller"][0],
        "ingress-nginx/ingress-nginx-controller[Deployment]"
    );
    assert_eq!(answer["routes"]["via"][0], "Ingress shop/web");
    let mut args = vec!["netpol", "connlist", "-f", fixture];
    args.extend(named);
    let connlist = palisade(&args);
    assert!(
        String::from_utf8_lossy(&connlist.stdout)
            .lines()
            .any(|l| l == "{ingress-controller} => shop/web[Deployment] : TCP 8080"),
        "{}",
        String::from_utf8_lossy(&connlist.stdout)
    );
    let mut args = vec!["netpol", "matrix", "-f", fixture, "-o", "csv"];
    args.extend(named);
    let matrix = palisade(&args);
    let text = String::from_utf8_lossy(&matrix.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("{ingress-controller},") && l.contains("TCP 8080")),
        "{text}"
    );

    // The controller is a source only, and a bad selector is a usage error.
    let as_destination = palisade(&[
        "netpol",
        "reach",
        "-f",
        fixture,
        "--from",
        "shop/web",
        "--to",
        "ingress-controller",
    ]);
    assert_eq!(as_destination.status.code(), Some(2));
    let bad = palisade(&[
        "netpol",
        "reach",
        "-f",
        fixture,
        "--from",
        "ingress-controller",
        "--to",
        "shop/web",
        "--ingress-controller",
        "ingress-nginx",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    // Named pods that are not in the input: the stand-in, with a warning.
    let missing = palisade(&[
        "netpol",
        "reach",
        "-f",
        fixture,
        "--from",
        "ingress-controller",
        "--to",
        "shop/web",
        "--ingress-controller",
        "traefik/app=traefik",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("using np-guard's stand-in pod"));
}

#[test]
fn connlist_and_matrix_agree_on_the_one_allowed_flow() {
    let connlist = palisade(&["netpol", "connlist", "-f", "examples/", "-o", "json"]);
    assert_eq!(connlist.status.code(), Some(0));
    let records = json_of(&connlist);
    assert_eq!(
        records,
        serde_json::json!([{"src": "shop/storefront[Deployment]", "dst": "shop/orders-db[StatefulSet]", "conn": "TCP 5432"}])
    );
    let csv = palisade(&[
        "netpol",
        "matrix",
        "-f",
        "examples/",
        "-n",
        "shop",
        "-o",
        "csv",
    ]);
    let text = String::from_utf8_lossy(&csv.stdout);
    let header: Vec<&str> = text.lines().next().unwrap_or_default().split(',').collect();
    let column = header
        .iter()
        .position(|h| *h == "shop/orders-db[StatefulSet]")
        .expect("db column");
    let row = text
        .lines()
        .find(|l| l.starts_with("shop/storefront[Deployment],"))
        .expect("storefront row");
    assert_eq!(row.split(',').nth(column), Some("TCP 5432"));
    let dot = palisade(&["netpol", "connlist", "-f", "examples/", "-o", "dot"]);
    assert!(String::from_utf8_lossy(&dot.stdout).contains(
        "\"shop/storefront[Deployment]\" -> \"shop/orders-db[StatefulSet]\" [label=\"TCP 5432\"]"
    ));
}

#[test]
fn scan_includes_netpol_lint_unless_analyzers_exclude_it() {
    let all = json_of(&palisade(&["scan", "examples/", "-o", "json"]));
    let has = |report: &Value, prefix: &str| {
        findings(report)
            .iter()
            .any(|f| f["rule"].as_str().unwrap_or_default().starts_with(prefix))
    };
    assert!(has(&all, "netpol/egress-deny-without-dns"));
    assert!(has(&all, "pss/") && has(&all, "yaml/"));
    let only_pss = json_of(&palisade(&[
        "scan",
        "examples/",
        "-o",
        "json",
        "--analyzers",
        "pss",
    ]));
    assert!(has(&only_pss, "pss/"));
    assert!(!has(&only_pss, "netpol/") && !has(&only_pss, "yaml/"));
}

#[test]
fn can_i_answers_yes_or_no_with_kubectl_exit_codes() {
    let can = |args: &[&str]| {
        let mut all = vec!["rbac", "can-i"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-f", "examples/rbac.yaml"]);
        let output = palisade(&all);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        )
    };
    assert_eq!(
        can(&["create", "pods", "-n", "shop", "--as", "alice"]),
        (Some(0), "yes".to_owned())
    );
    // Short names and singular names resolve like kubectl's discovery.
    assert_eq!(
        can(&["create", "po", "-n", "shop", "--as", "alice"]),
        (Some(0), "yes".to_owned())
    );
    assert_eq!(
        can(&["delete", "pod", "-n", "shop", "--as", "alice"]),
        (Some(0), "yes".to_owned())
    );
    assert_eq!(
        can(&["get", "secrets", "-n", "shop", "--as", "alice"]),
        (Some(1), "no".to_owned())
    );
    // The binding is namespaced: nothing in another namespace.
    assert_eq!(
        can(&["create", "pods", "-n", "other", "--as", "alice"]),
        (Some(1), "no".to_owned())
    );
    // Group membership comes from --as-group; the subresource must be granted explicitly.
    assert_eq!(
        can(&[
            "patch",
            "deploy.apps/storefront",
            "--subresource",
            "scale",
            "-n",
            "shop",
            "--as",
            "bob",
            "--as-group",
            "shop-developers"
        ]),
        (Some(0), "yes".to_owned())
    );
    assert_eq!(
        can(&[
            "patch",
            "deployments",
            "--subresource",
            "status",
            "-n",
            "shop",
            "--as",
            "bob",
            "--as-group",
            "shop-developers"
        ]),
        (Some(1), "no".to_owned())
    );
    // A service account gets its implicit groups and its own bindings.
    assert_eq!(
        can(&[
            "delete",
            "nodes",
            "--as",
            "system:serviceaccount:shop:deployer"
        ]),
        (Some(0), "yes".to_owned())
    );

    let explained = palisade(&[
        "rbac",
        "can-i",
        "create",
        "pods",
        "-n",
        "shop",
        "--as",
        "alice",
        "--explain",
        "-f",
        "examples/rbac.yaml",
    ]);
    let text = String::from_utf8_lossy(&explained.stdout);
    assert!(
        text.contains("RoleBinding/shop/developers-deploy -> Role/shop/pod-deployer rule #1"),
        "{text}"
    );
}

/// kubectl warns on standard error about a verb it does not know (resource verbs
/// and non-resource HTTP verbs differ) and answers anyway.
#[test]
fn can_i_warns_about_an_unknown_verb_as_kubectl_does() {
    let ask = |verb: &str, target: &str| {
        let output = palisade(&[
            "rbac",
            "can-i",
            verb,
            target,
            "--as",
            "alice",
            "-f",
            "examples/rbac.yaml",
        ]);
        (
            String::from_utf8_lossy(&output.stdout).trim().to_owned(),
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        )
    };
    assert_eq!(
        ask("frob", "pods"),
        (
            "no".to_owned(),
            "Warning: verb 'frob' is not a known verb".to_owned()
        )
    );
    assert_eq!(
        ask("Get", "pods").1,
        "Warning: verb 'Get' is not a known verb"
    );
    assert_eq!(
        ask("list", "/logs").1,
        "Warning: verb 'list' is not a known verb"
    );
    assert_eq!(ask("attest", "pods").1, "");
    assert_eq!(ask("post", "/logs").1, "");
    assert_eq!(ask("get", "pods").1, "");
}

#[test]
fn can_i_rejects_unknown_types_like_kubectl() {
    let output = palisade(&[
        "rbac",
        "can-i",
        "get",
        "widgets",
        "-n",
        "shop",
        "--as",
        "alice",
        "-f",
        "examples/rbac.yaml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("the server doesn't have a resource type \"widgets\"")
    );
}

#[test]
fn who_can_lists_subjects_with_the_granting_path() {
    let output = palisade(&[
        "rbac",
        "who-can",
        "create",
        "pods",
        "-n",
        "shop",
        "-f",
        "examples/rbac.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer = json_of(&output);
    let subjects = answer["subjects"].as_array().expect("subjects");
    let names: std::collections::BTreeSet<String> = subjects
        .iter()
        .map(|s| {
            format!(
                "{}:{}",
                s["kind"].as_str().unwrap_or(""),
                s["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "Group:shop-developers",
            "ServiceAccount:deployer",
            "User:alice"
        ]
        .map(String::from)
        .into_iter()
        .collect()
    );
    let deployer = subjects
        .iter()
        .find(|s| s["name"] == "deployer")
        .expect("deployer");
    assert_eq!(deployer["namespace"], "shop");
    assert!(
        deployer["via"].to_string().contains("deployer-admin"),
        "{}",
        deployer["via"]
    );
}

#[test]
fn risks_show_the_escalation_chain_and_appear_in_scan() {
    let output = palisade(&["rbac", "risks", "-f", "examples/rbac.yaml", "-o", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report = json_of(&output);
    let path = findings(&report)
        .iter()
        .find(|f| {
            f["rule"] == "rbac/path-escalation"
                && f["message"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("User alice")
        })
        .expect("alice's path to cluster-admin is reported");
    let message = path["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("can create pods that run as ServiceAccount shop/deployer"),
        "{message}"
    );
    assert!(message.contains("ClusterRole/cluster-admin"), "{message}");
    assert_eq!(path["severity"], "critical");

    let scan = json_of(&palisade(&[
        "scan",
        "examples/",
        "-o",
        "json",
        "--analyzers",
        "rbac",
    ]));
    assert!(
        findings(&scan)
            .iter()
            .any(|f| f["rule"] == "rbac/path-escalation")
    );
    assert!(
        findings(&scan)
            .iter()
            .all(|f| f["rule"].as_str().unwrap_or("").starts_with("rbac/"))
    );
}

#[test]
fn ignore_invalid_warns_about_a_bad_file_and_scans_the_rest() {
    let dir = std::env::temp_dir().join(format!("palisade-ignore-invalid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("values.yaml"), "replicas: 3\nimage: [unclosed\n").expect("write");
    std::fs::write(
        dir.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: x\n",
    )
    .expect("write");
    let dir_arg = dir.to_string_lossy().into_owned();

    let strict = palisade(&["scan", &dir_arg, "-o", "json"]);
    assert_eq!(
        strict.status.code(),
        Some(2),
        "a bad file stops the run by default"
    );
    assert!(String::from_utf8_lossy(&strict.stderr).contains("values.yaml:2:"));

    let lenient = palisade(&[
        "scan",
        &dir_arg,
        "-o",
        "json",
        "--ignore-invalid",
        "--analyzers",
        "pss",
    ]);
    assert_eq!(lenient.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&lenient.stderr).contains("warning: skipped: "));
    let report = json_of(&lenient);
    assert!(
        findings(&report)
            .iter()
            .any(|f| f["rule"] == "pss/hostNamespaces")
    );
    assert_eq!(report["summary"]["objects"], 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn accepted_findings_are_left_out_counted_and_stale_entries_warned_about() {
    let dir = std::env::temp_dir().join(format!("palisade-accept-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let accept = dir.join("accept.yaml");
    std::fs::write(
        &accept,
        "accepted:\n  - rule: rbac/wl-create-pods\n    match: User alice\n    reason: alice is the on-call deployer\n  - rule: rbac/esc-bind\n    reason: nobody has bind any more\n",
    )
    .expect("write");
    let accept_arg = accept.to_string_lossy().into_owned();

    let before = json_of(&palisade(&[
        "rbac",
        "risks",
        "-f",
        "examples/rbac.yaml",
        "-o",
        "json",
    ]));
    let after_output = palisade(&[
        "rbac",
        "risks",
        "-f",
        "examples/rbac.yaml",
        "-o",
        "json",
        "--accept",
        &accept_arg,
    ]);
    let after = json_of(&after_output);
    let alice_pods = |report: &Value| {
        findings(report)
            .iter()
            .filter(|f| {
                f["rule"] == "rbac/wl-create-pods"
                    && f["message"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("User alice")
            })
            .count()
    };
    assert_eq!(alice_pods(&before), 1);
    assert_eq!(alice_pods(&after), 0);
    assert_eq!(after["summary"]["accepted"], 1);
    assert_eq!(
        findings(&before).len(),
        findings(&after).len() + 1,
        "only the accepted finding is left out (the group's is not)"
    );
    let stderr = String::from_utf8_lossy(&after_output.stderr);
    assert!(
        stderr.contains("accepted[1] (rbac/esc-bind) matches no finding"),
        "{stderr}"
    );

    // An entry without a reason is refused, naming the file.
    std::fs::write(
        &accept,
        "accepted:\n  - rule: pss/privileged\n    reason: ''\n",
    )
    .expect("write");
    let refused = palisade(&["scan", "examples/", "--accept", &accept_arg]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("reason must say why"));
    // Unknown fields are errors too (a typo must not silently accept everything).
    std::fs::write(
        &accept,
        "accepted:\n  - rule: pss/privileged\n    reson: typo\n",
    )
    .expect("write");
    let typo = palisade(&["scan", "examples/", "--accept", &accept_arg]);
    assert_eq!(typo.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn include_defaults_adds_the_bootstrap_policy() {
    let can = |args: &[&str], defaults: bool| {
        let mut all = vec!["rbac", "can-i"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-f", "examples/rbac.yaml"]);
        if defaults {
            all.push("--include-defaults");
        }
        let output = palisade(&all);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        )
    };
    let yes = (Some(0), "yes".to_owned());
    let no = (Some(1), "no".to_owned());
    // Any authenticated user may ask about itself only through system:basic-user.
    let review = [
        "create",
        "selfsubjectaccessreviews.authorization.k8s.io",
        "--as",
        "carol",
        "--as-group",
        "system:authenticated",
    ];
    assert_eq!(can(&review, false), no);
    assert_eq!(can(&review, true), yes);
    // A controller's ServiceAccount gets its system:controller:* role.
    let controller = [
        "update",
        "deployments.apps",
        "-n",
        "shop",
        "--as",
        "system:serviceaccount:kube-system:deployment-controller",
    ];
    assert_eq!(can(&controller, false), no);
    assert_eq!(can(&controller, true), yes);

    let who = |defaults: bool| {
        let mut all = vec![
            "rbac",
            "who-can",
            "list",
            "nodes",
            "-A",
            "-f",
            "examples/rbac.yaml",
            "-o",
            "json",
        ];
        if defaults {
            all.push("--include-defaults");
        }
        let report = json_of(&palisade(&all));
        report["subjects"]
            .as_array()
            .expect("subjects")
            .iter()
            .map(|s| {
                format!(
                    "{}/{}",
                    s["kind"].as_str().unwrap_or(""),
                    s["name"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
    };
    let without = who(false);
    let with = who(true);
    assert!(
        !without.iter().any(|s| s.contains("kube-system")),
        "{without:?}"
    );
    assert!(
        with.iter()
            .any(|s| s.starts_with("ServiceAccount/") && s.contains("node-controller")),
        "{with:?}"
    );
    assert!(with.iter().any(|s| s == "Group/system:masters"), "{with:?}");

    // risks takes the flag too and still runs.
    let risks = palisade(&[
        "rbac",
        "risks",
        "-f",
        "examples/rbac.yaml",
        "--include-defaults",
    ]);
    assert!(matches!(risks.status.code(), Some(0 | 1)), "{risks:?}");
}

/// The example lines of a command's `--help`: the indented lines after
/// `Examples:` up to the first blank line.
fn help_examples(command: &[&str]) -> Vec<String> {
    let mut args = command.to_vec();
    args.push("--help");
    let help = palisade(&args);
    assert!(help.status.success(), "{command:?} --help");
    let text = String::from_utf8_lossy(&help.stdout).into_owned();
    text.lines()
        .skip_while(|l| !l.starts_with("Examples:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_owned())
        .collect()
}

#[test]
fn every_help_example_runs_as_written() {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_palisade"))
        .parent()
        .expect("the binary has a directory")
        .to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // `serve` is left out: its examples run a server until it is stopped.
    let commands: [&[&str]; 20] = [
        &[],
        &["scan"],
        &["fix"],
        &["inventory"],
        &["rules"],
        &["explain"],
        &["netpol"],
        &["netpol", "connlist"],
        &["netpol", "reach"],
        &["netpol", "matrix"],
        &["netpol", "lint"],
        &["rbac"],
        &["rbac", "can-i"],
        &["rbac", "who-can"],
        &["rbac", "risks"],
        &["admit"],
        &["certs"],
        &["harden"],
        &["test"],
        &["simulate"],
    ];
    let mut ran = 0;
    for command in commands {
        let examples = help_examples(command);
        assert!(!examples.is_empty(), "{command:?} has examples");
        for example in examples {
            assert!(example.contains("palisade "), "{example}");
            // Run through a shell so pipes work as a reader would type them.
            let output = Command::new("sh")
                .args(["-c", &example])
                .env("PATH", &path)
                .current_dir(repo_root())
                .output()
                .expect("sh runs");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                matches!(output.status.code(), Some(0 | 1)) && !stderr.contains("error"),
                "`{example}` exited {:?}: {stderr}",
                output.status.code()
            );
            assert!(!output.stdout.is_empty(), "`{example}` printed nothing");
            ran += 1;
        }
    }
    assert!(ran >= 30, "{ran} examples");
}

#[test]
fn color_output_and_quiet_mean_the_same_on_every_command() {
    let runs: [&[&str]; 8] = [
        &["scan", "examples/shop.yaml"],
        &["inventory", "examples/shop.yaml"],
        &["rules"],
        &["explain", "pss/privileged"],
        &["netpol", "connlist", "-f", "examples/"],
        &["netpol", "lint", "-f", "examples/"],
        &[
            "rbac",
            "who-can",
            "get",
            "pods",
            "-n",
            "shop",
            "-f",
            "examples/",
        ],
        &[
            "rbac",
            "can-i",
            "get",
            "pods",
            "-n",
            "shop",
            "--as",
            "alice",
            "-f",
            "examples/",
        ],
    ];
    for args in runs {
        let plain = palisade(args);
        let mut coloured = args.to_vec();
        coloured.extend(["--color", "never"]);
        let never = palisade(&coloured);
        assert_eq!(never.status.code(), plain.status.code(), "{args:?}");
        assert_eq!(
            never.stdout, plain.stdout,
            "{args:?}: piped output has no colour either way"
        );
        let mut quiet = args.to_vec();
        quiet.push("-q");
        let quiet = palisade(&quiet);
        assert_eq!(quiet.status.code(), plain.status.code(), "{args:?}");
        assert!(quiet.stdout.is_empty(), "{args:?} -q prints nothing");
    }
    // One format name means one format everywhere; np-guard's `txt` still reads as text.
    let txt = palisade(&["netpol", "connlist", "-f", "examples/", "-o", "txt"]);
    let text = palisade(&["netpol", "connlist", "-f", "examples/", "-o", "text"]);
    assert_eq!(txt.stdout, text.stdout);
    let reach = palisade(&[
        "netpol",
        "reach",
        "-f",
        "examples/",
        "--from",
        "shop/storefront",
        "--to",
        "shop/orders-db",
        "-o",
        "text",
    ]);
    assert!(matches!(reach.status.code(), Some(0 | 1)));
    let wrong = palisade(&["netpol", "matrix", "-f", "examples/", "-o", "json"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("expected one of table, csv, html"));
    // --explain has no short -v: kubectl users read -v as verbosity.
    let short = palisade(&[
        "rbac",
        "can-i",
        "get",
        "pods",
        "--as",
        "alice",
        "-f",
        "examples/",
        "-v",
    ]);
    assert_eq!(short.status.code(), Some(2));
}

#[test]
fn fail_on_never_reports_and_exits_0() {
    let output = palisade(&[
        "scan",
        "examples/shop.yaml",
        "-o",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report = json_of(&output);
    assert!(!findings(&report).is_empty());
    assert_eq!(report["summary"]["failOn"], "never");
    assert_eq!(report["summary"]["failed"], false);
    assert_eq!(report["summary"]["pssPolicy"], "restricted:latest");
    let risks = palisade(&["rbac", "risks", "-f", "examples/", "--fail-on", "never"]);
    assert_eq!(risks.status.code(), Some(0));
}

#[test]
fn who_can_and_can_i_number_rules_from_1_and_answer_in_json() {
    let output = palisade(&[
        "rbac",
        "who-can",
        "create",
        "pods",
        "-n",
        "shop",
        "-f",
        "examples/rbac.yaml",
        "-o",
        "json",
    ]);
    let answer = json_of(&output);
    let table = palisade(&[
        "rbac",
        "who-can",
        "create",
        "pods",
        "-n",
        "shop",
        "-f",
        "examples/rbac.yaml",
    ]);
    let table = String::from_utf8_lossy(&table.stdout).into_owned();
    let subjects = answer["subjects"].as_array().expect("subjects");
    assert!(!subjects.is_empty());
    for subject in subjects {
        for via in subject["via"].as_array().expect("via") {
            let rule = via["rule"].as_u64().expect("rule number");
            assert!(rule >= 1, "{via}");
            let binding = via["binding"].as_str().unwrap_or_default();
            // The table names the same rule with the same number.
            if table.contains(binding) {
                assert!(
                    table.contains(&format!("rule #{rule}")),
                    "{via} in\n{table}"
                );
            }
        }
    }
    let can_i = palisade(&[
        "rbac",
        "can-i",
        "create",
        "pods",
        "-n",
        "shop",
        "--as",
        "alice",
        "-f",
        "examples/",
        "-o",
        "json",
    ]);
    assert_eq!(can_i.status.code(), Some(0));
    let answer = json_of(&can_i);
    assert_eq!(answer["allowed"], true);
    assert!(
        answer["grantedBy"]["rule"].as_u64().is_some_and(|r| r >= 1),
        "{answer}"
    );
    let denied = palisade(&[
        "rbac",
        "can-i",
        "delete",
        "nodes",
        "--as",
        "alice",
        "-f",
        "examples/",
        "-o",
        "json",
    ]);
    assert_eq!(denied.status.code(), Some(1));
    assert_eq!(json_of(&denied)["allowed"], false);
}

#[test]
fn scan_describes_itself_as_every_analyzer() {
    let help = palisade(&["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    let scan_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("scan "))
        .expect("scan is listed");
    for analyzer in ["Pod Security", "NetworkPolicy", "RBAC", "YAML"] {
        assert!(scan_line.contains(analyzer), "{scan_line}");
    }
}

#[test]
fn allowed_registries_reach_the_registry_check() {
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "examples/",
            "--analyzers",
            "resources/registry-not-allowed",
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        let output = palisade(&args);
        let report = json_of(&output);
        findings(&report)
            .iter()
            .map(|f| f["message"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    // Without the option the rule has nothing to compare against.
    assert!(scan(&[]).is_empty());
    // Docker Hub's official images are allowed; every other image is named.
    let flagged = scan(&["--allowed-registries", "docker.io/library"]);
    assert!(!flagged.is_empty());
    assert!(
        flagged
            .iter()
            .all(|m| m.contains("example/checkout") || m.contains("nginxinc/")),
        "{flagged:#?}"
    );
}
