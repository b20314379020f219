//! Overlay tests: small cases paraphrased from the policy library and from
//! Kyverno's own `validate_test.go` expectations.

use super::*;
use serde_json::json;

fn pass(resource: Json, pattern: Json) {
    assert_eq!(
        validate(&resource, &pattern),
        PatternResult::Pass,
        "{resource} vs {pattern}"
    );
}

fn fail_at(resource: Json, pattern: Json, path: &str) {
    assert_eq!(
        validate(&resource, &pattern),
        PatternResult::Fail {
            path: path.to_string()
        },
        "{resource} vs {pattern}"
    );
}

fn skipped(resource: Json, pattern: Json) -> String {
    match validate(&resource, &pattern) {
        PatternResult::Skip { message } => message,
        other => panic!("expected skip, got {other:?} for {resource} vs {pattern}"),
    }
}

fn errored(resource: Json, pattern: Json) -> String {
    match validate(&resource, &pattern) {
        PatternResult::Error { message } => message,
        other => panic!("expected error, got {other:?} for {resource} vs {pattern}"),
    }
}

fn privileged_pattern() -> Json {
    // pod-security/baseline/disallow-privileged-containers
    json!({"spec": {
        "=(ephemeralContainers)": [{"=(securityContext)": {"=(privileged)": "false"}}],
        "=(initContainers)": [{"=(securityContext)": {"=(privileged)": "false"}}],
        "containers": [{"=(securityContext)": {"=(privileged)": "false"}}]
    }})
}

#[test]
fn equality_anchor_checks_only_present_keys() {
    pass(
        json!({"spec": {"containers": [{"name": "a"}]}}),
        privileged_pattern(),
    );
    pass(
        json!({"spec": {"containers": [{"name": "a", "securityContext": {"privileged": false}}]}}),
        privileged_pattern(),
    );
    fail_at(
        json!({"spec": {"containers": [
            {"name": "a"},
            {"name": "b", "securityContext": {"privileged": true}}
        ]}}),
        privileged_pattern(),
        "/spec/containers/1/securityContext/privileged/",
    );
    fail_at(
        json!({"spec": {"initContainers": [{"securityContext": {"privileged": true}}], "containers": []}}),
        privileged_pattern(),
        "/spec/initContainers/0/securityContext/privileged/",
    );
}

#[test]
fn plain_keys_must_exist() {
    // A pattern key missing from the resource fails at that key's path.
    fail_at(
        json!({"spec": {}}),
        privileged_pattern(),
        "/spec/containers/",
    );
    // best-practices/require-pod-requests-limits: "?*" needs a non-empty value.
    let pattern = json!({"spec": {"containers": [{"resources": {"requests": {"memory": "?*", "cpu": "?*"}}}]}});
    pass(
        json!({"spec": {"containers": [{"resources": {"requests": {"memory": "1Gi", "cpu": 1}}}]}}),
        pattern.clone(),
    );
    fail_at(
        json!({"spec": {"containers": [{"resources": {"requests": {"memory": "1Gi"}}}]}}),
        pattern,
        "/spec/containers/0/resources/requests/cpu/",
    );
}

#[test]
fn star_means_present_and_not_null() {
    let pattern = json!({"spec": {"containers": [{"name": "*", "livenessProbe": "*"}]}});
    pass(
        json!({"spec": {"containers": [{"name": "a", "livenessProbe": {"x": 1}}]}}),
        pattern.clone(),
    );
    // Kyverno reports the parent path when a "*" key is missing or null.
    fail_at(
        json!({"spec": {"containers": [{"name": "a", "livenessProbe": null}]}}),
        pattern.clone(),
        "/spec/containers/0/",
    );
    fail_at(
        json!({"spec": {"containers": [{"name": "a"}]}}),
        pattern,
        "/spec/containers/0/",
    );
}

#[test]
fn null_pattern_accepts_missing_fields() {
    let pattern = json!({"spec": {"containers": [{"name": "*", "livenessProbe": null}]}});
    pass(
        json!({"spec": {"containers": [{"name": "a"}]}}),
        pattern.clone(),
    );
    fail_at(
        json!({"spec": {"containers": [{"name": "a", "livenessProbe": {"x": 1}}]}}),
        pattern,
        "/spec/containers/0/livenessProbe/",
    );
}

