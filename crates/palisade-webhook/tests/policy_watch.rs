//! `--watch-gatekeeper` against a FAKE API server: kube's `Client` is built on a
//! `tower_test` mock service that answers the LISTs and WATCHes of
//! ConstraintTemplates and of each template kind's Constraints the way the API
//! server would (JSON lists, newline-delimited watch events, a 404 Status for a
//! CRD that does not exist). The webhook under test is the real server on
//! loopback with real TLS, enforcing the watched set through
//! `GatekeeperAdmission::shared`. No real cluster is involved: what is tested is
//! that Palisade's watches, rebuilds, swaps and readiness follow those answers.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use http::{Request, Response, StatusCode};
use kube::client::Body;
use palisade_policy::admission::GatekeeperAdmission;
use palisade_policy::policy_set::PolicySet;
use palisade_webhook::policy_watch::{self, PolicyWatch, PolicyWatchOptions};
use palisade_webhook::{Metrics, ServerOptions};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tower_test::mock;

const CONFIGMAP: (&str, &str, &str, &str) = ("", "v1", "ConfigMap", "configmaps");
const TEMPLATES: &str = "/apis/templates.gatekeeper.sh/v1/constrainttemplates";
const OWNER_CONSTRAINTS: &str = "/apis/constraints.gatekeeper.sh/v1beta1/k8srequiredowner";
const BROKEN_CONSTRAINTS: &str = "/apis/constraints.gatekeeper.sh/v1beta1/k8sbroken";

fn template(kind: &str, rego: &str, resource_version: &str) -> Value {
    json!({"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate",
           "metadata": {"name": kind.to_ascii_lowercase(), "resourceVersion": resource_version},
           "spec": {"crd": {"spec": {"names": {"kind": kind}}},
                    "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego": rego}]}})
}

const OWNER_REGO: &str = r#"package k8srequiredowner
violation[{"msg": msg}] {
  not input.review.object.metadata.labels.owner
  msg := "an owner label is required"
}
"#;

fn owner_template() -> Value {
    template("K8sRequiredOwner", OWNER_REGO, "1")
}

fn owner_constraint(name: &str, resource_version: &str) -> Value {
    json!({"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sRequiredOwner",
           "metadata": {"name": name, "resourceVersion": resource_version},
           "spec": {"match": {"kinds": [{"apiGroups": [""], "kinds": ["ConfigMap"]}]}}})
}

fn list(kind: &str, resource_version: &str, items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "kind": format!("{kind}List"),
           "metadata": {"resourceVersion": resource_version}, "items": items})
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(body).expect("json")))
        .expect("response")
}

fn not_found(path: &str) -> Response<Body> {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
                "message": format!("the server could not find the requested resource ({path})"),
                "reason": "NotFound", "details": {}, "code": 404}),
    )
}

/// One watch event, then the end of the response (the watcher then watches again).
fn watch_event(kind: &str, object: Value) -> Response<Body> {
    let mut body = serde_json::to_vec(&json!({"type": kind, "object": object})).expect("event");
    body.push(b'\n');
    Response::builder()
        .status(200)
        .body(Body::from(body))
        .expect("watch")
}

