//! Pod Security Admission end to end: an AdmissionReview body as the API server
//! sends it, through `decode_request`, `Admission::review` and `encode_response`,
//! compared with the whole response. The behaviour followed is section 6 of the
//! PSS conformance spec (`shared/conformance/pss/SPEC.md`), which describes
//! upstream `k8s.io/pod-security-admission`.

use std::collections::BTreeMap;
use std::sync::Arc;

use palisade_admission::{
    Admission, Context, ExistingPods, PodSecurity, PodSecurityConfiguration, StaticNamespaces,
    decode_request, encode_response,
};
use palisade_core::Node;
use serde_json::{Value, json};

const UID: &str = "705ab4f5-6393-11e8-b7cc-42010a800002";

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION: &str = "pod-security.kubernetes.io/enforce-version";
const AUDIT: &str = "pod-security.kubernetes.io/audit";
const WARN: &str = "pod-security.kubernetes.io/warn";

/// What `restricted:latest` says about a container "app" with no security context.
const RESTRICTED_APP: &str = concat!(
    r#"allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), "#,
    r#"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), "#,
    r#"runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), "#,
    r#"seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
);
/// The same, reasons only (namespace dry-run form).
const RESTRICTED_REASONS: &str = "allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile";
/// What `baseline` says about a privileged container "app".
const PRIVILEGED_APP: &str =
    r#"privileged (container "app" must not set securityContext.privileged=true)"#;

// ---------------------------------------------------------------------------
// Objects, shaped as the API server hands them to admission (defaults applied,
// service account volume mounted).

fn container(name: &str, image: &str, security_context: Value) -> Value {
    let mut c = json!({
        "name": name,
        "image": image,
        "resources": {},
        "volumeMounts": [{
            "name": "kube-api-access-x7k2p",
            "readOnly": true,
            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"
        }],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent"
    });
    if !security_context.is_null() {
        c["securityContext"] = security_context;
    }
    c
}

/// A container "app" with no security context.
fn app() -> Value {
    container("app", "nginx:1.27", Value::Null)
}

/// A container "app" that is privileged.
fn privileged_app() -> Value {
    container("app", "nginx:1.27", json!({"privileged": true}))
}

/// A container "app" that passes `restricted` together with [`restricted_pod_context`].
fn restricted_app() -> Value {
    container(
        "app",
        "nginx:1.27",
        json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}),
    )
}

fn restricted_pod_context() -> Value {
    json!({"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}})
}

fn pod_spec(containers: Vec<Value>) -> Value {
    json!({
        "volumes": [{
            "name": "kube-api-access-x7k2p",
            "projected": {
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
                ],
                "defaultMode": 420
            }
        }],
        "containers": containers,
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "serviceAccountName": "default",
        "serviceAccount": "default",
        "securityContext": {},
        "schedulerName": "default-scheduler",
        "tolerations": [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        ],
        "priority": 0,
        "enableServiceLinks": true,
        "preemptionPolicy": "PreemptLowerPriority"
    })
}

fn pod(name: &str, namespace: &str, containers: Vec<Value>) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": "3f1c2a9e-8d4b-4c1e-9f0a-6b2d7e5c4a10",
            "creationTimestamp": "2026-07-01T10:00:00Z",
            "labels": {"app": "web"}
        },
        "spec": pod_spec(containers),
        "status": {"phase": "Pending", "qosClass": "BestEffort"}
    })
}

/// A pod that passes `restricted:latest`.
fn restricted_pod(name: &str, namespace: &str) -> Value {
    let mut p = pod(name, namespace, vec![restricted_app()]);
    p["spec"]["securityContext"] = restricted_pod_context();
    p
}

fn template(containers: Vec<Value>) -> Value {
    json!({
        "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
        "spec": pod_spec(containers)
    })
}

fn deployment(name: &str, namespace: &str, template: Value) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": "c0ffee00-1111-2222-3333-444455556666",
            "generation": 1,
            "creationTimestamp": "2026-07-01T10:00:00Z",
            "annotations": {"deployment.kubernetes.io/revision": "1"}
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": template,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600
        },
        "status": {}
    })
}

fn namespace_object(name: &str, pairs: &[(&str, &str)]) -> Value {
    let mut all = labels(pairs);
    all.insert("kubernetes.io/metadata.name".to_owned(), name.to_owned());
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "uid": "9a8b7c6d-0000-4000-8000-000000000001",
            "creationTimestamp": "2026-07-01T09:00:00Z",
            "labels": all
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"}
    })
}

// ---------------------------------------------------------------------------
// Requests.

type Gvk<'a> = (&'a str, &'a str, &'a str);
/// Namespace labels as `(key, value)` pairs.
type Labels<'a> = &'a [(&'a str, &'a str)];

const POD: Gvk = ("", "v1", "Pod");
const PODS: Gvk = ("", "v1", "pods");
const NAMESPACE: Gvk = ("", "v1", "Namespace");
const NAMESPACES: Gvk = ("", "v1", "namespaces");

/// An AdmissionRequest as the API server fills it in.
fn request(
    kind: Gvk,
    resource: Gvk,
    operation: &str,
    name: &str,
    namespace: &str,
    object: Value,
    old_object: Value,
) -> Value {
    let options_kind = match operation {
        "CREATE" => "CreateOptions",
        "UPDATE" => "UpdateOptions",
        _ => "",
    };
    let gvk = json!({"group": kind.0, "version": kind.1, "kind": kind.2});
    let gvr = json!({"group": resource.0, "version": resource.1, "resource": resource.2});
    let mut request = json!({
        "uid": UID,
        "kind": gvk,
        "resource": gvr,
        "requestKind": gvk,
        "requestResource": gvr,
        "name": name,
        "namespace": namespace,
        "operation": operation,
        "userInfo": {
            "username": "alice@example.com",
            "groups": ["developers", "system:authenticated"]
        },
        "object": object,
        "oldObject": old_object,
        "dryRun": false
    });
    if !options_kind.is_empty() {
        request["options"] = json!({"apiVersion": "meta.k8s.io/v1", "kind": options_kind});
    }
    request
}

fn with_subresource(mut request: Value, subresource: &str) -> Value {
    request["subResource"] = json!(subresource);
    request["requestSubResource"] = json!(subresource);
    request
}