#[test]
fn negation_anchor_forbids_the_key() {
    // pod-security/baseline/disallow-host-path: X(hostPath) in each volume.
    let pattern = json!({"spec": {"=(volumes)": [{"X(hostPath)": "null"}]}});
    pass(
        json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}),
        pattern.clone(),
    );
    pass(json!({"spec": {}}), pattern.clone());
    fail_at(
        json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/"}}]}}),
        pattern,
        "/spec/volumes/1/hostPath/",
    );
    // best-practices/restrict-service-external-ips
    fail_at(
        json!({"spec": {"externalIPs": ["1.2.3.4"]}}),
        json!({"spec": {"X(externalIPs)": "null"}}),
        "/spec/externalIPs/",
    );
}

#[test]
fn conditional_anchor_in_list_elements() {
    // Kyverno validate_test TestConditionalAnchorWithMultiplePatterns.
    let pattern = json!({"spec": {"containers": [{"name": "*", "(image)": "*:latest | !*:*", "imagePullPolicy": "!Always"}]}});
    let pod = |containers: Json| json!({"spec": {"containers": containers}});
    // test-1: the only container does not meet the condition: skip.
    skipped(
        pod(json!([{"name": "nginx", "image": "nginx:1.2.3", "imagePullPolicy": "Always"}])),
        pattern.clone(),
    );
    // test-2 and test-3: condition met, check fails.
    fail_at(
        pod(json!([{"name": "nginx", "image": "nginx:latest", "imagePullPolicy": "Always"}])),
        pattern.clone(),
        "/spec/containers/0/imagePullPolicy/",
    );
    fail_at(
        pod(json!([{"name": "nginx", "image": "nginx", "imagePullPolicy": "Always"}])),
        pattern.clone(),
        "/spec/containers/0/imagePullPolicy/",
    );
    // test-4: condition met and check holds.
    pass(
        pod(json!([{"name": "nginx", "image": "nginx", "imagePullPolicy": "Never"}])),
        pattern.clone(),
    );
    // test-10: one element applies and passes, the other is left out.
    pass(
        pod(json!([
            {"name": "nginx", "image": "nginx", "imagePullPolicy": "Never"},
            {"name": "busybox", "image": "busybox:1.28", "imagePullPolicy": "Always"}
        ])),
        pattern.clone(),
    );
    // test-9: no element applies.
    skipped(
        pod(json!([
            {"name": "nginx", "image": "nginx:1.2.3", "imagePullPolicy": "Always"},
            {"name": "busybox", "image": "busybox:1.28", "imagePullPolicy": "Always"}
        ])),
        pattern.clone(),
    );
    // test-13: the second element applies and fails.
    fail_at(
        pod(json!([
            {"name": "busybox", "image": "busybox:1.28", "imagePullPolicy": "Always"},
            {"name": "nginx", "image": "nginx", "imagePullPolicy": "Always"}
        ])),
        pattern,
        "/spec/containers/1/imagePullPolicy/",
    );
}

#[test]
fn conditional_anchor_message_nests_like_kyverno() {
    // other/docker-socket-requires-label (Kyverno tests 37-42).
    let pattern = json!({
        "metadata": {"labels": {"allow-docker": "true"}},
        "(spec)": {"(volumes)": [{"(hostPath)": {"path": "/var/run/docker.sock"}}]}
    });
    let message = skipped(
        json!({"metadata": {"labels": {"run": "nginx"}}, "spec": {"containers": [{"name": "nginx"}]}}),
        pattern.clone(),
    );
    assert_eq!(
        message,
        "conditional anchor mismatch: conditional anchor mismatch: conditional anchor key doesn't exist in the resource"
    );
    let message = skipped(
        json!({"metadata": {"labels": {"allow-docker": "false"}}, "spec": {"volumes": [{"hostPath": {"path": "/random/value"}}]}}),
        pattern.clone(),
    );
    assert_eq!(
        message,
        "conditional anchor mismatch: conditional anchor mismatch: conditional anchor mismatch: \
         resource value '/random/value' does not match '/var/run/docker.sock' at path /spec/volumes/0/hostPath/path/"
    );
    fail_at(
        json!({"metadata": {"labels": {"allow-docker": "false"}}, "spec": {"volumes": [{"hostPath": {"path": "/var/run/docker.sock"}}]}}),
        pattern.clone(),
        "/metadata/labels/allow-docker/",
    );
    pass(
        json!({"metadata": {"labels": {"allow-docker": "true"}}, "spec": {"volumes": [{"hostPath": {"path": "/var/run/docker.sock"}}]}}),
        pattern,
    );
}