/// What a fake API server serves. A held answer is sent when its signal fires.
struct Script {
    /// LIST answers by path: `None` is a 404 (the CRD does not exist).
    lists: HashMap<&'static str, Option<Value>>,
    /// A LIST answered only once this fires.
    held_list: Option<(&'static str, oneshot::Receiver<()>)>,
    /// The next WATCHes of these paths answer, in order, with one event each
    /// once its signal fires.
    watch_events: Vec<(&'static str, oneshot::Receiver<()>, &'static str, Value)>,
    /// `LIST <path>` or `WATCH <path>` for every request, in order.
    seen: mpsc::UnboundedSender<String>,
}

async fn fake_api_server(
    mut handle: mock::Handle<Request<Body>, Response<Body>>,
    mut script: Script,
) {
    // Watches without a scripted event stay open and quiet.
    let mut open_watches = Vec::new();
    while let Some((request, respond)) = handle.next_request().await {
        let path = request.uri().path().to_owned();
        let watch = request.uri().query().unwrap_or("").contains("watch=true");
        let _ = script
            .seen
            .send(format!("{} {path}", if watch { "WATCH" } else { "LIST" }));
        if watch {
            match script.watch_events.iter().position(|(on, ..)| *on == path) {
                Some(next) => {
                    let (_, signal, kind, object) = script.watch_events.remove(next);
                    tokio::spawn(async move {
                        let _ = signal.await;
                        respond.send_response(watch_event(kind, object));
                    });
                }
                None => open_watches.push(respond),
            }
            continue;
        }
        let answer = match script.lists.get(path.as_str()) {
            Some(Some(body)) => json_response(StatusCode::OK, body),
            Some(None) => not_found(&path),
            None => panic!("the fake API server got an unexpected request: {path}"),
        };
        match script.held_list.take() {
            Some((on, signal)) if on == path => {
                tokio::spawn(async move {
                    let _ = signal.await;
                    respond.send_response(answer);
                });
            }
            other => {
                script.held_list = other;
                respond.send_response(answer);
            }
        }
    }
}

async fn eventually(what: &str, check: impl Fn() -> bool) {
    let until = Instant::now() + Duration::from_secs(15);
    while !check() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `/readyz` answers 200.
async fn until_ready(client: &mut Client) {
    let until = Instant::now() + Duration::from_secs(15);
    while client.get("/readyz").await.expect("readyz").status != 200 {
        assert!(Instant::now() < until, "timed out waiting for readiness");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `body` is allowed.
async fn until_allowed(client: &mut Client, body: Vec<u8>) {
    until_answer(client, body, true).await;
}

/// Waits until `body` is denied.
async fn until_denied(client: &mut Client, body: Vec<u8>) {
    until_answer(client, body, false).await;
}

async fn until_answer(client: &mut Client, body: Vec<u8>, allowed: bool) {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        let reply = client.post("/validate", body.clone()).await;
        if reply.expect("validate").json()["response"]["allowed"] == json!(allowed) {
            return;
        }
        assert!(
            Instant::now() < until,
            "timed out waiting for allowed: {allowed}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The requests the fake API server received, as they arrive.
struct Seen {
    arriving: mpsc::UnboundedReceiver<String>,
    log: Vec<String>,
}

impl Seen {
    /// Waits until the fake API server has received `request` `times` times in all.
    async fn until(&mut self, request: &str, times: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while self.log.iter().filter(|r| *r == request).count() < times {
            match tokio::time::timeout_at(deadline, self.arriving.recv()).await {
                Ok(Some(got)) => self.log.push(got),
                _ => panic!(
                    "the fake API server got {request} fewer than {times} times: {:?}",
                    self.log
                ),
            }
        }
    }
}

fn configmap(labels: Value) -> Vec<u8> {
    review(
        "uid-cm",
        "CREATE",
        CONFIGMAP,
        "open",
        "cm",
        "alice",
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "cm", "namespace": "open", "labels": labels}}),
        json!(null),
    )
}

/// A server enforcing what the watch swaps in, gated on its readiness.
async fn start(
    client: kube::Client,
    files: Vec<palisade_core::Object>,
) -> (TestServer, PolicyWatch, Arc<Metrics>) {
    let handle = policy_watch::shared(PolicySet::default());
    let metrics = Arc::new(Metrics::new());
    let watch = PolicyWatch::start(
        client,
        files,
        Arc::clone(&handle),
        Arc::clone(&metrics),
        PolicyWatchOptions {
            debounce: Duration::from_millis(20),
            ..PolicyWatchOptions::default()
        },
    );
    let options = ServerOptions {
        ready_gates: vec![watch.gate()],
        ..ServerOptions::default()
    };
    let server =
        TestServer::start(options, vec![Arc::new(GatekeeperAdmission::shared(handle))]).await;
    (server, watch, metrics)
}

fn gauge(metrics: &Metrics, name: &str) -> Option<i64> {
    metrics.render().lines().find_map(|line| {
        line.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|value| value.parse().ok())
    })
}

#[tokio::test]
async fn watched_constraint_is_enforced_after_the_lists_and_released_by_its_deletion() {
    let (list_signal, list_released) = oneshot::channel();
    let (delete_signal, deleted) = oneshot::channel();
    let (seen_tx, arriving) = mpsc::unbounded_channel();
    let mut seen = Seen {
        arriving,
        log: Vec::new(),
    };
    let script = Script {
        lists: HashMap::from([
            (
                TEMPLATES,
                Some(list("ConstraintTemplate", "1", vec![owner_template()])),
            ),
            (
                OWNER_CONSTRAINTS,
                Some(list(
                    "K8sRequiredOwner",
                    "2",
                    vec![owner_constraint("must-have-owner", "2")],
                )),
            ),
        ]),
        held_list: Some((OWNER_CONSTRAINTS, list_released)),
        watch_events: vec![(
            OWNER_CONSTRAINTS,
            deleted,
            "DELETED",
            owner_constraint("must-have-owner", "3"),
        )],
        seen: seen_tx,
    };
    let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
    tokio::spawn(fake_api_server(handle, script));
    let (server, watch, metrics) = start(kube::Client::new(service, "default"), Vec::new()).await;
    let mut client = server.connect().await;

    // The templates are listed and the constraint watch of their kind started,
    // but its list has not come back: not ready.
    seen.until(&format!("LIST {TEMPLATES}"), 1).await;
    seen.until(&format!("LIST {OWNER_CONSTRAINTS}"), 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!watch.ready());
    let reply = client.get("/readyz").await.expect("readyz");
    assert_eq!(
        (reply.status, reply.text()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "gatekeeper policies not synced\n".to_owned()
        )
    );

    // Once the constraint list completes, the set in force has the constraint.
    list_signal.send(()).expect("release the list");
    until_ready(&mut client).await;
    assert!(watch.ready());
    let response = client
        .post("/validate", configmap(json!({})))
        .await
        .expect("validate")
        .json()["response"]
        .clone();
    assert_eq!(response["allowed"], json!(false), "{response}");
    let message = response["status"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("[must-have-owner] an owner label is required"),
        "{message}"
    );
    let response = client
        .post("/validate", configmap(json!({"owner": "team-a"})))
        .await
        .expect("validate")
        .json()["response"]
        .clone();
    assert_eq!(response["allowed"], json!(true), "{response}");
    assert_eq!(gauge(&metrics, "palisade_gatekeeper_templates"), Some(1));
    assert_eq!(gauge(&metrics, "palisade_gatekeeper_constraints"), Some(1));
    assert_eq!(
        gauge(&metrics, "palisade_gatekeeper_load_problems"),
        Some(0)
    );

    // The watch delivers the constraint's deletion: the next request is allowed.
    delete_signal.send(()).expect("delete the constraint");
    until_allowed(&mut client, configmap(json!({}))).await;
    assert_eq!(gauge(&metrics, "palisade_gatekeeper_constraints"), Some(0));
    assert_eq!(gauge(&metrics, "palisade_gatekeeper_templates"), Some(1));
    // The reflector watched again after the event: a second WATCH.
    seen.until(&format!("WATCH {OWNER_CONSTRAINTS}"), 2).await;
}

#[tokio::test]
async fn file_constraints_bind_to_watched_templates_and_a_broken_template_spares_the_rest() {
    let (delete_signal, deleted) = oneshot::channel();
    let (readd_signal, readded) = oneshot::channel();
    let (seen_tx, arriving) = mpsc::unbounded_channel();
    let mut seen = Seen {
        arriving,
        log: Vec::new(),
    };
    let broken = template(
        "K8sBroken",
        "package k8sbroken\nviolation[{\"msg\": msg}] { msg := }\n",
        "1",
    );
    let script = Script {
        lists: HashMap::from([
            (
                TEMPLATES,
                Some(list(
                    "ConstraintTemplate",
                    "1",
                    vec![owner_template(), broken],
                )),
            ),
            (
                OWNER_CONSTRAINTS,
                Some(list("K8sRequiredOwner", "2", Vec::new())),
            ),
            // Gatekeeper made no CRD for the template it refused.
            (BROKEN_CONSTRAINTS, None),
        ]),
        held_list: None,
        watch_events: vec![
            (TEMPLATES, deleted, "DELETED", owner_template()),
            (
                TEMPLATES,
                readded,
                "ADDED",
                template("K8sRequiredOwner", OWNER_REGO, "5"),
            ),
        ],
        seen: seen_tx,
    };
    // A constraint from a --policies file, of the watched template's kind.
    let file = palisade_load::load_bytes(
        "policies/owner.yaml".into(),
        serde_json::to_vec(&owner_constraint("file-owner", "1"))
            .expect("json")
            .as_slice(),
        &Default::default(),
    )
    .expect("file constraint");
    let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
    tokio::spawn(fake_api_server(handle, script));
    let (server, watch, metrics) = start(kube::Client::new(service, "default"), file.objects).await;
    let mut client = server.connect().await;

    // The 404 of the refused template's constraints does not block readiness.
    eventually("readiness", || watch.ready()).await;
    seen.until(&format!("LIST {BROKEN_CONSTRAINTS}"), 1).await;
    let response = client
        .post("/validate", configmap(json!({})))
        .await
        .expect("validate")
        .json()["response"]
        .clone();
    assert_eq!(response["allowed"], json!(false), "{response}");
    let message = response["status"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("[file-owner]"), "{message}");
    assert_eq!(gauge(&metrics, "palisade_gatekeeper_templates"), Some(1));
    assert_eq!(gauge(&metrics, "palisade_gatekeeper_constraints"), Some(1));
    assert_eq!(
        gauge(&metrics, "palisade_gatekeeper_load_problems"),
        Some(1)
    );

    // The template is deleted: the file constraint has no template any more
    // (a second problem) and nothing is enforced.
    delete_signal.send(()).expect("delete the template");
    until_allowed(&mut client, configmap(json!({}))).await;
    assert_eq!(gauge(&metrics, "palisade_gatekeeper_templates"), Some(0));
    assert_eq!(gauge(&metrics, "palisade_gatekeeper_constraints"), Some(0));
    assert_eq!(
        gauge(&metrics, "palisade_gatekeeper_load_problems"),
        Some(2)
    );

    // The template comes back: its kind's constraints are listed anew (the
    // old watch was stopped with the template, so a new one starts) and the
    // file constraint is enforced again.
    readd_signal.send(()).expect("add the template again");
    seen.until(&format!("LIST {OWNER_CONSTRAINTS}"), 2).await;
    until_denied(&mut client, configmap(json!({}))).await;
    assert_eq!(gauge(&metrics, "palisade_gatekeeper_constraints"), Some(1));
    assert_eq!(
        gauge(&metrics, "palisade_gatekeeper_load_problems"),
        Some(1)
    );
}
