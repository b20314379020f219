//! ValidatingPolicy evaluation, with inputs paraphrased from the shared
//! `*-vpol` policies.

use serde_json::json;

use super::*;

fn policy(spec: Json) -> ValidatingPolicy {
    let object = json!({"apiVersion": "policies.kyverno.io/v1alpha1", "kind": "ValidatingPolicy",
        "metadata": {"name": "p"}, "spec": spec});
    ValidatingPolicy::parse(&object).unwrap_or_else(|e| panic!("{e}"))
}

fn pods_rule() -> Json {
    json!({"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
        "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]})
}

fn pod(host_pid: bool) -> Json {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"hostPID": host_pid, "containers": [{"name": "c", "image": "busybox:1.28"}]}})
}

fn deployment(host_pid: bool) -> Json {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"template": {"metadata": {"labels": {"app": "web"}},
            "spec": {"hostPID": host_pid, "containers": [{"name": "c", "image": "busybox:1.28"}]}}}})
}

fn cronjob(host_pid: bool) -> Json {
    json!({"apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {
            "spec": {"hostPID": host_pid, "containers": [{"name": "c", "image": "busybox:1.28"}]}}}}}})
}

fn input(object: &Json) -> VpolInput<'_> {
    VpolInput {
        object,
        old_object: None,
        operation: "CREATE",
        namespace_object: None,
        user_info: None,
        resources: crate::no_cluster_objects(),
        images: &Json::Null,
    }
}

fn host_pid_policy() -> ValidatingPolicy {
    policy(json!({
        "validationActions": ["Audit"],
        "matchConstraints": pods_rule(),
        "validations": [{"expression": "object.spec.?hostPID.orValue(false) == false",
                         "message": "Sharing the host namespaces is disallowed."}]}))
}

#[test]
fn pass_fail_and_no_response() {
    let p = host_pid_policy();
    assert_eq!(p.name(), "p");
    assert_eq!(p.validation_actions(), ["Audit"]);
    assert_eq!(
        p.evaluate(&input(&pod(false))).map(|o| o.status),
        Some(Status::Pass)
    );
    assert_eq!(
        p.evaluate(&input(&pod(true))),
        Some(RuleOutcome::new(
            Status::Fail,
            "Sharing the host namespaces is disallowed."
        ))
    );
    // A Service is not matched: no response at all.
    let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}});
    assert_eq!(p.evaluate(&input(&service)), None);
}

#[test]
fn autogen_evaluates_controllers_on_their_pod_template() {
    let p = host_pid_policy();
    assert_eq!(
        p.evaluate(&input(&deployment(false))).map(|o| o.status),
        Some(Status::Pass)
    );
    assert_eq!(
        p.evaluate(&input(&deployment(true))).map(|o| o.status),
        Some(Status::Fail)
    );
    // CronJobs read spec.jobTemplate.spec.template.
    assert_eq!(
        p.evaluate(&input(&cronjob(true))).map(|o| o.status),
        Some(Status::Fail)
    );
    assert_eq!(
        p.evaluate(&input(&cronjob(false))).map(|o| o.status),
        Some(Status::Pass)
    );
}

#[test]
fn empty_controller_list_disables_autogen() {
    // other-vpol/prevent-bare-pods: `controllers: []`.
    let p = policy(json!({
        "autogen": {"podControllers": {"controllers": []}},
        "matchConstraints": pods_rule(),
        "validations": [{"expression": "true"}]}));
    assert_eq!(p.evaluate(&input(&deployment(false))), None);
    assert!(p.evaluate(&input(&pod(false))).is_some());
}

#[test]
fn default_message_names_the_index() {
    let p = policy(json!({"matchConstraints": pods_rule(),
        "validations": [{"expression": "true"}, {"expression": "false"}]}));
    assert_eq!(
        p.evaluate(&input(&pod(false))).map(|o| o.message),
        Some("CEL expression validation failed at index 1".to_owned())
    );
}

