//! End-to-end tests of `podSecurity` rules, on inputs taken from the
//! pod-security subrule policies of the conformance data.

use super::{evaluate, evaluate_rule};
use crate::Status;
use serde_json::{Value, json};

fn restricted_container(image: &str) -> Value {
    json!({"name": "container01", "image": image, "securityContext": {
        "allowPrivilegeEscalation": false, "runAsNonRoot": true,
        "seccompProfile": {"type": "RuntimeDefault"}, "capabilities": {"drop": ["ALL"]}}})
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
}

fn status(rule: Value, resource: &Value) -> Status {
    evaluate(&rule, resource).status
}

#[test]
fn baseline_fails_host_ipc_and_passes_a_plain_pod() {
    let rule = json!({"level": "baseline", "version": "latest"});
    let bad = pod(json!({"hostIPC": true, "containers": [{"name": "c", "image": "x"}]}));
    let good = pod(json!({"containers": [{"name": "c", "image": "x"}]}));
    assert_eq!(status(rule.clone(), &bad), Status::Fail);
    assert_eq!(status(rule, &good), Status::Pass);
}

#[test]
fn messages_follow_kyverno() {
    let rule = json!({"level": "baseline", "version": "latest"});
    let bad = pod(json!({"hostIPC": true, "containers": [{"name": "c"}]}));
    let outcome = evaluate_rule("baseline", &rule, &bad);
    assert!(
        outcome
            .message
            .starts_with("Validation rule 'baseline' failed. It violates PodSecurity \"baseline:latest\": (Forbidden reason: host namespaces"),
        "{}",
        outcome.message
    );
    let good = pod(json!({"containers": [{"name": "c"}]}));
    assert_eq!(
        evaluate_rule("baseline", &rule, &good).message,
        "Validation rule 'baseline' passed."
    );
    assert!(
        evaluate(&rule, &bad)
            .message
            .starts_with("failed. It violates PodSecurity")
    );
}

#[test]
fn restricted_requires_a_seccomp_profile() {
    let rule = json!({"level": "restricted", "version": "latest"});
    let mut container = restricted_container("busybox:1.28");
    container["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("seccompProfile");
    assert_eq!(
        status(rule.clone(), &pod(json!({"containers": [container]}))),
        Status::Fail
    );
    let good = pod(json!({"containers": [restricted_container("nginx")]}));
    assert_eq!(status(rule, &good), Status::Pass);
}

#[test]
fn capabilities_excluded_for_matching_images_only() {
    // restricted-exclude-capabilities: SYS_ADMIN is exempt for ghcr.io/kyverno/test-nginx* and redis*.
    let rule = json!({"level": "restricted", "version": "latest", "exclude": [
        {"controlName": "Capabilities", "images": ["ghcr.io/kyverno/test-nginx*", "redis*"]}]});
    let with_cap = |image: &str| {
        let mut c = restricted_container(image);
        c["securityContext"]["capabilities"]["add"] = json!(["SYS_ADMIN"]);
        pod(json!({"containers": [c]}))
    };
    assert_eq!(
        status(rule.clone(), &with_cap("ghcr.io/kyverno/test-nginx:latest")),
        Status::Pass
    );
    assert_eq!(status(rule.clone(), &with_cap("redis:7")), Status::Pass);
    assert_eq!(status(rule, &with_cap("busybox:1.28")), Status::Fail);
}

#[test]
fn image_exclusion_leaves_other_containers_failing() {
    let rule = json!({"level": "baseline", "exclude": [{"controlName": "Privileged Containers", "images": ["nginx*"]}]});
    let privileged = |name: &str, image: &str| json!({"name": name, "image": image, "securityContext": {"privileged": true}});
    let one = pod(json!({"containers": [privileged("a", "nginx:1")]}));
    let two = pod(json!({"containers": [privileged("a", "nginx:1"), privileged("b", "busybox")]}));
    assert_eq!(status(rule.clone(), &one), Status::Pass);
    assert_eq!(status(rule, &two), Status::Fail);
}

#[test]
fn image_exclusion_does_not_clear_pod_level_fields() {
    // With images the exclusion looks at containers only; the pod's hostPID stays.
    let rule = json!({"level": "baseline", "exclude": [{"controlName": "Host Namespaces", "images": ["*"]}]});
    let bad = pod(json!({"hostPID": true, "containers": [{"name": "a", "image": "x"}]}));
    assert_eq!(status(rule, &bad), Status::Fail);
    let rule = json!({"level": "baseline", "exclude": [{"controlName": "Host Namespaces"}]});
    assert_eq!(status(rule, &bad), Status::Pass);
}

#[test]
fn seccomp_excluded_at_pod_and_container_level() {
    // restricted-exclude-seccomp: pod-level Unconfined is exempt, other controls still apply.
    let rule = json!({"level": "restricted", "version": "latest", "exclude": [
        {"controlName": "Seccomp"}, {"controlName": "Seccomp", "images": ["*"]}]});
    let mut container = restricted_container("busybox:1.28");
    container["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("seccompProfile");
    let good = pod(
        json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [container.clone()]}),
    );
    assert_eq!(status(rule.clone(), &good), Status::Pass);
    container["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("runAsNonRoot");
    let bad = pod(
        json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [container]}),
    );
    assert_eq!(status(rule, &bad), Status::Fail);
}

