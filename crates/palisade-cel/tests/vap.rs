//! ValidatingAdmissionPolicy offline evaluation: matching, params, match
//! conditions, messages, failure policy, validation actions, with the API
//! server's message formats.

use palisade_cel::vap::{
    AdmissionRequest, Binding, Policy, VALIDATION_FAILURE_ANNOTATION, evaluate, review,
};
use palisade_core::Node;
use serde_json::{Value, json};

fn policy(spec: Value) -> Policy {
    Policy::parse(&Node::from_json(&json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": "p"},
        "spec": spec,
    })))
    .unwrap()
}

fn binding(spec: Value) -> Binding {
    Binding::parse(&Node::from_json(&json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": "b"},
        "spec": spec,
    })))
    .unwrap()
}

fn deployments() -> Value {
    json!({"resourceRules": [{
        "apiGroups": ["apps"], "apiVersions": ["v1"],
        "operations": ["CREATE", "UPDATE"], "resources": ["deployments"]
    }]})
}

fn deployment(replicas: i64) -> AdmissionRequest {
    AdmissionRequest::for_object(
        &json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "prod", "labels": {"app": "web"}},
            "spec": {"replicas": replicas}
        }),
        "CREATE",
    )
}

fn world() -> Vec<Node> {
    [
        json!({"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": "prod", "labels": {"env": "prod"}}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "limits", "namespace": "prod", "labels": {"tier": "a"}},
               "data": {"max": "3"}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "other", "namespace": "prod", "labels": {"tier": "a"}},
               "data": {"max": "10"}}),
    ]
    .iter()
    .map(Node::from_json)
    .collect()
}

fn simple(expression: &str) -> Policy {
    policy(json!({
        "matchConstraints": deployments(),
        "validations": [{"expression": expression}],
    }))
}

fn deny_binding() -> Binding {
    binding(json!({"policyName": "p", "validationActions": ["Deny"]}))
}

#[test]
fn default_message_and_denial_format() {
    let out = evaluate(
        &simple("object.spec.replicas <= 5"),
        &deny_binding(),
        &deployment(6),
        &world(),
    );
    assert!(out.matched);
    assert_eq!(
        out.denials()[0].0,
        "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed expression: object.spec.replicas <= 5"
    );
    assert_eq!(out.denials()[0].1, "Invalid");
    let ok = evaluate(
        &simple("object.spec.replicas <= 5"),
        &deny_binding(),
        &deployment(5),
        &world(),
    );
    assert!(ok.matched && ok.failures.is_empty());
}

#[test]
fn rules_select_by_operation_group_resource_and_exclusions() {
    let p = policy(json!({
        "matchConstraints": {
            "resourceRules": [{"apiGroups": ["*"], "apiVersions": ["*"],
                               "operations": ["CREATE"], "resources": ["*"]}],
            "excludeResourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"],
                                      "operations": ["*"], "resources": ["deployments"],
                                      "resourceNames": ["web"]}]
        },
        "validations": [{"expression": "false"}],
    }));
    // Excluded by name.
    assert!(!evaluate(&p, &deny_binding(), &deployment(1), &world()).matched);
    // UPDATE is not selected.
    let mut update = deployment(1);
    update.operation = "UPDATE".into();
    update.name = "api".into();
    assert!(!evaluate(&p, &deny_binding(), &update, &world()).matched);
    // A subresource needs `*/sub` or `res/*`.
    let mut scale = deployment(1);
    scale.name = "api".into();
    scale.sub_resource = "scale".into();
    assert!(!evaluate(&p, &deny_binding(), &scale, &world()).matched);
    let sub = policy(json!({
        "matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"],
            "operations": ["CREATE"], "resources": ["*/scale"]}]},
        "validations": [{"expression": "false"}],
    }));
    assert!(evaluate(&sub, &deny_binding(), &scale, &world()).matched);
    assert!(!evaluate(&sub, &deny_binding(), &deployment(1), &world()).matched);
}

