//! The rule registry, end to end: every rule is documented, every id an analyzer
//! emits is registered, and `rules`, `explain`, `--analyzers` and `--accept`
//! speak the registry's ids.

mod common;

use common::{json_of, palisade, repo_root};

use std::collections::BTreeSet;

use serde_json::Value;

/// `palisade rules -o json`, as the list of rule objects.
fn registered_rules() -> Vec<Value> {
    let output = palisade(&["rules", "-o", "json"]);
    assert_eq!(output.status.code(), Some(0));
    json_of(&output)["rules"]
        .as_array()
        .cloned()
        .expect("rules is an array")
}

fn registered_ids() -> BTreeSet<String> {
    registered_rules()
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

/// The ids a scan of `paths` reports, with every analyzer and no filter.
fn emitted_ids(paths: &[&str]) -> BTreeSet<String> {
    let mut args = vec![
        "scan",
        "-o",
        "json",
        "--fail-on",
        "never",
        "--ignore-invalid",
    ];
    args.extend(paths);
    let output = palisade(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_of(&output)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn every_rule_is_unique_documented_and_named_for_its_analyzer() {
    let rules = registered_rules();
    assert!(rules.len() > 70, "{} rules", rules.len());
    let mut seen = BTreeSet::new();
    for rule in &rules {
        let id = rule["id"].as_str().expect("id");
        assert!(seen.insert(id.to_owned()), "{id} is registered twice");
        let analyzer = rule["analyzer"].as_str().expect("analyzer");
        assert!(
            id.starts_with(&format!("{analyzer}/")),
            "{id} under {analyzer}"
        );
        assert!(
            ["info", "low", "medium", "high", "critical"]
                .contains(&rule["severity"].as_str().unwrap_or("")),
            "{id}"
        );
        assert!(
            !rule["summary"].as_str().unwrap_or("").is_empty(),
            "{id} has a summary"
        );
        for section in ["what", "why", "example", "fix"] {
            assert!(
                !rule["docs"][section].as_str().unwrap_or("").is_empty(),
                "{id} documents {section}"
            );
        }
    }
    for analyzer in ["pss", "netpol", "rbac", "yaml"] {
        assert!(
            rules.iter().any(|r| r["analyzer"] == analyzer),
            "{analyzer} has rules"
        );
    }
}

#[test]
fn every_id_the_examples_and_fixtures_emit_is_registered() {
    let registered = registered_ids();
    let emitted = emitted_ids(&["examples/", "crates/palisade-cli/tests/fixtures/"]);
    // A family (`policy/*`) registers every id below it: the policies of the
    // input (the challenge's run-as-non-root constraint) name their members.
    let families: Vec<&str> = registered
        .iter()
        .filter_map(|id| id.strip_suffix('*'))
        .collect();
    let unregistered: Vec<&String> = emitted
        .difference(&registered)
        .filter(|id| !families.iter().any(|family| id.starts_with(family)))
        .collect();
    assert!(
        unregistered.is_empty(),
        "unregistered ids: {unregistered:?}"
    );
    // The fixtures reach every analyzer, so the check is not vacuous.
    for analyzer in ["pss/", "netpol/", "rbac/", "yaml/"] {
        assert!(
            emitted.iter().any(|id| id.starts_with(analyzer)),
            "{analyzer} emitted"
        );
    }
}

#[test]
fn the_registry_documents_the_severity_table() {
    let rules = registered_rules();
    let severity = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .and_then(|r| r["severity"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("{id} is registered"))
    };
    assert_eq!(severity("pss/privileged"), "critical");
    assert_eq!(severity("pss/hostPathVolumes"), "high");
    assert_eq!(severity("pss/capabilities_baseline"), "high");
    assert_eq!(severity("pss/seccompProfile_restricted"), "low");
    assert_eq!(severity("rbac/admin-cluster"), "critical");
    assert_eq!(severity("yaml/duplicate-key"), "medium");
    // Restricted variants say when they rise to baseline's severity.
    let restricted_volumes = rules
        .iter()
        .find(|r| r["id"] == "pss/restrictedVolumes")
        .expect("restrictedVolumes");
    assert!(
        restricted_volumes["severityVaries"]
            .as_str()
            .is_some_and(|v| v.contains("hostPath")),
        "{restricted_volumes}"
    );
}

#[test]
fn explain_prints_the_documentation_and_rejects_unknown_ids() {
    let output = palisade(&["explain", "pss/restrictedVolumes"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    for part in [
        "pss/restrictedVolumes: ",
        "severity: medium",
        "versions: v1.0 and later",
        "## Why it matters",
        "## Example",
        "## How to fix",
        "PersistentVolumeClaim",
    ] {
        assert!(text.contains(part), "{part:?} in\n{text}");
    }
    let as_json = json_of(&palisade(&["explain", "rbac/esc-bind", "-o", "json"]));
    assert_eq!(as_json["id"], "rbac/esc-bind");
    assert!(
        as_json["docs"]["why"]
            .as_str()
            .is_some_and(|w| w.contains("bind"))
    );

    let unknown = palisade(&["explain", "pss/privilegd"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("unknown rule \"pss/privilegd\""),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean pss/privileged?"), "{stderr}");
}

#[test]
fn analyzers_and_accept_take_only_registered_ids_and_are_checked_before_input() {
    // The input does not exist: a flag error must win, because flags are
    // checked before anything is read.
    let bad_analyzer = palisade(&["scan", "no-such-dir/", "--analyzers", "pss,falco"]);
    assert_eq!(bad_analyzer.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad_analyzer.stderr);
    assert!(stderr.contains("unknown analyzer \"falco\""), "{stderr}");
    assert!(!stderr.contains("no-such-dir"), "{stderr}");

    let dir = std::env::temp_dir().join(format!("palisade-accept-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let accept = dir.join("accept.yaml");
    std::fs::write(
        &accept,
        "accepted:\n  - rule: pss/privileged-container\n    reason: typo in the rule id\n",
    )
    .expect("accept file");
    let accept = accept.to_string_lossy().into_owned();
    let bad_accept = palisade(&["scan", "no-such-dir/", "--accept", &accept]);
    assert_eq!(bad_accept.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad_accept.stderr);
    assert!(
        stderr.contains("unknown rule \"pss/privileged-container\""),
        "{stderr}"
    );
    assert!(!stderr.contains("no-such-dir"), "{stderr}");

    let bad_list = palisade(&[
        "rbac",
        "can-i",
        "--list",
        "get",
        "pods",
        "--as",
        "a",
        "-f",
        "no-such-dir/",
    ]);
    assert_eq!(bad_list.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad_list.stderr);
    assert!(stderr.contains("--list takes no VERB"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn analyzers_select_single_rules_by_id() {
    let output = palisade(&[
        "scan",
        "examples/",
        "--analyzers",
        "pss/privileged,rbac/esc-*",
        "-o",
        "json",
    ]);
    let report = json_of(&output);
    let ids: BTreeSet<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(ids.contains("pss/privileged"), "{ids:?}");
    assert!(
        ids.iter()
            .all(|id| *id == "pss/privileged" || id.starts_with("rbac/esc-")),
        "{ids:?}"
    );
}

#[test]
fn rules_table_lists_every_rule_and_filters_by_analyzer() {
    let all = palisade(&["rules"]);
    assert_eq!(all.status.code(), Some(0));
    let text = String::from_utf8_lossy(&all.stdout);
    assert!(text.starts_with("RULE"), "{text}");
    for id in registered_ids() {
        assert!(text.contains(&id), "{id} listed");
    }
    let netpol = palisade(&["rules", "--analyzer", "netpol", "-o", "json"]);
    let rules = json_of(&netpol)["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!rules.is_empty() && rules.iter().all(|r| r["analyzer"] == "netpol"));
    assert_eq!(
        palisade(&["rules", "--analyzer", "nope"]).status.code(),
        Some(2)
    );
}

#[test]
fn rules_md_is_generated_from_the_registry_and_current() {
    let output = palisade(&["rules", "-o", "md"]);
    assert_eq!(output.status.code(), Some(0));
    let generated = String::from_utf8_lossy(&output.stdout);
    let committed = std::fs::read_to_string(repo_root().join("RULES.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "RULES.md is stale: run `cargo run -p palisade-cli -- rules -o md > RULES.md`"
    );
    for id in registered_ids() {
        assert!(committed.contains(&format!("`{id}`")), "{id} in RULES.md");
    }
}
