//! Fuzzes what Palisade does with Kyverno policies, which arrive as untrusted
//! YAML: the input is a YAML stream read with the manifest loader (small
//! limits, as in `load`). Its ClusterPolicies, Policies, ValidatingPolicies and
//! PolicyExceptions are parsed; every other document is a resource. Every
//! parsed policy is then applied to every resource and to one fixed Pod, as a
//! CREATE, an UPDATE (the fixed Pod as the old object) and a DELETE, with the
//! exceptions in force and the resources as the cluster's objects; each
//! ValidatingPolicy is evaluated on the same requests. The string values of the
//! first document also run as JMESPath expressions and as `{{ }}` templates
//! against a context holding the fixed Pod.
//!
//! Any input must end in verdicts or errors, never a panic, an abort, a stack
//! overflow or a hang.
#![no_main]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use palisade_kyverno::context::Context;
use palisade_kyverno::engine::{self, Admission, NoValues};
use palisade_kyverno::exception::{PolicyException, is_policy_exception};
use palisade_kyverno::jmespath;
use palisade_kyverno::matching::{RequestInfo, UserInfo};
use palisade_kyverno::policy::{KyvernoPolicy, is_kyverno_policy};
use palisade_kyverno::variables;
use palisade_kyverno::vpol::{ValidatingPolicy, VpolInput};
use palisade_kyverno::{ClusterObjects, Json};
use palisade_load::{Limits, load_bytes};

/// Strings of the first document tried as expressions; more add time, not paths.
const MAX_EXPRESSIONS: usize = 64;

/// Resources judged per input besides the fixed Pod (every policy meets
/// every one three times; the engine's bounds are per rule and request).
const MAX_RESOURCES: usize = 8;

fn fixed_pod() -> &'static Json {
    static POD: OnceLock<Json> = OnceLock::new();
    POD.get_or_init(|| {
        serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "ns", "labels": {"app": "web"},
                         "annotations": {"owner": "team-a"}},
            "spec": {
                "hostNetwork": false,
                "securityContext": {"runAsNonRoot": true},
                "initContainers": [{"name": "init", "image": "busybox:1.36"}],
                "containers": [
                    {"name": "c", "image": "ghcr.io/org/nginx:1.25@sha256:abc",
                     "securityContext": {"runAsUser": 0, "privileged": true,
                                         "capabilities": {"add": ["NET_ADMIN"]}},
                     "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
                     "ports": [{"containerPort": 80, "hostPort": 8080}]},
                    {"name": "d", "image": "nginx"}
                ],
                "volumes": [{"name": "v", "hostPath": {"path": "/var/run"}}]
            }
        })
    })
}

fn namespace_object() -> &'static Json {
    static NAMESPACE: OnceLock<Json> = OnceLock::new();
    NAMESPACE.get_or_init(|| {
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace",
                           "metadata": {"name": "ns", "labels": {"env": "prod"}}})
    })
}

/// The context `{{ }}` and JMESPath see in the expression half of the target.
fn pod_context() -> &'static Context {
    static CONTEXT: OnceLock<Context> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        Context::from_json(serde_json::json!({
            "request": {"operation": "CREATE", "object": fixed_pod(), "oldObject": null,
                        "namespace": "ns", "name": "p",
                        "userInfo": {"username": "alice", "groups": ["dev"]}},
            "element": {"name": "c", "image": "nginx"},
            "elementIndex": 0,
            "images": {"containers": {"c": {"registry": "ghcr.io", "name": "nginx",
                                              "path": "org/nginx", "tag": "1.25"}}}
        }))
    })
}

#[derive(Default)]
struct Parsed {
    policies: Vec<KyvernoPolicy>,
    validating: Vec<ValidatingPolicy>,
    exceptions: Vec<PolicyException>,
    resources: Vec<Json>,
}

fn is_validating_policy(object: &Json) -> bool {
    object.get("kind").and_then(Json::as_str) == Some("ValidatingPolicy")
        && object
            .get("apiVersion")
            .and_then(Json::as_str)
            .is_some_and(|v| v.starts_with("policies.kyverno.io/"))
}