#[test]
fn scope_namespace_selector_and_object_selector() {
    let cluster_only = policy(json!({
        "matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"],
            "operations": ["CREATE"], "resources": ["deployments"], "scope": "Cluster"}]},
        "validations": [{"expression": "false"}],
    }));
    assert!(!evaluate(&cluster_only, &deny_binding(), &deployment(1), &world()).matched);

    let by_labels = |ns: &str, obj: &str| {
        binding(
            json!({"policyName": "p", "validationActions": ["Deny"], "matchResources": {
                "namespaceSelector": {"matchLabels": {"env": ns}},
                "objectSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": [obj]}]}
            }}),
        )
    };
    let p = simple("false");
    assert!(evaluate(&p, &by_labels("prod", "web"), &deployment(1), &world()).matched);
    assert!(!evaluate(&p, &by_labels("dev", "web"), &deployment(1), &world()).matched);
    assert!(!evaluate(&p, &by_labels("prod", "db"), &deployment(1), &world()).matched);
    // An unknown Namespace cannot satisfy a namespace selector.
    assert!(!evaluate(&p, &by_labels("prod", "web"), &deployment(1), &Vec::new()).matched);
}

fn param_policy() -> Policy {
    policy(json!({
        "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
        "matchConstraints": deployments(),
        "validations": [{
            "expression": "object.spec.replicas <= int(params.data.max)",
            "messageExpression": "'at most ' + params.data.max + ' replicas'"
        }],
    }))
}

#[test]
fn params_by_name_in_the_request_namespace() {
    let b = binding(json!({"policyName": "p", "validationActions": ["Deny"],
                           "paramRef": {"name": "limits", "parameterNotFoundAction": "Deny"}}));
    let out = evaluate(&param_policy(), &b, &deployment(4), &world());
    assert_eq!(out.failures.len(), 1);
    assert_eq!(out.failures[0].message, "at most 3 replicas");
    assert!(
        evaluate(&param_policy(), &b, &deployment(3), &world())
            .failures
            .is_empty()
    );
}

#[test]
fn params_by_selector_evaluate_once_per_param() {
    let b = binding(json!({"policyName": "p", "validationActions": ["Deny"],
        "paramRef": {"selector": {"matchLabels": {"tier": "a"}}, "parameterNotFoundAction": "Allow"}}));
    let out = evaluate(&param_policy(), &b, &deployment(11), &world());
    let messages: Vec<&str> = out.failures.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages, ["at most 3 replicas", "at most 10 replicas"]);
    let out = evaluate(&param_policy(), &b, &deployment(5), &world());
    assert_eq!(out.failures.len(), 1);
}

#[test]
fn params_not_found_allow_deny_and_ignore() {
    let allow = binding(json!({"policyName": "p", "validationActions": ["Deny"],
        "paramRef": {"name": "missing", "parameterNotFoundAction": "Allow"}}));
    let out = evaluate(&param_policy(), &allow, &deployment(100), &world());
    assert!(out.matched && out.denials().is_empty());

    let deny = binding(json!({"policyName": "p", "validationActions": ["Warn"],
        "paramRef": {"name": "missing", "parameterNotFoundAction": "Deny"}}));
    let out = evaluate(&param_policy(), &deny, &deployment(1), &world());
    // A configuration error refuses whatever the validation actions say.
    assert_eq!(
        out.denials()[0].0,
        "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"
    );

    let mut ignoring = param_policy();
    ignoring.failure_policy = palisade_cel::vap::FailurePolicy::Ignore;
    assert!(
        evaluate(&ignoring, &deny, &deployment(1), &world())
            .denials()
            .is_empty()
    );
}

#[test]
fn match_conditions_gate_and_follow_the_failure_policy() {
    let spec = |fp: &str, cond: &str| {
        policy(json!({
            "failurePolicy": fp,
            "matchConstraints": deployments(),
            "matchConditions": [{"name": "c", "expression": cond}],
            "validations": [{"expression": "false", "message": "no"}],
        }))
    };
    let skip = evaluate(
        &spec("Fail", "object.metadata.name == 'other'"),
        &deny_binding(),
        &deployment(1),
        &world(),
    );
    assert!(skip.denials().is_empty());
    let run = evaluate(
        &spec("Fail", "object.metadata.name == 'web'"),
        &deny_binding(),
        &deployment(1),
        &world(),
    );
    assert_eq!(run.failures[0].message, "no");
    let broken = evaluate(
        &spec("Fail", "object.spec.nope"),
        &deny_binding(),
        &deployment(1),
        &world(),
    );
    assert_eq!(
        broken.denials()[0].0,
        "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: expression 'object.spec.nope' resulted in error: no such key: nope"
    );
    let ignored = evaluate(
        &spec("Ignore", "object.spec.nope"),
        &deny_binding(),
        &deployment(1),
        &world(),
    );
    assert!(ignored.denials().is_empty());
}

