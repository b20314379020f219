//! Gatekeeper's K8sNativeValidation: the driver's variables, DELETE
//! handling, the generated policy's match conditions and binding.

use palisade_cel::gatekeeper::{self, NativeSource, VapOptions};
use palisade_cel::vap::{self, AdmissionRequest, Binding, Policy, ValidationAction};
use palisade_core::Node;
use serde_json::{Value, json};

fn template(source: Value) -> Node {
    Node::from_json(&json!({
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {"name": "k8sreplicas"},
        "spec": {
            "crd": {"spec": {"names": {"kind": "K8sReplicas"}}},
            "targets": [{"target": "admission.k8s.gatekeeper.sh", "code": [
                {"engine": "K8sNativeValidation", "source": source},
                {"engine": "Rego", "source": {"rego": "package x"}}
            ]}]
        }
    }))
}

fn source() -> NativeSource {
    NativeSource::from_template(&template(json!({
        "variables": [{"name": "max", "expression": "has(variables.params.max) ? variables.params.max : 3"}],
        "validations": [{
            "expression": "!has(variables.anyObject.spec.replicas) || variables.anyObject.spec.replicas <= variables.max",
            "messageExpression": "'at most ' + string(variables.max) + ' replicas: ' + variables.anyObject.metadata.name"
        }]
    })))
    .unwrap()
    .unwrap()
}

fn constraint(spec: Value) -> Value {
    json!({"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sReplicas",
           "metadata": {"name": "max-two"}, "spec": spec})
}

fn deployment(ns: &str, replicas: i64) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": ns}, "spec": {"replicas": replicas}})
}

fn review(object: &Value, operation: &str) -> Value {
    let (obj, old) = if operation == "DELETE" {
        (object.clone(), object.clone())
    } else {
        (object.clone(), Value::Null)
    };
    json!({"kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
           "operation": operation, "object": obj, "oldObject": old})
}

#[test]
fn driver_binds_params_and_any_object() {
    let c = constraint(json!({"parameters": {"max": 2}}));
    let got = gatekeeper::evaluate(&source(), &review(&deployment("a", 3), "CREATE"), &c, None);
    assert_eq!(got, ["at most 2 replicas: web"]);
    assert!(
        gatekeeper::evaluate(&source(), &review(&deployment("a", 2), "CREATE"), &c, None)
            .is_empty()
    );
    // No parameters: variables.params is null, has() on it is false.
    let bare = constraint(json!({}));
    let got = gatekeeper::evaluate(
        &source(),
        &review(&deployment("a", 4), "CREATE"),
        &bare,
        None,
    );
    assert_eq!(got, ["at most 3 replicas: web"]);
    // On DELETE, `object` is null and anyObject is the old object.
    let got = gatekeeper::evaluate(&source(), &review(&deployment("a", 4), "DELETE"), &c, None);
    assert_eq!(got, ["at most 2 replicas: web"]);
}

#[test]
fn reserved_names_are_refused() {
    let err = NativeSource::from_template(&template(json!({
        "variables": [{"name": "anyObject", "expression": "1"}],
        "validations": [{"expression": "true"}]
    })))
    .unwrap_err();
    assert!(err.message.contains("reserved"), "{err}");
    let err = NativeSource::from_template(&template(json!({
        "matchCondition": [{"name": "gatekeeper_internal_x", "expression": "true"}],
        "validations": [{"expression": "true"}]
    })))
    .unwrap_err();
    assert!(err.message.contains("prefix"), "{err}");
    // A Rego-only template has no CEL source.
    let rego = Node::from_json(&json!({
        "metadata": {"name": "x"},
        "spec": {"crd": {"spec": {"names": {"kind": "X"}}},
                 "targets": [{"rego": "package x"}]}
    }));
    assert!(NativeSource::from_template(&rego).unwrap().is_none());
}

fn generated(c: &Value) -> (Policy, Binding) {
    let policy = Policy::parse(&Node::from_json(&gatekeeper::template_to_policy(
        &source(),
        &VapOptions {
            excluded_namespaces: vec!["kube-*".into()],
            exempted_namespaces: vec![],
        },
    )))
    .unwrap();
    let binding = Binding::parse(&Node::from_json(
        &gatekeeper::constraint_to_binding(&Node::from_json(c)).unwrap(),
    ))
    .unwrap();
    (policy, binding)
}