fn with_user(mut request: Value, username: &str) -> Value {
    request["userInfo"]["username"] = json!(username);
    request
}

fn create_pod(object: Value) -> Value {
    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
    let namespace = object["metadata"]["namespace"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    request(POD, PODS, "CREATE", &name, &namespace, object, Value::Null)
}

fn update_pod(object: Value, old: Value) -> Value {
    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
    let namespace = object["metadata"]["namespace"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    request(POD, PODS, "UPDATE", &name, &namespace, object, old)
}

fn create_namespace(object: Value) -> Value {
    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
    // For a Namespace the request's namespace attribute is the namespace's own name.
    request(
        NAMESPACE,
        NAMESPACES,
        "CREATE",
        &name,
        &name,
        object,
        Value::Null,
    )
}

fn update_namespace(object: Value, old: Value) -> Value {
    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
    request(NAMESPACE, NAMESPACES, "UPDATE", &name, &name, object, old)
}

fn create_deployment(object: Value) -> Value {
    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
    let namespace = object["metadata"]["namespace"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    request(
        ("apps", "v1", "Deployment"),
        ("apps", "v1", "deployments"),
        "CREATE",
        &name,
        &namespace,
        object,
        Value::Null,
    )
}

// ---------------------------------------------------------------------------
// Running a review.

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn namespaces(list: &[(&str, &[(&str, &str)])]) -> StaticNamespaces {
    let mut namespaces = StaticNamespaces::default();
    for (name, pairs) in list {
        namespaces.insert(name, labels(pairs));
    }
    namespaces
}

fn config(yaml: &str) -> PodSecurityConfiguration {
    PodSecurityConfiguration::from_bytes("pod-security.yaml", yaml.as_bytes())
        .expect("test configuration is valid")
}

/// Exemptions used by the exemption tests.
fn exempting_config() -> PodSecurityConfiguration {
    config(
        "apiVersion: pod-security.admission.config.k8s.io/v1\n\
         kind: PodSecurityConfiguration\n\
         exemptions:\n\
         \x20 usernames: [ci-deployer]\n\
         \x20 namespaces: [kube-system]\n\
         \x20 runtimeClasses: [kata]\n",
    )
}

/// Runs one review; `Err` carries the namespace whose pods are needed.
fn try_review(
    pod_security: PodSecurity,
    namespaces: &StaticNamespaces,
    existing_pods: Option<&ExistingPods>,
    request: Value,
) -> Result<String, String> {
    let body = json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": request
    })
    .to_string();
    let request = decode_request(body.as_bytes()).expect("the API server's body decodes");
    let context = Context {
        namespaces,
        existing_pods,
        deadline: None,
    };
    let admission = Admission::new(vec![Arc::new(pod_security)]);
    let response = admission.review(&request, &context)?;
    Ok(String::from_utf8(encode_response(&response)).expect("UTF-8"))
}

/// The encoded response to `request` under `pod_security`.
fn review_with(pod_security: PodSecurity, namespaces: &StaticNamespaces, request: Value) -> Value {
    let text = try_review(pod_security, namespaces, None, request).expect("no pods needed");
    serde_json::from_str(&text).expect("the response is JSON")
}

/// The encoded response without a configuration (everything privileged, no exemptions).
fn review(namespaces: &StaticNamespaces, request: Value) -> Value {
    review_with(
        PodSecurity::new(PodSecurityConfiguration::default()),
        namespaces,
        request,
    )
}

/// The whole AdmissionReview expected around `response`.
fn reviewed(mut response: Value) -> Value {
    response["uid"] = json!(UID);
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": response
    })
}

fn allowed() -> Value {
    reviewed(json!({"allowed": true}))
}

fn forbidden(name: &str, policy: &str, detail: &str) -> Value {
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!("pods \"{name}\" is forbidden: violates PodSecurity \"{policy}\": {detail}"),
        "reason": "Forbidden",
        "details": {"name": name, "kind": "pods"},
        "code": 403
    })
}

fn would_violate(policy: &str, detail: &str) -> String {
    format!("would violate PodSecurity \"{policy}\": {detail}")
}

// ---------------------------------------------------------------------------
// Pods.

#[test]
fn pod_create_violating_restricted_is_denied_with_the_exact_response() {
    let ns = namespaces(&[(
        "ns",
        &[
            (ENFORCE, "restricted"),
            (AUDIT, "restricted"),
            (WARN, "restricted"),
        ],
    )]);
    let text = try_review(
        PodSecurity::new(PodSecurityConfiguration::default()),
        &ns,
        None,
        create_pod(pod("x", "ns", vec![app()])),
    )
    .expect("no pods needed");
    // Byte for byte, field order included (metav1.Status order, Go's omitempty).
    let message = RESTRICTED_APP.replace('"', "\\\"");
    let expected = format!(
        concat!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{{"#,
            r#""uid":"{uid}","allowed":false,"#,
            r#""status":{{"metadata":{{}},"status":"Failure","#,
            r#""message":"pods \"x\" is forbidden: violates PodSecurity \"restricted:latest\": {message}","#,
            r#""reason":"Forbidden","details":{{"name":"x","kind":"pods"}},"code":403}},"#,
            r#""auditAnnotations":{{"#,
            r#""audit-violations":"would violate PodSecurity \"restricted:latest\": {message}","#,
            r#""enforce-policy":"restricted:latest"}}}}}}"#,
        ),
        uid = UID,
        message = message,
    );
    // A denied pod carries no warnings although warn=restricted fails too.
    assert_eq!(text, expected);
}

#[test]
fn pod_denied_without_audit_label_has_only_the_enforce_policy_annotation() {
    // enforce=restricted alone: warn follows enforce, audit stays privileged.
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted")])]);
    assert_eq!(
        review(&ns, create_pod(pod("x", "ns", vec![app()]))),
        reviewed(json!({
            "allowed": false,
            "status": forbidden("x", "restricted:latest", RESTRICTED_APP),
            "auditAnnotations": {"enforce-policy": "restricted:latest"}
        }))
    );
}

#[test]
fn pod_passing_restricted_is_allowed_with_the_enforce_policy_annotation() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted"), (AUDIT, "restricted")])]);
    assert_eq!(
        review(&ns, create_pod(restricted_pod("x", "ns"))),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {"enforce-policy": "restricted:latest"}
        }))
    );
}

