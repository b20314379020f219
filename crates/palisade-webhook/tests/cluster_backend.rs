//! The cluster backend against a FAKE API server: kube's `Client` is built on a
//! `tower_test` mock service that answers the namespace LIST and WATCH, live GETs
//! and pod LISTs the way the API server would (JSON bodies, a 404 Status). No real
//! cluster is involved; what is tested is that Palisade's reflector, readiness,
//! cache-miss fallback and pod listing read those answers as they should.

use std::time::{Duration, Instant};

use http::{Request, Response, StatusCode};
use kube::client::Body;
use palisade_admission::namespaces::{Lookup, NamespaceSource};
use palisade_webhook::{Backend, ClusterBackend};
use serde_json::json;
use tower_test::mock;

fn namespace(name: &str, labels: serde_json::Value, resource_version: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Namespace",
           "metadata": {"name": name, "labels": labels, "resourceVersion": resource_version}})
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(&body).expect("json")))
        .expect("response")
}

/// Answers requests as a small API server holding two namespaces at first, a third
/// added by a watch event, one more that only a live GET finds, and two pods.
async fn fake_api_server(mut handle: mock::Handle<Request<Body>, Response<Body>>) {
    // Watches after the first are left open and unanswered, as a quiet API server does.
    let mut open_watches = Vec::new();
    let mut watches = 0;
    while let Some((request, respond)) = handle.next_request().await {
        let uri = request.uri().clone();
        let path = uri.path();
        let query = uri.query().unwrap_or("");
        match path {
            "/api/v1/namespaces" if query.contains("watch=true") => {
                watches += 1;
                if watches == 1 {
                    let event = json!({"type": "ADDED", "object": namespace(
                        "added-later", json!({"pod-security.kubernetes.io/enforce": "baseline"}), "3")});
                    let mut body = serde_json::to_vec(&event).expect("event");
                    body.push(b'\n');
                    respond.send_response(Response::builder().status(200).body(Body::from(body)).expect("watch"));
                } else {
                    open_watches.push(respond);
                }
            }
            "/api/v1/namespaces" => respond.send_response(json_response(
                StatusCode::OK,
                json!({"apiVersion": "v1", "kind": "NamespaceList", "metadata": {"resourceVersion": "2"},
                       "items": [
                           namespace("prod", json!({"pod-security.kubernetes.io/enforce": "restricted"}), "1"),
                           namespace("dev", json!({}), "2"),
                       ]}),
            )),
            "/api/v1/namespaces/fresh" => respond.send_response(json_response(
                StatusCode::OK,
                namespace("fresh", json!({"pod-security.kubernetes.io/enforce": "baseline"}), "9"),
            )),
            p if p.starts_with("/api/v1/namespaces/") && !p.contains("/pods") => {
                let name = p.trim_start_matches("/api/v1/namespaces/");
                respond.send_response(json_response(
                    StatusCode::NOT_FOUND,
                    json!({"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
                           "message": format!("namespaces \"{name}\" not found"), "reason": "NotFound",
                           "details": {"name": name, "kind": "namespaces"}, "code": 404}),
                ));
            }
            "/api/v1/namespaces/prod/pods" => respond.send_response(json_response(
                StatusCode::OK,
                json!({"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "5"}, "items": [
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "prod"},
                     "spec": {"containers": [{"name": "c", "image": "nginx", "securityContext": {"privileged": true}}]}},
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b", "namespace": "prod"},
                     "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
                ]}),
            )),
            other => panic!("the fake API server got an unexpected request: {other}?{query}"),
        }
    }
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn fake_api_server_namespaces_are_watched_fetched_on_a_miss_and_pods_listed() {
    let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
    tokio::spawn(fake_api_server(handle));
    let client = kube::Client::new(service, "default");
    let backend = Backend::Cluster(ClusterBackend::start(client));

    // Ready only after the first list.
    eventually("the namespace cache to sync", || backend.ready()).await;
    let labels = |lookup: Lookup| match lookup {
        Lookup::Found(labels) => labels,
        other => panic!("expected a namespace, got {other:?}"),
    };
    let prod = labels(backend.lookup("prod"));
    assert_eq!(
        prod.get("pod-security.kubernetes.io/enforce")
            .map(String::as_str),
        Some("restricted")
    );
    assert_eq!(
        prod.get("kubernetes.io/metadata.name").map(String::as_str),
        Some("prod")
    );
    // The watch event lands in the cache.
    eventually("the watched namespace", || {
        matches!(backend.lookup("added-later"), Lookup::Found(_))
    })
    .await;

    // A cache miss is fetched live; a namespace the API server does not have is NotFound.
    let deadline = Instant::now() + Duration::from_secs(5);
    let fresh = labels(backend.resolve("fresh", deadline).await);
    assert_eq!(
        fresh
            .get("pod-security.kubernetes.io/enforce")
            .map(String::as_str),
        Some("baseline")
    );
    assert_eq!(backend.resolve("nowhere", deadline).await, Lookup::NotFound);

    // Pods for the dry run of a namespace update are listed live.
    let pods = backend
        .pods("prod", Duration::from_secs(5))
        .await
        .expect("pods");
    let names: Vec<&str> = pods
        .iter()
        .filter_map(|p| p.path(&["metadata", "name"]).and_then(|n| n.as_str()))
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(
        pods[0]
            .path(&["spec", "containers"])
            .and_then(|c| c.as_seq())
            .map(<[_]>::len),
        Some(1)
    );
}

#[tokio::test]
async fn fake_api_server_that_never_answers_leaves_the_backend_not_ready() {
    let (service, mut handle) = mock::pair::<Request<Body>, Response<Body>>();
    // Accept requests and never answer them.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Some((_, respond)) = handle.next_request().await {
            held.push(respond);
        }
    });
    let backend = Backend::Cluster(ClusterBackend::start(kube::Client::new(service, "default")));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!backend.ready());
    assert!(matches!(backend.lookup("prod"), Lookup::Unavailable(_)));
    // The live fallback gives up at the deadline instead of hanging the request.
    let started = Instant::now();
    let lookup = backend
        .resolve("prod", Instant::now() + Duration::from_millis(200))
        .await;
    assert!(
        matches!(lookup, Lookup::Unavailable(ref why) if why.contains("timed out")),
        "{lookup:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}