fn through_vap(c: &Value, object: &Value) -> Vec<String> {
    let (policy, binding) = generated(c);
    let params = vec![Node::from_json(c)];
    let req = AdmissionRequest::for_object(object, "CREATE");
    vap::evaluate(&policy, &binding, &req, &params)
        .failures
        .into_iter()
        .map(|f| f.message)
        .collect()
}

#[test]
fn generated_policy_and_binding_have_gatekeeper_names_and_actions() {
    let c = constraint(json!({"enforcementAction": "warn", "parameters": {"max": 2}}));
    let (policy, binding) = generated(&c);
    assert_eq!(policy.name, "gatekeeper-k8sreplicas");
    assert_eq!(binding.name, "gatekeeper-max-two");
    assert_eq!(binding.policy_name, "gatekeeper-k8sreplicas");
    assert_eq!(binding.validation_actions, [ValidationAction::Warn]);
    let pk = policy.param_kind.unwrap();
    assert_eq!(
        (pk.api_version.as_str(), pk.kind.as_str()),
        ("constraints.gatekeeper.sh/v1beta1", "K8sReplicas")
    );
    let names: Vec<&str> = policy
        .match_conditions
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "gatekeeper_internal_match_excluded_namespaces",
            "gatekeeper_internal_match_namespaces",
            "gatekeeper_internal_match_name",
            "gatekeeper_internal_match_kinds",
            "gatekeeper_internal_match_global_excluded_namespaces",
        ]
    );
    let vars: Vec<&str> = policy.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(vars, ["anyObject", "params", "max"]);
    let dry = constraint(json!({"enforcementAction": "dryrun"}));
    assert_eq!(
        generated(&dry).1.validation_actions,
        [ValidationAction::Audit]
    );
}

#[test]
fn generated_match_conditions_apply_the_constraint_match() {
    let kinds = json!({"kinds": [{"apiGroups": ["apps"], "kinds": ["Deployment"]}]});
    let c = constraint(json!({"match": kinds, "parameters": {"max": 2}}));
    assert_eq!(
        through_vap(&c, &deployment("a", 3)),
        ["at most 2 replicas: web"]
    );
    // Another kind is not selected.
    let pods = constraint(
        json!({"match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]},
                                 "parameters": {"max": 2}}),
    );
    assert!(through_vap(&pods, &deployment("a", 3)).is_empty());
    // namespaces / excludedNamespaces globs.
    let only = constraint(json!({"match": {"namespaces": ["team-*"]}, "parameters": {"max": 2}}));
    assert!(through_vap(&only, &deployment("a", 3)).is_empty());
    assert_eq!(through_vap(&only, &deployment("team-x", 3)).len(), 1);
    let excl =
        constraint(json!({"match": {"excludedNamespaces": ["*-dev"]}, "parameters": {"max": 2}}));
    assert!(through_vap(&excl, &deployment("web-dev", 3)).is_empty());
    assert_eq!(through_vap(&excl, &deployment("web-prod", 3)).len(), 1);
    // The global exclusion from VapOptions.
    assert!(through_vap(&c, &deployment("kube-system", 3)).is_empty());
    // name glob.
    let named = constraint(json!({"match": {"name": "we*"}, "parameters": {"max": 2}}));
    assert_eq!(through_vap(&named, &deployment("a", 3)).len(), 1);
    let other = constraint(json!({"match": {"name": "api-*"}, "parameters": {"max": 2}}));
    assert!(through_vap(&other, &deployment("a", 3)).is_empty());
}

#[test]
fn binding_selectors_come_from_the_constraint_match() {
    let c = constraint(
        json!({"match": {"labelSelector": {"matchLabels": {"app": "db"}}},
                              "parameters": {"max": 2}}),
    );
    assert!(through_vap(&c, &deployment("a", 3)).is_empty());
    let mut labelled = deployment("a", 3);
    labelled["metadata"]["labels"] = json!({"app": "db"});
    assert_eq!(through_vap(&c, &labelled).len(), 1);
}