#[test]
fn pod_allowed_but_warned_by_the_warn_label() {
    let ns = namespaces(&[("ns", &[(WARN, "baseline")])]);
    assert_eq!(
        review(&ns, create_pod(pod("x", "ns", vec![privileged_app()]))),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {"enforce-policy": "privileged:latest"},
            "warnings": [would_violate("baseline:latest", PRIVILEGED_APP)]
        }))
    );
}

#[test]
fn pod_passing_enforce_is_audited_and_warned_at_stricter_levels() {
    let ns = namespaces(&[(
        "ns",
        &[
            (ENFORCE, "baseline"),
            (ENFORCE_VERSION, "v1.30"),
            (AUDIT, "restricted"),
            (WARN, "restricted"),
        ],
    )]);
    assert_eq!(
        review(&ns, create_pod(pod("x", "ns", vec![app()]))),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {
                "enforce-policy": "baseline:v1.30",
                "audit-violations": would_violate("restricted:latest", RESTRICTED_APP)
            },
            "warnings": [would_violate("restricted:latest", RESTRICTED_APP)]
        }))
    );
}

#[test]
fn warn_follows_enforce_with_the_enforce_version() {
    // enforce=baseline alone warns at baseline with enforce's version. A pod that
    // fails baseline is denied (no warning), so a workload shows the warning.
    let ns = namespaces(&[("ns", &[(ENFORCE, "baseline"), (ENFORCE_VERSION, "v1.30")])]);
    let deploy = deployment("web", "ns", template(vec![privileged_app()]));
    assert_eq!(
        review(&ns, create_deployment(deploy)),
        reviewed(json!({
            "allowed": true,
            "warnings": [would_violate("baseline:v1.30", PRIVILEGED_APP)]
        }))
    );
    // A pod that passes baseline is allowed without a warning.
    assert_eq!(
        review(&ns, create_pod(pod("x", "ns", vec![app()]))),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {"enforce-policy": "baseline:v1.30"}
        }))
    );
    // An explicit warn level stops warn from following.
    let ns = namespaces(&[("ns", &[(ENFORCE, "baseline"), (WARN, "privileged")])]);
    let deploy = deployment("web", "ns", template(vec![privileged_app()]));
    assert_eq!(review(&ns, create_deployment(deploy)), allowed());
}

#[test]
fn fully_privileged_namespace_allows_with_privileged_latest() {
    let privileged_pod = || create_pod(pod("x", "ns", vec![privileged_app()]));
    let expected = reviewed(json!({
        "allowed": true,
        "auditAnnotations": {"enforce-policy": "privileged:latest"}
    }));
    // No Pod Security labels, no configuration.
    assert_eq!(
        review(&namespaces(&[("ns", &[])]), privileged_pod()),
        expected
    );
    // Explicit privileged labels; a pinned version still prints as latest.
    let ns = namespaces(&[(
        "ns",
        &[
            (ENFORCE, "privileged"),
            (ENFORCE_VERSION, "v1.20"),
            (AUDIT, "privileged"),
        ],
    )]);
    assert_eq!(review(&ns, privileged_pod()), expected);
}

#[test]
fn configured_defaults_apply_to_a_namespace_without_labels() {
    let defaults = || {
        PodSecurity::new(config(
            "apiVersion: pod-security.admission.config.k8s.io/v1\n\
             kind: PodSecurityConfiguration\n\
             defaults:\n\
             \x20 enforce: baseline\n\
             \x20 enforce-version: v1.30\n\
             \x20 audit: restricted\n\
             \x20 warn: restricted\n",
        ))
    };
    let ns = namespaces(&[("ns", &[]), ("open", &[(ENFORCE, "privileged")])]);
    // Denied at the default enforce level, audited at the default audit level.
    assert_eq!(
        review_with(
            defaults(),
            &ns,
            create_pod(pod("x", "ns", vec![privileged_app()]))
        ),
        reviewed(json!({
            "allowed": false,
            "status": forbidden("x", "baseline:v1.30", PRIVILEGED_APP),
            "auditAnnotations": {
                "enforce-policy": "baseline:v1.30",
                "audit-violations": would_violate(
                    "restricted:latest",
                    &format!("{PRIVILEGED_APP}, {RESTRICTED_APP}")
                )
            }
        }))
    );
    // Allowed at baseline, warned and audited at the restricted defaults.
    assert_eq!(
        review_with(defaults(), &ns, create_pod(pod("x", "ns", vec![app()]))),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {
                "enforce-policy": "baseline:v1.30",
                "audit-violations": would_violate("restricted:latest", RESTRICTED_APP)
            },
            "warnings": [would_violate("restricted:latest", RESTRICTED_APP)]
        }))
    );
    // A label replaces only its own part of the default: the level is the
    // label's, the version still the default's.
    assert_eq!(
        review_with(defaults(), &ns, create_pod(pod("x", "open", vec![app()]))),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {
                "enforce-policy": "privileged:v1.30",
                "audit-violations": would_violate("restricted:latest", RESTRICTED_APP)
            },
            "warnings": [would_violate("restricted:latest", RESTRICTED_APP)]
        }))
    );
}

#[test]
fn invalid_enforce_label_enforces_restricted_latest_with_an_error_annotation() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "Restricted"), (ENFORCE_VERSION, "v1.30")])]);
    let error = concat!(
        "Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: ",
        r#"Invalid value: "Restricted": must be one of privileged, baseline, restricted"#
    );
    assert_eq!(
        review(&ns, create_pod(pod("x", "ns", vec![app()]))),
        reviewed(json!({
            "allowed": false,
            "status": forbidden("x", "restricted:v1.30", RESTRICTED_APP),
            "auditAnnotations": {"enforce-policy": "restricted:v1.30", "error": error}
        }))
    );
    // An invalid version too: restricted:latest, both errors aggregated.
    let ns = namespaces(&[("ns", &[(ENFORCE, "strict"), (ENFORCE_VERSION, "1.30")])]);
    assert_eq!(
        review(&ns, create_pod(restricted_pod("x", "ns"))),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {
                "enforce-policy": "restricted:latest",
                "error": concat!(
                    "Failed to parse policy: [",
                    "metadata.labels[pod-security.kubernetes.io/enforce]: ",
                    r#"Invalid value: "strict": must be one of privileged, baseline, restricted, "#,
                    "metadata.labels[pod-security.kubernetes.io/enforce-version]: ",
                    r#"Invalid value: "1.30": must be "latest" or "v1.x""#,
                    "]"
                )
            }
        }))
    );
}