#[test]
fn message_expression_and_its_failures() {
    let p = policy(json!({"matchConstraints": pods_rule(),
        "validations": [{"expression": "false", "message": "static",
                         "messageExpression": "'pod ' + object.metadata.name"}]}));
    assert_eq!(
        p.evaluate(&input(&pod(false))).map(|o| o.message),
        Some("pod web".to_owned())
    );
    // Kyverno reports a message expression that fails instead of falling back.
    let p = policy(json!({"matchConstraints": pods_rule(),
        "validations": [{"expression": "false", "message": "static", "messageExpression": "1"}]}));
    let message = p
        .evaluate(&input(&pod(false)))
        .map(|o| o.message)
        .unwrap_or_default();
    assert!(
        message.starts_with("failed to convert message expression to string"),
        "{message}"
    );
}

#[test]
fn runtime_errors_and_non_bool_results_are_errors() {
    let p = policy(json!({"matchConstraints": pods_rule(),
        "validations": [{"expression": "object.spec.nothing.here"}]}));
    assert_eq!(
        p.evaluate(&input(&pod(false))).map(|o| o.status),
        Some(Status::Error)
    );
    let p =
        policy(json!({"matchConstraints": pods_rule(), "validations": [{"expression": "'yes'"}]}));
    assert_eq!(
        p.evaluate(&input(&pod(false))).map(|o| o.status),
        Some(Status::Error)
    );
}

#[test]
fn match_conditions_skip_or_error() {
    let p = policy(json!({"matchConstraints": pods_rule(),
        "matchConditions": [{"name": "n", "expression": "request.namespace in ['any-namespace']"}],
        "validations": [{"expression": "false"}]}));
    assert_eq!(
        p.evaluate(&input(&pod(false))).map(|o| o.status),
        Some(Status::Skip)
    );
    let erroring = json!({"matchConstraints": pods_rule(),
        "matchConditions": [{"name": "n", "expression": "object.nope == 1"}],
        "validations": [{"expression": "false"}]});
    assert_eq!(
        policy(erroring.clone())
            .evaluate(&input(&pod(false)))
            .map(|o| o.status),
        Some(Status::Error)
    );
    let mut ignoring = erroring;
    ignoring["failurePolicy"] = json!("Ignore");
    assert_eq!(
        policy(ignoring)
            .evaluate(&input(&pod(false)))
            .map(|o| o.status),
        Some(Status::Skip)
    );
}

#[test]
fn user_info_reaches_request_and_service_account_parsing() {
    // other-vpol/limit-configmap-for-sa.
    let p = policy(json!({
        "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
            "operations": ["CREATE"], "resources": ["configmaps"]}]},
        "matchConditions": [{"name": "sa", "expression":
            "parseServiceAccount(request.userInfo.username).Namespace == 'another-namespace'"}],
        "validations": [{"expression": "false",
            "messageExpression": "request.namespace + '/' + request.kind.kind + '/' + request.name"}]}));
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns"}});
    let user = json!({"username": "system:serviceaccount:another-namespace:dev"});
    let mut with_user = input(&cm);
    with_user.user_info = Some(&user);
    assert_eq!(
        p.evaluate(&with_user),
        Some(RuleOutcome::new(Status::Fail, "ns/ConfigMap/cm"))
    );
    let person = json!({"username": "alice"});
    let mut with_person = input(&cm);
    with_person.user_info = Some(&person);
    assert_eq!(
        p.evaluate(&with_person).map(|o| o.status),
        Some(Status::Skip)
    );
}

#[test]
fn namespace_selector_uses_supplied_labels_or_none() {
    let mut rules = pods_rule();
    rules["namespaceSelector"] = json!({"matchLabels": {"env": "prod"}});
    let p = policy(json!({"matchConstraints": rules, "validations": [{"expression": "true"}]}));
    let prod = json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "default", "labels": {"env": "prod"}}});
    let object = pod(false);
    let mut in_prod = input(&object);
    in_prod.namespace_object = Some(&prod);
    assert!(p.evaluate(&in_prod).is_some());
    // Without namespace labels the selector does not match.
    assert_eq!(p.evaluate(&input(&pod(false))), None);
}