#[test]
fn message_expression_and_its_fallbacks() {
    let with = |me: &str, message: Option<&str>| {
        let mut v = json!({"expression": "false", "messageExpression": me});
        if let Some(m) = message {
            v["message"] = json!(m);
        }
        let p = policy(json!({"matchConstraints": deployments(), "validations": [v]}));
        evaluate(&p, &deny_binding(), &deployment(1), &world()).failures[0]
            .message
            .clone()
    };
    assert_eq!(
        with("'name ' + object.metadata.name", Some("static")),
        "name web"
    );
    // An error, an empty or blank string, a non-string, a multi-line string: fall back.
    assert_eq!(with("object.nope", Some("static")), "static");
    assert_eq!(with("'  '", Some("static")), "static");
    assert_eq!(with("42", Some("static")), "static");
    assert_eq!(with("'a\\nb'", Some("static")), "static");
    assert_eq!(with("object.nope", None), "failed expression: false");
    // Surrounding blanks are trimmed.
    assert_eq!(with("'  padded  '", None), "padded");
}

#[test]
fn validation_actions_deny_warn_audit() {
    let p = policy(json!({"matchConstraints": deployments(),
        "validations": [{"expression": "true"}, {"expression": "false", "message": "bad <thing>"}]}));
    let warn = binding(json!({"policyName": "p", "validationActions": ["Warn"]}));
    let r = review(std::slice::from_ref(&p), &[warn], &deployment(1), &world());
    assert!(r.allowed);
    assert_eq!(
        r.warnings,
        ["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': bad <thing>"]
    );

    let audit = binding(json!({"policyName": "p", "validationActions": ["Audit"]}));
    let r = review(std::slice::from_ref(&p), &[audit], &deployment(1), &world());
    assert!(r.allowed && r.warnings.is_empty());
    assert_eq!(
        r.audit_annotations,
        [(
            VALIDATION_FAILURE_ANNOTATION.to_owned(),
            r#"[{"message":"bad \u003cthing\u003e","policy":"p","binding":"b","expressionIndex":1,"validationActions":["Audit"]}]"#.to_owned()
        )]
    );

    let both = binding(json!({"policyName": "p", "validationActions": ["Deny", "Audit"]}));
    let r = review(std::slice::from_ref(&p), &[both], &deployment(1), &world());
    assert!(!r.allowed);
    let (message, reason, code) = r.denial.unwrap();
    assert_eq!(
        message,
        "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: bad <thing>"
    );
    assert_eq!((reason.as_str(), code), ("Invalid", 422));
    assert_eq!(r.audit_annotations.len(), 1);

    // Deny and Warn together are refused, as the API server refuses them.
    let err = Binding::parse(&Node::from_json(&json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": "b"},
        "spec": {"policyName": "p", "validationActions": ["Deny", "Warn"]}
    })))
    .unwrap_err();
    assert_eq!(err.field, "spec.validationActions");
}

#[test]
fn failure_policy_on_an_erroring_validation() {
    let fail = simple("object.spec.template.spec.containers.size() > 0");
    let out = evaluate(&fail, &deny_binding(), &deployment(1), &world());
    assert_eq!(
        out.failures[0].message,
        "expression 'object.spec.template.spec.containers.size() > 0' resulted in error: no such key: template"
    );
    let mut ignore = fail.clone();
    ignore.failure_policy = palisade_cel::vap::FailurePolicy::Ignore;
    assert!(
        evaluate(&ignore, &deny_binding(), &deployment(1), &world())
            .failures
            .is_empty()
    );
}