#[test]
fn invalid_audit_label_skips_the_privileged_short_cut() {
    // audit fails open to privileged, so every mode is privileged, but the label
    // error still gets the pod evaluated and annotated.
    let ns = namespaces(&[("ns", &[(AUDIT, "strict")])]);
    assert_eq!(
        review(&ns, create_pod(pod("x", "ns", vec![privileged_app()]))),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {
                "enforce-policy": "privileged:latest",
                "error": concat!(
                    "Failed to parse policy: metadata.labels[pod-security.kubernetes.io/audit]: ",
                    r#"Invalid value: "strict": must be one of privileged, baseline, restricted"#
                )
            }
        }))
    );
}

#[test]
fn ignored_pod_subresources_are_allowed_without_annotations() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted"), (AUDIT, "restricted")])]);
    let bad_pod = || pod("x", "ns", vec![privileged_app()]);
    let status = with_subresource(update_pod(bad_pod(), bad_pod()), "status");
    let binding = with_subresource(
        request(
            ("", "v1", "Binding"),
            PODS,
            "CREATE",
            "x",
            "ns",
            json!({
                "kind": "Binding",
                "apiVersion": "v1",
                "metadata": {"name": "x", "namespace": "ns", "creationTimestamp": null},
                "target": {"kind": "Node", "name": "node-1"}
            }),
            Value::Null,
        ),
        "binding",
    );
    let eviction = with_subresource(
        request(
            ("policy", "v1", "Eviction"),
            PODS,
            "CREATE",
            "x",
            "ns",
            json!({
                "kind": "Eviction",
                "apiVersion": "policy/v1",
                "metadata": {"name": "x", "namespace": "ns", "creationTimestamp": null}
            }),
            Value::Null,
        ),
        "eviction",
    );
    let exec = with_subresource(
        request(
            ("", "v1", "PodExecOptions"),
            PODS,
            "CONNECT",
            "x",
            "ns",
            json!({
                "kind": "PodExecOptions",
                "apiVersion": "v1",
                "stdin": true,
                "stdout": true,
                "tty": true,
                "container": "app",
                "command": ["sh"]
            }),
            Value::Null,
        ),
        "exec",
    );
    for request in [status, binding, eviction, exec] {
        assert_eq!(review(&ns, request), allowed());
    }
}

#[test]
fn ephemeral_containers_subresource_is_evaluated() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted")])]);
    let old = restricted_pod("web", "ns");
    let mut new = old.clone();
    new["spec"]["ephemeralContainers"] = json!([{
        "name": "debugger",
        "image": "busybox:1.36",
        "stdin": true,
        "tty": true,
        "targetContainerName": "app",
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent"
    }]);
    let detail = concat!(
        r#"allowPrivilegeEscalation != false (container "debugger" must set securityContext.allowPrivilegeEscalation=false), "#,
        r#"unrestricted capabilities (container "debugger" must set securityContext.capabilities.drop=["ALL"])"#
    );
    let request = with_subresource(update_pod(new.clone(), old.clone()), "ephemeralcontainers");
    assert_eq!(
        review(&ns, request),
        reviewed(json!({
            "allowed": false,
            "status": forbidden("web", "restricted:latest", detail),
            "auditAnnotations": {"enforce-policy": "restricted:latest"}
        }))
    );
    // Changing the image of an existing ephemeral container (matched by name) is
    // significant too; an unchanged one is not.
    let mut changed = new.clone();
    changed["spec"]["ephemeralContainers"][0]["image"] = json!("busybox:1.37");
    let request = with_subresource(update_pod(changed, new.clone()), "ephemeralcontainers");
    assert_eq!(
        review(&ns, request)["response"]["status"]["code"],
        json!(403)
    );
    let mut relabelled = new.clone();
    relabelled["metadata"]["labels"]["debug"] = json!("true");
    assert_eq!(review(&ns, update_pod(relabelled, new)), allowed());
    // Any other subresource (resize, unknown future ones) is evaluated as the pod.
    let old = pod("web", "ns", vec![app()]);
    let mut resized = old.clone();
    resized["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    for subresource in ["resize", "something-new"] {
        let request = with_subresource(update_pod(resized.clone(), old.clone()), subresource);
        assert_eq!(
            review(&ns, request),
            reviewed(json!({
                "allowed": false,
                "status": forbidden("web", "restricted:latest", RESTRICTED_APP),
                "auditAnnotations": {"enforce-policy": "restricted:latest"}
            }))
        );
    }
}

#[test]
fn pod_update_that_only_changes_labels_is_not_evaluated() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted"), (AUDIT, "restricted")])]);
    let old = pod("x", "ns", vec![privileged_app()]);
    let mut new = old.clone();
    new["metadata"]["labels"]["tier"] = json!("frontend");
    new["spec"]["tolerations"] = json!([]);
    new["spec"]["containers"][0]["resources"] = json!({"limits": {"cpu": "1"}});
    assert_eq!(review(&ns, update_pod(new, old)), allowed());
}

#[test]
fn pod_update_changing_an_image_or_the_containers_is_evaluated() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted")])]);
    let denied = reviewed(json!({
        "allowed": false,
        "status": forbidden("x", "restricted:latest", RESTRICTED_APP),
        "auditAnnotations": {"enforce-policy": "restricted:latest"}
    }));
    let old = pod("x", "ns", vec![app()]);
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    assert_eq!(review(&ns, update_pod(new, old.clone())), denied);
    // An init container added (the count changed); it is evaluated with the rest.
    let mut new = old.clone();
    new["spec"]["initContainers"] = json!([restricted_app()]);
    new["spec"]["initContainers"][0]["name"] = json!("init");
    let detail = concat!(
        r#"allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), "#,
        r#"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), "#,
        r#"runAsNonRoot != true (pod or containers "init", "app" must set securityContext.runAsNonRoot=true), "#,
        r#"seccompProfile (pod or containers "init", "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
    );
    assert_eq!(
        review(&ns, update_pod(new, old.clone())),
        reviewed(json!({
            "allowed": false,
            "status": forbidden("x", "restricted:latest", detail),
            "auditAnnotations": {"enforce-policy": "restricted:latest"}
        }))
    );
    // A container removed.
    let mut two = old.clone();
    two["spec"]["containers"] = json!([app(), restricted_app()]);
    two["spec"]["containers"][1]["name"] = json!("sidecar");
    assert_eq!(review(&ns, update_pod(old.clone(), two)), denied);
    // The image changed to a compliant pod: evaluated and allowed.
    let mut old_restricted = restricted_pod("x", "ns");
    old_restricted["spec"]["containers"][0]["image"] = json!("nginx:1.26");
    assert_eq!(
        review(&ns, update_pod(restricted_pod("x", "ns"), old_restricted)),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {"enforce-policy": "restricted:latest"}
        }))
    );
}