fn parse(documents: Vec<Json>) -> Parsed {
    let mut parsed = Parsed::default();
    for document in documents {
        if is_kyverno_policy(&document) {
            if let Ok(policy) = KyvernoPolicy::parse(&document) {
                parsed.policies.push(policy);
            }
        } else if is_validating_policy(&document) {
            if let Ok(policy) = ValidatingPolicy::parse(&document) {
                parsed.validating.push(policy);
            }
        } else if is_policy_exception(&document) {
            if let Ok(exception) = PolicyException::parse(&document) {
                parsed.exceptions.push(exception);
            }
        } else if parsed.resources.len() < MAX_RESOURCES {
            parsed.resources.push(document);
        }
    }
    parsed
}

/// Every string value (not key) of `value`, up to the limit, depth first.
fn strings<'a>(value: &'a Json, out: &mut Vec<&'a str>) {
    if out.len() >= MAX_EXPRESSIONS {
        return;
    }
    match value {
        Json::String(text) => out.push(text),
        Json::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Json::Object(map) => map.values().for_each(|item| strings(item, out)),
        _ => {}
    }
}

fn request_info(operation: &str) -> RequestInfo {
    RequestInfo {
        operation: operation.to_owned(),
        namespace_labels: BTreeMap::from([("env".to_owned(), "prod".to_owned())]),
        user: Some(UserInfo {
            username: "system:serviceaccount:ns:builder".to_owned(),
            groups: vec!["system:serviceaccounts".to_owned()],
            roles: vec!["ns:editor".to_owned()],
            cluster_roles: vec!["view".to_owned()],
        }),
    }
}

/// One resource through every policy as CREATE, UPDATE and DELETE.
fn judge(parsed: &Parsed, object: &Json) {
    let old = fixed_pod();
    let requests: [(&str, Option<&Json>, Option<&Json>); 3] = [
        ("CREATE", Some(object), None),
        ("UPDATE", Some(object), Some(old)),
        ("DELETE", None, Some(object)),
    ];
    let user_info = serde_json::json!({"username": "system:serviceaccount:ns:builder",
                                       "groups": ["system:serviceaccounts"]});
    let cluster_objects = ClusterObjects::from(parsed.resources.clone());
    for (operation, new, previous) in requests {
        let admission = Admission {
            object: new,
            old_object: previous,
            info: request_info(operation),
            user_info: Some(user_info.clone()),
            namespace_object: Some(namespace_object().clone()),
            cluster_objects: cluster_objects.clone(),
            context_values: Vec::new(),
            exceptions: &parsed.exceptions,
        };
        for policy in &parsed.policies {
            let _ = engine::apply(policy, &admission, &NoValues);
        }
        let images = Json::Null;
        let input = VpolInput {
            object,
            old_object: previous.filter(|_| operation == "UPDATE"),
            operation,
            namespace_object: Some(namespace_object()),
            user_info: Some(&user_info),
            resources: &cluster_objects,
            images: &images,
        };
        for policy in &parsed.validating {
            let _ = policy.evaluate(&input);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_file_bytes: 64 * 1024,
        max_depth: 64,
        max_documents: 32,
        max_alias_nodes: 10_000,
        max_notes: 16,
        ..Limits::default()
    };
    let Ok(load) = load_bytes(Arc::from("fuzz.yaml"), data, &limits) else {
        return;
    };
    let documents: Vec<Json> = load.objects.iter().map(|o| o.root().to_json()).collect();

    // Expressions first: they do not depend on any policy parsing.
    if let Some(first) = documents.first() {
        let mut expressions = Vec::new();
        strings(first, &mut expressions);
        let pod_root = pod_context().root();
        for expression in expressions {
            let _ = jmespath::search(expression, pod_root);
            let _ = variables::substitute_str(expression, pod_context());
        }
        let _ = variables::substitute(first, pod_context());
        let _ = variables::substitute_lenient(first, pod_context());
    }

    let parsed = parse(documents);
    if parsed.policies.is_empty() && parsed.validating.is_empty() {
        return;
    }
    for resource in &parsed.resources {
        judge(&parsed, resource);
    }
    judge(&parsed, fixed_pod());
});
