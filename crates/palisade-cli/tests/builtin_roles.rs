//! References to the API server's built-in roles resolve by default, in every
//! command (issue #13 item 6): a binding to cluster-admin is the critical grant it
//! is, not a binding that "grants nothing".

mod common;

use common::{json_of, palisade};

const FIXTURE: &str = "crates/palisade-cli/tests/fixtures/builtin-role-bindings.yaml";

fn rules_of(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["severity"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn scan_rates_a_binding_to_cluster_admin_as_critical() {
    let output = palisade(&["scan", FIXTURE, "-o", "json"]);
    let rules = rules_of(&json_of(&output));
    assert!(
        rules.contains(&("rbac/admin-cluster".to_owned(), "critical".to_owned())),
        "{rules:?}"
    );
    assert!(
        !rules.iter().any(|(r, _)| r == "rbac/missing-role"),
        "{rules:?}"
    );
    // The summary counts the input's objects, not the built-in roles.
    assert_eq!(json_of(&output)["summary"]["objects"], 2);

    // --no-defaults: the old reading, where the roles do not exist.
    let output = palisade(&["scan", FIXTURE, "-o", "json", "--no-defaults"]);
    let rules = rules_of(&json_of(&output));
    assert_eq!(
        rules,
        [
            ("rbac/missing-role".to_owned(), "medium".to_owned()),
            ("rbac/missing-role".to_owned(), "medium".to_owned())
        ]
    );
}

#[test]
fn can_i_and_who_can_resolve_built_in_roles_unless_told_not_to() {
    let ask = |extra: &[&str]| {
        let mut args = vec![
            "rbac", "can-i", "create", "pods", "-n", "shop", "--as", "bob", "-f", FIXTURE,
        ];
        args.extend_from_slice(extra);
        let output = palisade(&args);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        )
    };
    assert_eq!(ask(&[]), (Some(0), "yes".to_owned()));
    assert_eq!(ask(&["--no-defaults"]), (Some(1), "no".to_owned()));
    assert_eq!(ask(&["--include-defaults"]), (Some(0), "yes".to_owned()));
    let both = palisade(&[
        "rbac",
        "can-i",
        "get",
        "pods",
        "--as",
        "bob",
        "-f",
        FIXTURE,
        "--include-defaults",
        "--no-defaults",
    ]);
    assert_eq!(
        both.status.code(),
        Some(2),
        "the two flags contradict each other"
    );

    let output = palisade(&[
        "rbac", "who-can", "delete", "secrets", "-n", "shop", "-f", FIXTURE, "-o", "json",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("\"bob\"") && text.contains("\"ci\""),
        "{text}"
    );
}

#[test]
fn a_role_of_the_same_name_in_the_input_replaces_the_built_in_one() {
    let input = format!(
        "{}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: edit}}\nrules:\n- {{apiGroups: [\"\"], resources: [configmaps], verbs: [get]}}\n",
        std::fs::read_to_string(common::repo_root().join(FIXTURE)).unwrap()
    );
    let output = common::palisade_with_stdin(
        &[
            "rbac", "can-i", "create", "pods", "-n", "shop", "--as", "bob", "-f", "-",
        ],
        &input,
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "no");
}
