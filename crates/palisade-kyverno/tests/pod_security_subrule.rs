//! The four `podSecurity` subrule tests of the Kyverno policy library
//! (`pod-security/subrule/` in the shared conformance data): each resource is
//! judged by the policy's `validate.podSecurity` rules and compared with the
//! test file's expected result. Resource names are matched across kinds, and
//! an entry for rule `r` also covers `autogen-r` / `autogen-cronjob-r`, which
//! reuse the same `podSecurity` object, as `kyverno test` does.

use std::path::Path;

use palisade_kyverno::test_file::{read_documents, read_resources, read_test};
use palisade_kyverno::{Json, Status, pod_security};

const SUBRULE: &str = "/work/shared/conformance/kyverno/policies/pod-security/subrule";

/// The `validate.podSecurity` rules of a ClusterPolicy: (rule name, object).
fn pod_security_rules(policy: &Json) -> Vec<(String, Json)> {
    policy
        .pointer("/spec/rules")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|rule| {
            let name = rule.get("name")?.as_str()?.to_owned();
            let pod_security = rule.pointer("/validate/podSecurity")?.clone();
            Some((name, pod_security))
        })
        .collect()
}

fn pod_controller(kind: &str) -> bool {
    matches!(
        kind,
        "Pod"
            | "Deployment"
            | "DaemonSet"
            | "StatefulSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job"
            | "CronJob"
    )
}

#[test]
fn subrule_tests_give_the_expected_results() {
    let root = Path::new(SUBRULE);
    if !root.exists() {
        eprintln!("skipped: {SUBRULE} is absent");
        return;
    }
    let tests = palisade_kyverno::test_file::find_tests(root);
    assert_eq!(tests.len(), 4, "{tests:?}");
    let mut checks = 0;
    for test_path in tests {
        let test = read_test(&test_path).unwrap();
        let policies: Vec<Json> = test
            .policies
            .iter()
            .flat_map(|p| read_documents(p).unwrap())
            .collect();
        let resources = read_resources(&test.resources).unwrap();
        for expectation in &test.results {
            let policy = policies
                .iter()
                .find(|p| {
                    p.pointer("/metadata/name").and_then(Json::as_str) == Some(&expectation.policy)
                })
                .unwrap_or_else(|| panic!("{}: no policy {}", test.name, expectation.policy));
            let rules = pod_security_rules(policy);
            for wanted in &expectation.resources {
                let (namespace, name) = match wanted.split_once('/') {
                    Some((ns, name)) => (Some(ns), name),
                    None => (None, wanted.as_str()),
                };
                let matching: Vec<&Json> = resources
                    .iter()
                    .filter(|r| r.pointer("/metadata/name").and_then(Json::as_str) == Some(name))
                    .filter(|r| {
                        namespace.is_none_or(|ns| {
                            r.pointer("/metadata/namespace").and_then(Json::as_str) == Some(ns)
                        })
                    })
                    .collect();
                assert!(!matching.is_empty(), "{}: no resource {wanted}", test.name);
                for resource in matching {
                    let kind = resource.get("kind").and_then(Json::as_str).unwrap_or("");
                    assert!(pod_controller(kind), "{}: {wanted} is a {kind}", test.name);
                    for (rule_name, pod_security) in &rules {
                        let covered = expectation.rule.as_deref().is_none_or(|rule| {
                            [
                                rule.to_owned(),
                                format!("autogen-{rule}"),
                                format!("autogen-cronjob-{rule}"),
                            ]
                            .contains(rule_name)
                        });
                        if !covered {
                            continue;
                        }
                        let outcome =
                            pod_security::evaluate_rule(rule_name, pod_security, resource);
                        assert_eq!(
                            outcome.status, expectation.result,
                            "{}: {wanted} ({kind}) rule {rule_name}: {}",
                            test.name, outcome.message
                        );
                        if outcome.status == Status::Fail {
                            assert!(
                                outcome.message.contains("violates PodSecurity"),
                                "{}",
                                outcome.message
                            );
                        }
                        checks += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checks, 8);
}