#[test]
fn pod_level_exclusion_clears_one_unset_container_but_not_two() {
    // Kyverno's bare "fake" container fails allowPrivilegeEscalation once, removing one container's failure.
    let rule = json!({"level": "restricted", "exclude": [{"controlName": "Privilege Escalation"}]});
    let unset = |name: &str| {
        let mut c = restricted_container("x");
        c["name"] = json!(name);
        c["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("allowPrivilegeEscalation");
        c
    };
    assert_eq!(
        status(rule.clone(), &pod(json!({"containers": [unset("a")]}))),
        Status::Pass
    );
    assert_eq!(
        status(rule, &pod(json!({"containers": [unset("a"), unset("b")]}))),
        Status::Fail
    );
}

#[test]
fn unknown_control_names_exclude_nothing() {
    let rule = json!({"level": "baseline", "exclude": [{"controlName": "host namespaces"}]});
    let bad = pod(json!({"hostNetwork": true, "containers": [{"name": "a"}]}));
    assert_eq!(status(rule, &bad), Status::Fail);
}

#[test]
fn restricted_field_and_values_narrow_an_exclusion() {
    let rule = |values: Value| {
        json!({"level": "baseline", "exclude": [{"controlName": "Capabilities", "images": ["*"],
            "restrictedField": "spec.containers[*].securityContext.capabilities.add", "values": values}]})
    };
    let with_caps = pod(json!({"containers": [{"name": "a", "image": "x",
        "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}]}));
    assert_eq!(status(rule(json!(["NET_ADMIN"])), &with_caps), Status::Pass);
    assert_eq!(status(rule(json!(["SYS_*"])), &with_caps), Status::Fail);
    // A field of another container list does not apply to regular containers.
    let other_list = json!({"level": "baseline", "exclude": [{"controlName": "Capabilities", "images": ["*"],
        "restrictedField": "spec.initContainers[*].securityContext.capabilities.add"}]});
    assert_eq!(status(other_list, &with_caps), Status::Fail);
}

#[test]
fn restricted_field_only_clears_failures_it_explains() {
    // Excluding capabilities.add leaves the missing drop: ALL failing.
    let rule = json!({"level": "restricted", "exclude": [{"controlName": "Capabilities", "images": ["*"],
        "restrictedField": "spec.containers[*].securityContext.capabilities.add"}]});
    let mut c = restricted_container("x");
    c["securityContext"]["capabilities"] = json!({"add": ["SYS_ADMIN"]});
    assert_eq!(
        status(rule.clone(), &pod(json!({"containers": [c.clone()]}))),
        Status::Fail
    );
    c["securityContext"]["capabilities"]["drop"] = json!(["ALL"]);
    assert_eq!(status(rule, &pod(json!({"containers": [c]}))), Status::Pass);
}

#[test]
fn controllers_and_cronjobs_are_judged_by_their_template() {
    let rule = json!({"level": "baseline", "version": "latest"});
    let deployment = json!({"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {
        "metadata": {}, "spec": {"hostNetwork": true, "containers": [{"name": "a"}]}}}});
    assert_eq!(status(rule.clone(), &deployment), Status::Fail);
    let cronjob = json!({"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {
        "template": {"spec": {"containers": [{"name": "a"}]}}}}}});
    assert_eq!(status(rule, &cronjob), Status::Pass);
}

#[test]
fn cronjob_apparmor_annotations_on_the_pod_template_are_not_seen() {
    // Kyverno reads the CronJob's jobTemplate.metadata, not the pod template's.
    let rule = json!({"level": "baseline"});
    let annotations = json!({"container.apparmor.security.beta.kubernetes.io/a": "unconfined"});
    let on_pod_template = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {
        "metadata": {"annotations": annotations}, "spec": {"containers": [{"name": "a"}]}}}}}});
    assert_eq!(status(rule.clone(), &on_pod_template), Status::Pass);
    let on_job_template = json!({"kind": "CronJob", "spec": {"jobTemplate": {"metadata": {"annotations": annotations},
        "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}}});
    assert_eq!(status(rule, &on_job_template), Status::Fail);
}

#[test]
fn errors_for_bad_versions_kinds_and_rule_shapes() {
    let resource = pod(json!({"containers": [{"name": "a"}]}));
    let outcome = evaluate(&json!({"level": "baseline", "version": "1.24"}), &resource);
    assert_eq!(outcome.status, Status::Error);
    assert!(
        outcome
            .message
            .starts_with("failed to parse pod security api version"),
        "{}",
        outcome.message
    );
    let service = json!({"kind": "Service", "spec": {}});
    assert_eq!(
        status(json!({"level": "baseline"}), &service),
        Status::Error
    );
    assert_eq!(status(json!("baseline"), &resource), Status::Error);
    assert_eq!(
        status(json!({"level": "baseline", "exclude": {}}), &resource),
        Status::Error
    );
}

#[test]
fn hostile_input_does_not_panic() {
    let rule = json!({"level": "restricted"});
    for spec in [
        json!({"containers": "x"}),
        json!({"containers": [1, null, "a", {"name": 5}]}),
        json!({"securityContext": [], "volumes": {}}),
        json!({"containers": [{"securityContext": {"capabilities": {"add": [1e300]}}}]}),
    ] {
        let _ = evaluate(&rule, &pod(spec));
    }
    let mut deep = json!({});
    for _ in 0..200 {
        deep = json!({"x": deep});
    }
    let _ = evaluate(
        &rule,
        &pod(json!({"containers": [{"name": "a", "securityContext": deep}]})),
    );
}