#[test]
fn pod_update_changing_a_container_seccomp_annotation_is_evaluated() {
    // Upstream keeps this check (isSignificantContainerUpdate) even though the
    // annotations matter only before v1.19.
    let ns = namespaces(&[("ns", &[(ENFORCE, "baseline"), (ENFORCE_VERSION, "v1.18")])]);
    let old = pod("x", "ns", vec![app()]);
    let mut new = old.clone();
    new["metadata"]["annotations"] =
        json!({"container.seccomp.security.alpha.kubernetes.io/app": "unconfined"});
    assert_eq!(
        review(&ns, update_pod(new, old.clone())),
        reviewed(json!({
            "allowed": false,
            "status": forbidden(
                "x",
                "baseline:v1.18",
                r#"seccompProfile (forbidden annotation container.seccomp.security.alpha.kubernetes.io/app="unconfined")"#
            ),
            "auditAnnotations": {"enforce-policy": "baseline:v1.18"}
        }))
    );
    // The pod-level key and keys of names that are not containers do not count.
    let mut new = old.clone();
    new["metadata"]["annotations"] = json!({
        "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
        "container.seccomp.security.alpha.kubernetes.io/sidecar": "unconfined"
    });
    assert_eq!(review(&ns, update_pod(new, old)), allowed());
}

#[test]
fn exemptions_from_the_configuration() {
    let pss = || PodSecurity::new(exempting_config());
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted"), (AUDIT, "restricted")])]);
    let exempt =
        |why: &str| reviewed(json!({"allowed": true, "auditAnnotations": {"exempt": why}}));
    // Namespace: decided before the namespace is even looked up.
    let request = create_pod(pod("x", "kube-system", vec![privileged_app()]));
    assert_eq!(review_with(pss(), &ns, request), exempt("namespace"));
    // User: exact match on the requester.
    let request = with_user(
        create_pod(pod("x", "ns", vec![privileged_app()])),
        "ci-deployer",
    );
    assert_eq!(review_with(pss(), &ns, request), exempt("user"));
    let request = with_user(
        create_pod(pod("x", "ns", vec![privileged_app()])),
        "ci-deployer2",
    );
    assert_eq!(
        review_with(pss(), &ns, request)["response"]["allowed"],
        json!(false)
    );
    // Runtime class of the pod.
    let mut kata = pod("x", "ns", vec![privileged_app()]);
    kata["spec"]["runtimeClassName"] = json!("kata");
    assert_eq!(
        review_with(pss(), &ns, create_pod(kata)),
        exempt("runtimeClass")
    );
    // The same exemptions apply to workloads; the runtime class is the template's.
    let request = create_deployment(deployment("web", "kube-system", template(vec![app()])));
    assert_eq!(review_with(pss(), &ns, request), exempt("namespace"));
    let request = with_user(
        create_deployment(deployment("web", "ns", template(vec![app()]))),
        "ci-deployer",
    );
    assert_eq!(review_with(pss(), &ns, request), exempt("user"));
    let mut kata = template(vec![app()]);
    kata["spec"]["runtimeClassName"] = json!("kata");
    let request = create_deployment(deployment("web", "ns", kata));
    assert_eq!(review_with(pss(), &ns, request), exempt("runtimeClass"));
}

#[test]
fn unknown_namespace_denies_a_pod_with_an_internal_error() {
    let ns = namespaces(&[]);
    assert_eq!(
        review(&ns, create_pod(pod("x", "ns", vec![app()]))),
        reviewed(json!({
            "allowed": false,
            "status": {
                "metadata": {},
                "status": "Failure",
                "message": r#"Internal error occurred: failed to lookup namespace "ns""#,
                "reason": "InternalError",
                "details": {"causes": [{"message": r#"failed to lookup namespace "ns""#}]},
                "code": 500
            },
            // upstream errorResponse: "<status message>: <lookup error>"
            "auditAnnotations": {
                "error": r#"Internal error occurred: failed to lookup namespace "ns": namespaces "ns" not found"#
            }
        }))
    );
}

#[test]
fn unknown_namespace_allows_a_workload_with_an_error_annotation() {
    let ns = namespaces(&[]);
    let request = create_deployment(deployment("web", "ns", template(vec![privileged_app()])));
    assert_eq!(
        review(&ns, request),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {
                "error": r#"failed to lookup namespace "ns": namespaces "ns" not found"#
            }
        }))
    );
}

// ---------------------------------------------------------------------------
// Workloads.

#[test]
fn deployment_is_warned_and_audited_but_never_denied() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted"), (AUDIT, "restricted")])]);
    let request = create_deployment(deployment("web", "ns", template(vec![app()])));
    assert_eq!(
        review(&ns, request),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {
                "audit-violations": would_violate("restricted:latest", RESTRICTED_APP)
            },
            "warnings": [would_violate("restricted:latest", RESTRICTED_APP)]
        }))
    );
    // enforce alone is not evaluated at all for a workload when audit and warn
    // are privileged.
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted"), (WARN, "privileged")])]);
    let request = create_deployment(deployment("web", "ns", template(vec![privileged_app()])));
    assert_eq!(review(&ns, request), allowed());
}