#[test]
fn namespace_object_and_context_resources() {
    // other-vpol/allowed-pod-priorities, reduced.
    let p = policy(json!({"matchConstraints": pods_rule(),
        "variables": [
            {"name": "prior", "expression": "resource.Get('v1', 'configmaps', 'default', 'allowed')"},
            {"name": "allowed", "expression": "variables.prior.data[namespaceObject.metadata.name].split(', ')"}],
        "validations": [{"expression": "object.spec.priorityClassName in variables.allowed"}]}));
    let resources =
        crate::ClusterObjects::from(vec![json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "allowed", "namespace": "default"}, "data": {"team": "high, low"}})]);
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}});
    let mut object = pod(false);
    object["metadata"]["namespace"] = json!("team");
    object["spec"]["priorityClassName"] = json!("low");
    let mut run = input(&object);
    run.namespace_object = Some(&namespace);
    run.resources = &resources;
    assert_eq!(p.evaluate(&run).map(|o| o.status), Some(Status::Pass));
}

#[test]
fn image_metadata_from_context_images() {
    let p = policy(json!({"matchConstraints": pods_rule(),
        "validations": [{"expression":
            "object.spec.containers.all(c, size(image.GetMetadata(c.image).config.?Volumes.orValue([])) == 0)"}]}));
    let images = json!([{"image": "busybox:1.28", "config": {"Volumes": [{"name": "v"}]}}]);
    let object = pod(false);
    let mut run = input(&object);
    run.images = &images;
    assert_eq!(p.evaluate(&run).map(|o| o.status), Some(Status::Fail));
    // An image missing from the context is an evaluation error.
    assert_eq!(
        p.evaluate(&input(&object)).map(|o| o.status),
        Some(Status::Error)
    );
}

#[test]
fn parse_rejects_other_kinds_and_bad_cel() {
    assert!(
        ValidatingPolicy::parse(&json!({"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy"}))
            .is_err()
    );
    assert!(ValidatingPolicy::parse(&json!("text")).is_err());
    let bad = json!({"apiVersion": "policies.kyverno.io/v1", "kind": "ValidatingPolicy",
        "metadata": {"name": "p"},
        "spec": {"matchConstraints": pods_rule(), "validations": [{"expression": "1 +"}]}});
    let err = ValidatingPolicy::parse(&bad).err().unwrap_or_default();
    assert!(err.contains("spec.validations[0].expression"), "{err}");
    let no_name =
        json!({"apiVersion": "policies.kyverno.io/v1", "kind": "ValidatingPolicy", "spec": {}});
    assert!(ValidatingPolicy::parse(&no_name).is_err());
}

#[test]
fn policy_without_match_constraints_matches_nothing() {
    let p = policy(json!({"validations": [{"expression": "true"}]}));
    assert_eq!(p.evaluate(&input(&pod(false))), None);
}

#[test]
fn hostile_input_gives_errors_not_panics() {
    // Deep nesting inside a Pod policy: the autogen rewrite re-reads the spec
    // with serde_json's depth bound, so it errors instead of recursing on.
    let mut deep = json!(1);
    for _ in 0..300 {
        deep = json!({ "x": deep });
    }
    let spec = json!({"matchConstraints": pods_rule(), "extra": deep,
        "validations": [{"expression": "true"}]});
    let object = json!({"apiVersion": "policies.kyverno.io/v1", "kind": "ValidatingPolicy",
        "metadata": {"name": "p"}, "spec": spec});
    let _ = ValidatingPolicy::parse(&object);
    // Odd types where lists and strings are expected.
    let odd = json!({"apiVersion": "policies.kyverno.io/v1", "kind": "ValidatingPolicy",
        "metadata": {"name": "p"}, "spec": {"matchConstraints": {"resourceRules": 5},
        "validationActions": [1], "validations": [{"expression": 2}]}});
    assert!(ValidatingPolicy::parse(&odd).is_err());
    // Huge numbers in the resource reach CEL as doubles.
    let p = policy(json!({"matchConstraints": pods_rule(),
        "validations": [{"expression": "object.spec.n > 1.0"}]}));
    let mut big = pod(false);
    big["spec"]["n"] = json!(1e308);
    assert_eq!(
        p.evaluate(&input(&big)).map(|o| o.status),
        Some(Status::Pass)
    );
}