#[test]
fn reason_sets_the_status_code() {
    let p = policy(json!({"matchConstraints": deployments(),
        "validations": [{"expression": "false", "reason": "Forbidden"}]}));
    let r = review(
        std::slice::from_ref(&p),
        &[deny_binding()],
        &deployment(1),
        &world(),
    );
    let (_, reason, code) = r.denial.unwrap();
    assert_eq!((reason.as_str(), code), ("Forbidden", 403));
}

#[test]
fn variables_refer_to_earlier_variables() {
    let p = policy(json!({"matchConstraints": deployments(),
        "variables": [
            {"name": "replicas", "expression": "object.spec.replicas"},
            {"name": "double", "expression": "variables.replicas * 2"},
        ],
        "validations": [{"expression": "variables.double < 10",
                         "messageExpression": "'double is ' + string(variables.double)"}]}));
    let out = evaluate(&p, &deny_binding(), &deployment(5), &world());
    assert_eq!(out.failures[0].message, "double is 10");
    assert!(
        evaluate(&p, &deny_binding(), &deployment(4), &world())
            .failures
            .is_empty()
    );
}

#[test]
fn kubernetes_functions_in_a_policy() {
    let p = policy(json!({
    "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
        "operations": ["CREATE"], "resources": ["pods"]}]},
    "validations": [
        {"expression": "object.spec.containers.all(c, quantity(c.resources.limits.memory).isLessThan(quantity('1Gi')))",
         "message": "memory"},
        {"expression": "object.spec.containers.all(c, c.image.find('@sha256:[0-9a-f]+$') != '')",
         "message": "digest"},
    ]}));
    let pod = |mem: &str, image: &str| {
        AdmissionRequest::for_object(
            &json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "prod"},
                    "spec": {"containers": [{"name": "c", "image": image,
                                             "resources": {"limits": {"memory": mem}}}]}}),
            "CREATE",
        )
    };
    let msgs = |r: &AdmissionRequest| -> Vec<String> {
        evaluate(&p, &deny_binding(), r, &world())
            .failures
            .into_iter()
            .map(|f| f.message)
            .collect()
    };
    assert!(msgs(&pod("512Mi", "nginx@sha256:abc123")).is_empty());
    assert_eq!(msgs(&pod("2Gi", "nginx@sha256:abc123")), ["memory"]);
    assert_eq!(msgs(&pod("1000Mi", "nginx:1.25")), ["digest"]);
}

#[test]
fn audit_annotations_are_published_under_the_policy_name() {
    let p = policy(json!({"matchConstraints": deployments(),
    "auditAnnotations": [
        {"key": "replicas", "valueExpression": "'replicas: ' + string(object.spec.replicas)"},
        {"key": "none", "valueExpression": "null"},
    ]}));
    let r = review(
        std::slice::from_ref(&p),
        &[deny_binding()],
        &deployment(7),
        &world(),
    );
    assert!(r.allowed);
    assert_eq!(
        r.audit_annotations,
        [("p/replicas".to_owned(), "replicas: 7".to_owned())]
    );
}

#[test]
fn parse_errors_name_the_field() {
    let parse = |spec: Value| {
        Policy::parse(&Node::from_json(&json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy", "metadata": {"name": "p"}, "spec": spec
        })))
        .unwrap_err()
    };
    let e =
        parse(json!({"matchConstraints": deployments(), "validations": [{"expression": "1 +"}]}));
    assert_eq!(e.field, "spec.validations[0].expression");
    let e = parse(json!({"matchConstraints": deployments(), "validations": [{"message": "m"}]}));
    assert_eq!(
        e.to_string(),
        "spec.validations[0].expression: Required value"
    );
    let e = parse(
        json!({"matchConstraints": {"resourceRules": [{"resources": "pods"}]},
                         "validations": [{"expression": "true"}]}),
    );
    assert_eq!(e.field, "spec.matchConstraints.resourceRules[0].resources");
    let e = parse(
        json!({"matchConstraints": deployments(), "failurePolicy": "Maybe",
                         "validations": [{"expression": "true"}]}),
    );
    assert_eq!(e.field, "spec.failurePolicy");
    let e = parse(json!({"matchConstraints": deployments(),
                         "validations": [{"expression": "authorizer.group('').check('get').allowed()"}]}));
    assert!(e.message.contains("not supported offline"), "{e}");
}