#[test]
fn workload_template_annotations_are_read_not_the_workloads_own() {
    let ns = namespaces(&[("ns", &[(WARN, "baseline")])]);
    let apparmor = json!({"container.apparmor.security.beta.kubernetes.io/app": "unconfined"});
    let mut on_workload = deployment("web", "ns", template(vec![app()]));
    on_workload["metadata"]["annotations"] = apparmor.clone();
    assert_eq!(review(&ns, create_deployment(on_workload)), allowed());
    let mut on_template = template(vec![app()]);
    on_template["metadata"]["annotations"] = apparmor;
    assert_eq!(
        review(&ns, create_deployment(deployment("web", "ns", on_template))),
        reviewed(json!({
            "allowed": true,
            "warnings": [would_violate(
                "baseline:latest",
                r#"forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="unconfined"")"#
            )]
        }))
    );
}

#[test]
fn cronjob_template_is_read_from_the_job_template() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "baseline"), (AUDIT, "baseline")])]);
    let mut spec = template(vec![privileged_app()]);
    spec["spec"]["restartPolicy"] = json!("OnFailure");
    let cronjob = json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "ns", "creationTimestamp": "2026-07-01T10:00:00Z"},
        "spec": {
            "schedule": "0 3 * * *",
            "concurrencyPolicy": "Allow",
            "suspend": false,
            "jobTemplate": {
                "metadata": {"creationTimestamp": null},
                "spec": {"backoffLimit": 6, "template": spec}
            },
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1
        },
        "status": {}
    });
    let request = request(
        ("batch", "v1", "CronJob"),
        ("batch", "v1", "cronjobs"),
        "CREATE",
        "nightly",
        "ns",
        cronjob,
        Value::Null,
    );
    assert_eq!(
        review(&ns, request),
        reviewed(json!({
            "allowed": true,
            "auditAnnotations": {"audit-violations": would_violate("baseline:latest", PRIVILEGED_APP)},
            "warnings": [would_violate("baseline:latest", PRIVILEGED_APP)]
        }))
    );
}

#[test]
fn replication_controller_without_a_template_is_allowed() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted"), (AUDIT, "restricted")])]);
    let rc = json!({
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "legacy", "namespace": "ns", "creationTimestamp": "2026-07-01T10:00:00Z"},
        "spec": {"replicas": 0, "selector": {"app": "legacy"}},
        "status": {"replicas": 0}
    });
    let request = request(
        ("", "v1", "ReplicationController"),
        ("", "v1", "replicationcontrollers"),
        "CREATE",
        "legacy",
        "ns",
        rc,
        Value::Null,
    );
    assert_eq!(review(&ns, request), allowed());
}

#[test]
fn workload_subresources_are_skipped() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted"), (AUDIT, "restricted")])]);
    let scale = |replicas: i64| {
        json!({
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"replicas": replicas},
            "status": {"replicas": 2, "selector": "app=web"}
        })
    };
    let request = with_subresource(
        request(
            ("autoscaling", "v1", "Scale"),
            ("apps", "v1", "deployments"),
            "UPDATE",
            "web",
            "ns",
            scale(5),
            scale(2),
        ),
        "scale",
    );
    assert_eq!(review(&ns, request), allowed());
}

#[test]
fn other_resources_are_allowed_silently() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted")])]);
    let request = request(
        ("", "v1", "ConfigMap"),
        ("", "v1", "configmaps"),
        "CREATE",
        "settings",
        "ns",
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "ns"}, "data": {"a": "b"}}),
        Value::Null,
    );
    assert_eq!(review(&ns, request), allowed());
}

// ---------------------------------------------------------------------------
// Namespaces.

#[test]
fn namespace_create_with_invalid_labels_is_invalid() {
    let object = namespace_object("test", &[(ENFORCE, "unknown"), (ENFORCE_VERSION, "v1.01")]);
    let text = try_review(
        PodSecurity::new(PodSecurityConfiguration::default()),
        &namespaces(&[]),
        None,
        create_namespace(object),
    )
    .expect("no pods needed");
    let expected = concat!(
        r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"#,
        r#""uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":false,"#,
        r#""status":{"metadata":{},"status":"Failure","#,
        r#""message":"Namespace \"test\" is invalid: ["#,
        r#"metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"unknown\": must be one of privileged, baseline, restricted, "#,
        r#"metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: \"v1.01\": must be \"latest\" or \"v1.x\"]","#,
        r#""reason":"Invalid","details":{"name":"test","kind":"Namespace","causes":["#,
        r#"{"reason":"FieldValueInvalid","message":"Invalid value: \"unknown\": must be one of privileged, baseline, restricted","field":"metadata.labels[pod-security.kubernetes.io/enforce]"},"#,
        r#"{"reason":"FieldValueInvalid","message":"Invalid value: \"v1.01\": must be \"latest\" or \"v1.x\"","field":"metadata.labels[pod-security.kubernetes.io/enforce-version]"}"#,
        r#"]},"code":422}}}"#,
    );
    assert_eq!(text, expected);
    // One error alone is not bracketed.
    let object = namespace_object("test", &[(WARN, "Baseline")]);
    assert_eq!(
        review(&namespaces(&[]), create_namespace(object)),
        reviewed(json!({
            "allowed": false,
            "status": {
                "metadata": {},
                "status": "Failure",
                "message": r#"Namespace "test" is invalid: metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "Baseline": must be one of privileged, baseline, restricted"#,
                "reason": "Invalid",
                "details": {
                    "name": "test",
                    "kind": "Namespace",
                    "causes": [{
                        "reason": "FieldValueInvalid",
                        "message": r#"Invalid value: "Baseline": must be one of privileged, baseline, restricted"#,
                        "field": "metadata.labels[pod-security.kubernetes.io/warn]"
                    }]
                },
                "code": 422
            }
        }))
    );
}

#[test]
fn namespace_create_with_valid_labels_is_allowed_silently() {
    let object = namespace_object(
        "team-a",
        &[(ENFORCE, "restricted"), (ENFORCE_VERSION, "v1.30")],
    );
    assert_eq!(
        review(&namespaces(&[]), create_namespace(object)),
        allowed()
    );
}