#[test]
fn conditional_anchor_with_and_of_negations() {
    // Kyverno tests 51-54: "(name)": "!a&!b" selects volumes by name.
    let pattern = json!({"spec": {"=(volumes)": [{
        "(name)": "!credential-socket&!istio-data&!istio-envoy",
        "=(emptyDir)": {"sizeLimit": "?*"}
    }]}});
    skipped(
        json!({"spec": {"volumes": [{"name": "credential-socket", "emptyDir": {"sizeLimit": "1Gi"}}]}}),
        pattern.clone(),
    );
    pass(
        json!({"spec": {"volumes": [{"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}}]}}),
        pattern.clone(),
    );
    pass(
        json!({"spec": {"volumes": [{"name": "cache"}]}}),
        pattern.clone(),
    );
    fail_at(
        json!({"spec": {"volumes": [{"name": "cache", "emptyDir": {}}]}}),
        pattern,
        "/spec/volumes/0/emptyDir/sizeLimit/",
    );
}

#[test]
fn global_anchor_skips_the_whole_rule() {
    // Kyverno Test_global_anchor.
    let pattern = json!({"spec": {"containers": [{"name": "*", "<(image)": "*:latest", "imagePullPolicy": "!Always"}]}});
    let message = skipped(
        json!({"spec": {"containers": [{"name": "nginx", "image": "nginx:v1", "imagePullPolicy": "Always"}]}}),
        pattern.clone(),
    );
    assert!(message.starts_with("global anchor mismatch: "), "{message}");
    fail_at(
        json!({"spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "imagePullPolicy": "Always"}]}}),
        pattern.clone(),
        "/spec/containers/0/imagePullPolicy/",
    );
    pass(
        json!({"spec": {"containers": [
            {"name": "nginx", "image": "nginx:latest", "imagePullPolicy": "IfNotPresent"},
            {"name": "nginx", "image": "nginx:v2", "imagePullPolicy": "IfNotPresent"}
        ]}}),
        pattern,
    );
    // An absent global anchor key does not skip: the rest is checked.
    let pattern = json!({"metadata": {"<(name)": "nginx"}, "spec": {"imagePullSecrets": [{"name": "regcred"}]}});
    fail_at(
        json!({"metadata": {}, "spec": {"imagePullSecrets": [{"name": "cred"}]}}),
        pattern.clone(),
        "/spec/imagePullSecrets/0/name/",
    );
    // A present one that does not match skips, and maps holding anchors are
    // walked first, so the failing imagePullSecrets is never reached.
    skipped(
        json!({"metadata": {"name": "somename"}, "spec": {"imagePullSecrets": [{"name": "cred"}]}}),
        pattern,
    );
}

#[test]
fn global_anchor_in_a_sibling_map_is_checked_before_plain_keys() {
    // test-34/35: the global anchor under containers is evaluated first, so a
    // non-matching image skips even though imagePullSecrets would fail.
    let pattern = json!({"spec": {"containers": [{"name": "*", "<(image)": "nginx"}], "imagePullSecrets": [{"name": "my-registry-secret"}]}});
    fail_at(
        json!({"spec": {"containers": [{"name": "nginx", "image": "nginx"}], "imagePullSecrets": [{"name": "cred"}]}}),
        pattern.clone(),
        "/spec/imagePullSecrets/0/name/",
    );
    skipped(
        json!({"spec": {"containers": [{"name": "nginx", "image": "somepod"}], "imagePullSecrets": [{"name": "cred"}]}}),
        pattern,
    );
}

#[test]
fn existence_anchor_needs_one_matching_element() {
    // Kyverno Test_existence_anchor_nestedConditional.
    let pattern =
        json!({"spec": {"^(containers)": [{"(name)": "nginx", "image": "nginx:latest"}]}});
    pass(
        json!({"spec": {"containers": [{"name": "redis", "image": "redis"}, {"name": "nginx", "image": "nginx:latest"}]}}),
        pattern.clone(),
    );
    fail_at(
        json!({"spec": {"containers": [{"name": "nginx", "image": "nginx:v1"}]}}),
        pattern.clone(),
        "/spec/containers/",
    );
    // The nested conditional mismatch does not leak out as a skip.
    fail_at(
        json!({"spec": {"containers": [{"name": "redis", "image": "redis:7"}]}}),
        pattern.clone(),
        "/spec/containers/",
    );
    // A non-list value is an error of the rule's pattern/resource shape.
    fail_at(
        json!({"spec": {"containers": "x"}}),
        pattern,
        "/spec/containers/",
    );
}

#[test]
fn missing_conditional_or_existence_key_turns_a_failure_into_an_error() {
    // The ^(volumes) key never occurs in the resource, so a failure elsewhere
    // loses its path: Kyverno reports an error.
    let pattern =
        json!({"spec": {"^(volumes)": [{"name": "data"}], "containers": [{"image": "!*:latest"}]}});
    let message = errored(
        json!({"spec": {"containers": [{"image": "nginx:latest"}]}}),
        pattern.clone(),
    );
    assert_eq!(
        message,
        "resource value 'nginx:latest' does not match '!*:latest' at path /spec/containers/0/image/"
    );
    // Negation keys never count as missing.
    fail_at(
        json!({"spec": {"containers": [{"image": "nginx:latest"}]}}),
        json!({"spec": {"X(hostNetwork)": "null", "containers": [{"image": "!*:latest"}]}}),
        "/spec/containers/0/image/",
    );
}

#[test]
fn wildcard_annotation_keys_match_one_resource_key() {
    // other/restrict-annotations: no annotation under fluxcd.io/.
    let pattern = json!({"metadata": {"=(annotations)": {"X(fluxcd.io/*)": "*?"}}});
    pass(
        json!({"metadata": {"annotations": {"team": "a"}}}),
        pattern.clone(),
    );
    fail_at(
        json!({"metadata": {"annotations": {"team": "a", "fluxcd.io/automated": "true"}}}),
        pattern,
        "/metadata/annotations/fluxcd.io/automated/",
    );
    // A plain wildcard label key must match a present label.
    let pattern = json!({"metadata": {"labels": {"app.kubernetes.io/*": "?*"}}});
    pass(
        json!({"metadata": {"labels": {"app.kubernetes.io/name": "web"}}}),
        pattern.clone(),
    );
    fail_at(
        json!({"metadata": {"labels": {"team": "a"}}}),
        pattern,
        "/metadata/labels/app.kubernetes.io/*/",
    );
}

#[test]
fn scalar_pattern_applies_to_each_list_element() {
    // pod-security/restricted/disallow-capabilities-strict style lists of strings.
    let pattern = json!({"spec": {"capabilities": {"drop": ["ALL | NET_RAW"]}}});
    pass(
        json!({"spec": {"capabilities": {"drop": ["ALL", "NET_RAW"]}}}),
        pattern.clone(),
    );
    fail_at(
        json!({"spec": {"capabilities": {"drop": ["ALL", "CHOWN"]}}}),
        pattern.clone(),
        "/spec/capabilities/drop/",
    );
    // A scalar pattern directly against a list value checks every element too.
    pass(json!({"ports": [80, 443]}), json!({"ports": ">0"}));
    fail_at(json!({"ports": [80, 0]}), json!({"ports": ">0"}), "/ports/");
}

#[test]
fn shapes_that_do_not_fit_fail() {
    fail_at(json!({"spec": "x"}), json!({"spec": {"a": 1}}), "/spec/");
    fail_at(
        json!({"spec": {"a": 1}}),
        json!({"spec": [{"a": 1}]}),
        "/spec/",
    );
    fail_at(json!({}), json!({"spec": [{"a": 1}]}), "/spec/");
    // An empty resource list passes a list pattern.
    pass(json!({"spec": {"containers": []}}), privileged_pattern());
    // An empty pattern list is an error at its path.
    fail_at(json!({"a": [1]}), json!({"a": []}), "/a/");
}

#[test]
fn host_ports_zero_or_absent() {
    // pod-security/baseline/disallow-host-ports: =(hostPort): 0
    let pattern = json!({"spec": {"containers": [{"=(ports)": [{"=(hostPort)": 0}]}]}});
    pass(
        json!({"spec": {"containers": [{"ports": [{"containerPort": 80}]}]}}),
        pattern.clone(),
    );
    pass(
        json!({"spec": {"containers": [{"ports": [{"hostPort": 0}]}]}}),
        pattern.clone(),
    );
    fail_at(
        json!({"spec": {"containers": [{"ports": [{"hostPort": 8080}]}]}}),
        pattern,
        "/spec/containers/0/ports/0/hostPort/",
    );
}

#[test]
fn add_if_not_present_is_a_literal_key_in_validation() {
    pass(json!({"+(a)": "x"}), json!({"+(a)": "x"}));
    fail_at(json!({"a": "x"}), json!({"+(a)": "x"}), "/+(a)/");
}

#[test]
fn any_pattern_passes_on_first_match_and_fails_otherwise() {
    // pod-security/restricted/require-run-as-nonroot
    let patterns = [
        json!({"spec": {"securityContext": {"runAsNonRoot": "true"}, "containers": [{"=(securityContext)": {"=(runAsNonRoot)": "true"}}]}}),
        json!({"spec": {"containers": [{"securityContext": {"runAsNonRoot": "true"}}]}}),
    ];
    let pod_level =
        json!({"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]}});
    assert_eq!(validate_any(&pod_level, &patterns), PatternResult::Pass);
    let container_level =
        json!({"spec": {"containers": [{"securityContext": {"runAsNonRoot": true}}]}});
    let report = validate_any_report(&container_level, &patterns);
    assert_eq!(report.passed_index(), Some(1));
    let none = json!({"spec": {"containers": [{"name": "a"}]}});
    let report = validate_any_report(&none, &patterns);
    assert_eq!(
        report.result(),
        PatternResult::Fail {
            path: "/spec/securityContext/".to_string()
        }
    );
    assert_eq!(
        report.failure_text("run-as-non-root"),
        "rule run-as-non-root[0] failed at path /spec/securityContext/ \
         rule run-as-non-root[1] failed at path /spec/containers/0/securityContext/"
    );
    assert_eq!(validate_any(&none, &[]), PatternResult::Pass);
}

#[test]
fn any_pattern_skips_only_when_all_skip() {
    let patterns = [
        json!({"(kind)": "Pod", "a": 1}),
        json!({"(kind)": "Job", "a": 1}),
    ];
    let report = validate_any_report(&json!({"kind": "Service"}), &patterns);
    assert!(matches!(report.result(), PatternResult::Skip { .. }));
    assert!(
        report
            .skip_text("r")
            .starts_with("rule r[0] skipped: conditional anchor mismatch")
    );
    let mixed = [json!({"(kind)": "Pod", "a": 1}), json!({"a": 2})];
    assert_eq!(
        validate_any(&json!({"kind": "Service", "a": 1}), &mixed),
        PatternResult::Fail {
            path: "/a/".to_string()
        }
    );
}

#[test]
fn deep_patterns_do_not_overflow_the_stack() {
    let mut pattern = json!("x");
    let mut resource = json!("x");
    for _ in 0..1000 {
        pattern = json!({ "a": pattern });
        resource = json!({ "a": resource });
    }
    assert!(matches!(
        validate(&resource, &pattern),
        PatternResult::Error { .. }
    ));
}