#[test]
fn exempt_namespace_create_warns_that_its_policy_is_ignored() {
    let pss = || PodSecurity::new(exempting_config());
    let object = namespace_object("kube-system", &[(ENFORCE, "restricted")]);
    assert_eq!(
        review_with(pss(), &namespaces(&[]), create_namespace(object)),
        reviewed(json!({
            "allowed": true,
            "warnings": [
                r#"namespace "kube-system" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored"#
            ]
        }))
    );
    // Every labelled, non-privileged mode is listed, in enforce, audit, warn order.
    let object = namespace_object(
        "kube-system",
        &[
            (ENFORCE, "restricted"),
            (ENFORCE_VERSION, "v1.0"),
            (AUDIT, "restricted"),
            (WARN, "baseline"),
        ],
    );
    assert_eq!(
        review_with(pss(), &namespaces(&[]), create_namespace(object)),
        reviewed(json!({
            "allowed": true,
            "warnings": [concat!(
                r#"namespace "kube-system" is exempt from Pod Security, and the policy "#,
                "(enforce=restricted:v1.0, audit=restricted:latest, warn=baseline:latest) will be ignored"
            )]
        }))
    );
    // A fully privileged policy gets no warning.
    let object = namespace_object("kube-system", &[(ENFORCE, "privileged")]);
    assert_eq!(
        review_with(pss(), &namespaces(&[]), create_namespace(object)),
        allowed()
    );
    // Labels equivalent to the configured defaults get no warning.
    let with_defaults = PodSecurity::new(config(
        "apiVersion: pod-security.admission.config.k8s.io/v1\n\
         kind: PodSecurityConfiguration\n\
         defaults:\n\
         \x20 enforce: baseline\n\
         \x20 warn: baseline\n\
         exemptions:\n\
         \x20 namespaces: [kube-system]\n",
    ));
    let object = namespace_object("kube-system", &[(ENFORCE, "baseline")]);
    assert_eq!(
        review_with(with_defaults, &namespaces(&[]), create_namespace(object)),
        allowed()
    );
    // Labels are validated even for an exempt namespace.
    let object = namespace_object("kube-system", &[(ENFORCE, "bogus")]);
    assert_eq!(
        review_with(pss(), &namespaces(&[]), create_namespace(object))["response"]["status"]["code"],
        json!(422)
    );
}

#[test]
fn namespace_update_raising_enforce_dry_runs_the_existing_pods() {
    let old = namespace_object("ns", &[]);
    let new = namespace_object("ns", &[(ENFORCE, "restricted")]);
    let request = || update_namespace(new.clone(), old.clone());
    let pss = || PodSecurity::new(PodSecurityConfiguration::default());
    let ns = namespaces(&[("ns", &[])]);
    // First call: the pods of the namespace are needed.
    assert_eq!(
        try_review(pss(), &ns, None, request()),
        Err("ns".to_owned())
    );
    // Second call with the pods: warnings only, grouped by reasons.
    let pods: ExistingPods = Ok(vec![
        Arc::new(Node::from_json(&pod("p2", "ns", vec![app()]))),
        Arc::new(Node::from_json(&restricted_pod("ok", "ns"))),
        Arc::new(Node::from_json(&pod("p3", "ns", vec![privileged_app()]))),
        Arc::new(Node::from_json(&pod("p1", "ns", vec![app()]))),
    ]);
    let text = try_review(pss(), &ns, Some(&pods), request()).expect("pods given");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        reviewed(json!({
            "allowed": true,
            "warnings": [
                r#"existing pods in namespace "ns" violate the new PodSecurity enforce level "restricted:latest""#,
                format!("p1 (and 1 other pod): {RESTRICTED_REASONS}"),
                format!("p3: privileged, {RESTRICTED_REASONS}")
            ]
        }))
    );
    // No violating pod: no warning at all.
    let pods: ExistingPods = Ok(vec![Arc::new(Node::from_json(&restricted_pod("ok", "ns")))]);
    let text = try_review(pss(), &ns, Some(&pods), request()).expect("pods given");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        allowed()
    );
}

#[test]
fn namespace_update_checks_at_most_max_pods_to_check() {
    let mut pss = PodSecurity::new(exempting_config());
    pss.max_pods_to_check = 2;
    let owned = |name: &str, owner: &str, containers: Vec<Value>| {
        let mut p = pod(name, "ns", containers);
        p["metadata"]["ownerReferences"] = json!([{
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "name": "web-7d4b9",
            "uid": owner,
            "controller": true,
            "blockOwnerDeletion": true
        }]);
        Arc::new(Node::from_json(&p))
    };
    let mut kata = pod("kata-1", "ns", vec![privileged_app()]);
    kata["spec"]["runtimeClassName"] = json!("kata");
    let pods: ExistingPods = Ok(vec![
        // An exempt runtime class: dropped, not counted.
        Arc::new(Node::from_json(&kata)),
        // Two replicas of one controller: the second is checked last.
        owned("web-7d4b9-aaaaa", "rs-uid-1", vec![app()]),
        owned("web-7d4b9-bbbbb", "rs-uid-1", vec![privileged_app()]),
        Arc::new(Node::from_json(&pod("job-x", "ns", vec![app()]))),
    ]);
    let request = update_namespace(
        namespace_object("ns", &[(ENFORCE, "restricted")]),
        namespace_object("ns", &[(ENFORCE, "baseline")]),
    );
    let text =
        try_review(pss, &namespaces(&[("ns", &[])]), Some(&pods), request).expect("pods given");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        reviewed(json!({
            "allowed": true,
            "warnings": [
                "new PodSecurity enforce level only checked against the first 2 of 3 existing pods",
                r#"existing pods in namespace "ns" violate the new PodSecurity enforce level "restricted:latest""#,
                format!("job-x (and 1 other pod): {RESTRICTED_REASONS}")
            ]
        }))
    );
}

#[test]
fn namespace_update_with_a_failed_pod_list_warns() {
    let pods: ExistingPods = Err("the server could not find the requested resource".to_owned());
    let request = update_namespace(
        namespace_object("ns", &[(ENFORCE, "baseline")]),
        namespace_object("ns", &[]),
    );
    let text = try_review(
        PodSecurity::new(PodSecurityConfiguration::default()),
        &namespaces(&[("ns", &[])]),
        Some(&pods),
        request,
    )
    .expect("pods given");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        reviewed(json!({
            "allowed": true,
            "warnings": ["failed to list pods while checking new PodSecurity enforce level"]
        }))
    );
}

#[test]
fn namespace_update_that_does_not_raise_enforce_is_allowed_silently() {
    let ns = namespaces(&[("ns", &[])]);
    let cases: [(Labels, Labels); 5] = [
        // Relaxed at the same version.
        (&[(ENFORCE, "restricted")], &[(ENFORCE, "baseline")]),
        // Same enforce, other modes changed.
        (
            &[(ENFORCE, "baseline")],
            &[
                (ENFORCE, "baseline"),
                (WARN, "restricted"),
                (AUDIT, "restricted"),
            ],
        ),
        // New enforce privileged, whatever the version.
        (
            &[(ENFORCE, "restricted")],
            &[(ENFORCE, "privileged"), (ENFORCE_VERSION, "v1.25")],
        ),
        // Same enforce spelt differently (latest is the default version).
        (
            &[(ENFORCE, "baseline")],
            &[(ENFORCE, "baseline"), (ENFORCE_VERSION, "latest")],
        ),
        // Labels unrelated to Pod Security.
        (&[], &[("team", "a")]),
    ];
    for (before, after) in cases {
        let request = update_namespace(
            namespace_object("ns", after),
            namespace_object("ns", before),
        );
        // `review` panics if the pods are asked for.
        assert_eq!(review(&ns, request), allowed(), "{before:?} -> {after:?}");
    }
    // A version change is not a relaxation, even to a lower level.
    let request = update_namespace(
        namespace_object("ns", &[(ENFORCE, "baseline")]),
        namespace_object("ns", &[(ENFORCE, "restricted"), (ENFORCE_VERSION, "v1.30")]),
    );
    assert_eq!(
        try_review(
            PodSecurity::new(PodSecurityConfiguration::default()),
            &ns,
            None,
            request
        ),
        Err("ns".to_owned())
    );
}

#[test]
fn namespace_update_keeping_the_same_label_errors_is_allowed() {
    let ns = namespaces(&[("ns", &[])]);
    let broken = [(ENFORCE, "strict")];
    let request = update_namespace(
        namespace_object("ns", &[(ENFORCE, "strict"), ("team", "a")]),
        namespace_object("ns", &broken),
    );
    assert_eq!(review(&ns, request), allowed());
    // Different errors (or errors where there were none) are refused.
    let invalid = |value: &str| {
        reviewed(json!({
            "allowed": false,
            "status": {
                "metadata": {},
                "status": "Failure",
                "message": format!(
                    "Namespace \"ns\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: \
                     Invalid value: \"{value}\": must be one of privileged, baseline, restricted"
                ),
                "reason": "Invalid",
                "details": {
                    "name": "ns",
                    "kind": "Namespace",
                    "causes": [{
                        "reason": "FieldValueInvalid",
                        "message": format!("Invalid value: \"{value}\": must be one of privileged, baseline, restricted"),
                        "field": "metadata.labels[pod-security.kubernetes.io/enforce]"
                    }]
                },
                "code": 422
            }
        }))
    };
    let request = update_namespace(
        namespace_object("ns", &[(ENFORCE, "stricter")]),
        namespace_object("ns", &broken),
    );
    assert_eq!(review(&ns, request), invalid("stricter"));
    let request = update_namespace(
        namespace_object("ns", &broken),
        namespace_object("ns", &[(ENFORCE, "baseline")]),
    );
    assert_eq!(review(&ns, request), invalid("strict"));
}

#[test]
fn exempt_namespace_update_raising_enforce_warns_without_a_dry_run() {
    let request = update_namespace(
        namespace_object("kube-system", &[(ENFORCE, "restricted")]),
        namespace_object("kube-system", &[]),
    );
    let text = try_review(
        PodSecurity::new(exempting_config()),
        &namespaces(&[("kube-system", &[])]),
        None,
        request,
    )
    .expect("an exempt namespace needs no pods");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        reviewed(json!({
            "allowed": true,
            "warnings": [
                r#"namespace "kube-system" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored"#
            ]
        }))
    );
}

// ---------------------------------------------------------------------------
// Malformed requests.

#[test]
fn pod_request_carrying_another_kind_is_a_bad_request() {
    let ns = namespaces(&[("ns", &[(ENFORCE, "restricted")])]);
    let bad_request = |message: &str, error: &str| {
        reviewed(json!({
            "allowed": false,
            "status": {
                "metadata": {},
                "status": "Failure",
                "message": message,
                "reason": "BadRequest",
                "code": 400
            },
            "auditAnnotations": {"error": error}
        }))
    };
    let deploy = deployment("x", "ns", template(vec![app()]));
    assert_eq!(
        review(
            &ns,
            request(POD, PODS, "CREATE", "x", "ns", deploy, Value::Null)
        ),
        bad_request("failed to decode pod", "failed to decode pod")
    );
    // An update without its old pod.
    let new = pod("x", "ns", vec![app()]);
    assert_eq!(
        review(&ns, update_pod(new, Value::Null)),
        bad_request("failed to decode old pod", "failed to decode old pod")
    );
    // Something that is not an object at all.
    assert_eq!(
        review(
            &ns,
            request(POD, PODS, "CREATE", "x", "ns", json!("a pod"), Value::Null)
        ),
        bad_request(
            "failed to decode object",
            "failed to decode object: expected a JSON object, found a string"
        )
    );
}

#[test]
fn namespace_request_carrying_another_kind_is_a_bad_request() {
    let ns = namespaces(&[]);
    let bad_request = |message: &str, error: &str| {
        reviewed(json!({
            "allowed": false,
            "status": {
                "metadata": {},
                "status": "Failure",
                "message": message,
                "reason": "BadRequest",
                "code": 400
            },
            "auditAnnotations": {"error": error}
        }))
    };
    let not_a_namespace = pod("test", "", vec![app()]);
    let request = request(
        NAMESPACE,
        NAMESPACES,
        "CREATE",
        "test",
        "test",
        not_a_namespace.clone(),
        Value::Null,
    );
    assert_eq!(
        review(&ns, request),
        bad_request("failed to decode namespace", "failed to decode namespace")
    );
    // Upstream's texts for the old object carry a double space.
    let new = namespace_object("test", &[(ENFORCE, "restricted")]);
    assert_eq!(
        review(&ns, update_namespace(new.clone(), Value::Null)),
        bad_request(
            "failed to decode  old namespace",
            "failed to decode  old namespace"
        )
    );
    assert_eq!(
        review(&ns, update_namespace(new, json!(["not", "an", "object"]))),
        bad_request(
            "failed to decode  old object",
            "failed to decode  old object: expected a JSON object, found a sequence"
        )
    );
}
