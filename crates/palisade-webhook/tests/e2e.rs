//! End to end on loopback: the real server, real TLS with certificates made here,
//! and a real HTTPS client sending AdmissionReviews shaped as the API server
//! sends them. Every assertion is on the full response.

mod common;

use common::*;
use palisade_webhook::ServerOptions;
use rustls_pki_types::pem::PemObject;
use serde_json::json;

fn restricted_detail() -> &'static str {
    "privileged (container \"app\" must not set securityContext.privileged=true), \
     allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), \
     unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), \
     runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), \
     seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
}

#[tokio::test]
async fn pod_create_in_a_restricted_namespace_is_denied_with_upstreams_response() {
    let server = TestServer::start(ServerOptions::default(), vec![pod_security()]).await;
    let mut client = server.connect().await;
    let body = review(
        "uid-1",
        "CREATE",
        POD,
        "restricted",
        "bad",
        "alice",
        pod("restricted", "bad", "nginx", true),
        json!(null),
    );
    let reply = client.post("/validate?timeout=10s", body).await.unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["content-type"], "application/json");
    let message = format!(
        "pods \"bad\" is forbidden: violates PodSecurity \"restricted:latest\": {}",
        restricted_detail()
    );
    assert_eq!(
        reply.json(),
        json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": {
                "uid": "uid-1",
                "allowed": false,
                "status": {
                    "metadata": {},
                    "status": "Failure",
                    "message": message,
                    "reason": "Forbidden",
                    "details": {"name": "bad", "kind": "pods"},
                    "code": 403
                },
                "auditAnnotations": {
                    "enforce-policy": "restricted:latest",
                    "audit-violations": format!("would violate PodSecurity \"restricted:latest\": {}", restricted_detail())
                }
            }
        })
    );
    // The same connection answers the next request (keep-alive).
    let ok = review(
        "uid-2",
        "CREATE",
        POD,
        "restricted",
        "good",
        "alice",
        hardened_pod("restricted", "good"),
        json!(null),
    );
    let reply = client.post("/validate", ok).await.unwrap();
    assert_eq!(
        reply.json(),
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
               "response": {"uid": "uid-2", "allowed": true,
                            "auditAnnotations": {"enforce-policy": "restricted:latest"}}})
    );
}

#[tokio::test]
async fn pod_updates_deployments_namespaces_exemptions_and_unknown_namespaces() {
    let server = TestServer::start(ServerOptions::default(), vec![pod_security()]).await;
    let mut client = server.connect().await;
    let mut send = async |body: Vec<u8>| {
        client.post("/validate", body).await.unwrap().json()["response"].clone()
    };

    // An update that only changes labels is not re-evaluated, even for a bad pod.
    let old = pod("restricted", "p", "nginx:1", true);
    let mut relabelled = old.clone();
    relabelled["metadata"]["labels"]["tier"] = json!("web");
    let response = send(review(
        "u",
        "UPDATE",
        POD,
        "restricted",
        "p",
        "alice",
        relabelled,
        old.clone(),
    ))
    .await;
    assert_eq!(response, json!({"uid": "u", "allowed": true}));
    // An image change is.
    let new_image = pod("restricted", "p", "nginx:2", true);
    let response = send(review(
        "u",
        "UPDATE",
        POD,
        "restricted",
        "p",
        "alice",
        new_image,
        old,
    ))
    .await;
    assert_eq!(response["allowed"], false);
    assert_eq!(response["status"]["code"], 403);

    // A Deployment is warned, never denied.
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "baseline"},
        "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}
    });
    let response = send(review(
        "d",
        "CREATE",
        ("apps", "v1", "Deployment", "deployments"),
        "baseline",
        "web",
        "alice",
        deployment,
        json!(null),
    ))
    .await;
    assert_eq!(
        response,
        json!({"uid": "d", "allowed": true, "warnings": [
            "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
        ]})
    );

    // Raising a namespace's enforce level dry-runs its pods (from -f objects).
    let ns = |labels: serde_json::Value| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "open", "labels": labels}});
    let response = send(review(
        "n",
        "UPDATE",
        ("", "v1", "Namespace", "namespaces"),
        "open",
        "open",
        "admin",
        ns(json!({"pod-security.kubernetes.io/enforce": "baseline"})),
        ns(json!({})),
    ))
    .await;
    assert_eq!(
        response,
        json!({"uid": "n", "allowed": true}),
        "old-root passes baseline"
    );
    let response = send(review(
        "n2",
        "UPDATE",
        ("", "v1", "Namespace", "namespaces"),
        "open",
        "open",
        "admin",
        ns(json!({"pod-security.kubernetes.io/enforce": "restricted"})),
        ns(json!({})),
    ))
    .await;
    assert_eq!(
        response,
        json!({"uid": "n2", "allowed": true, "warnings": [
            "existing pods in namespace \"open\" violate the new PodSecurity enforce level \"restricted:latest\"",
            "old-root: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile"
        ]})
    );
    // Invalid labels on create: 422.
    let response = send(review(
        "n3", "CREATE", ("", "v1", "Namespace", "namespaces"), "new", "new", "admin",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "new", "labels": {"pod-security.kubernetes.io/enforce": "strict"}}}),
        json!(null),
    ))
    .await;
    assert_eq!(response["status"]["code"], 422);
    assert_eq!(
        response["status"]["message"],
        "Namespace \"new\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted"
    );

    // Exempt user, exempt namespace, unknown namespace.
    let bad = || pod("restricted", "x", "nginx", true);
    let response = send(review(
        "e1",
        "CREATE",
        POD,
        "restricted",
        "x",
        "system:serviceaccount:kube-system:trusted",
        bad(),
        json!(null),
    ))
    .await;
    assert_eq!(
        response,
        json!({"uid": "e1", "allowed": true, "auditAnnotations": {"exempt": "user"}})
    );
    let response = send(review(
        "e2",
        "CREATE",
        POD,
        "exempt-ns",
        "x",
        "alice",
        pod("exempt-ns", "x", "nginx", true),
        json!(null),
    ))
    .await;
    assert_eq!(
        response,
        json!({"uid": "e2", "allowed": true, "auditAnnotations": {"exempt": "namespace"}})
    );
    let response = send(review(
        "e3",
        "CREATE",
        POD,
        "nowhere",
        "x",
        "alice",
        pod("nowhere", "x", "nginx", true),
        json!(null),
    ))
    .await;
    assert_eq!(
        response,
        json!({"uid": "e3", "allowed": false,
               "status": {"metadata": {}, "status": "Failure",
                          "message": "Internal error occurred: failed to lookup namespace \"nowhere\"",
                          "reason": "InternalError",
                          "details": {"causes": [{"message": "failed to lookup namespace \"nowhere\""}]},
                          "code": 500},
               "auditAnnotations": {"error": "Internal error occurred: failed to lookup namespace \"nowhere\": namespaces \"nowhere\" not found"}})
    );
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = TestServer::start(ServerOptions::default(), vec![pod_security()]).await;
    let mut client = server.connect().await;
    assert_eq!(client.get("/healthz").await.unwrap().text(), "ok\n");
    let ready = client.get("/readyz").await.unwrap();
    assert_eq!(
        (ready.status.as_u16(), ready.text().as_str()),
        (200, "ok\n")
    );
    let body = review(
        "m",
        "CREATE",
        POD,
        "restricted",
        "bad",
        "alice",
        pod("restricted", "bad", "nginx", true),
        json!(null),
    );
    client.post("/validate", body).await.unwrap();
    client.post("/validate", b"{".to_vec()).await.unwrap();
    let metrics = client.get("/metrics").await.unwrap().text();
    for line in [
        "palisade_admission_requests_total{result=\"denied\"} 1",
        "palisade_admission_requests_total{result=\"bad_request\"} 1",
        "palisade_admission_requests_total{result=\"allowed\"} 0",
        "palisade_admission_request_duration_seconds_count 2",
        "palisade_namespaces_known 4",
    ] {
        assert!(metrics.contains(line), "missing {line:?} in\n{metrics}");
    }
    let not_after = metrics
        .lines()
        .find_map(|l| l.strip_prefix("palisade_tls_certificate_not_after_timestamp_seconds "))
        .and_then(|v| v.parse::<i64>().ok())
        .expect("certificate expiry gauge");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (now + 86_400..=now + 3 * 86_400).contains(&not_after),
        "{not_after} vs {now}"
    );
    assert_eq!(client.get("/nope").await.unwrap().status, 404);
    assert_eq!(client.get("/validate").await.unwrap().status, 405);
}

#[tokio::test]
async fn a_separate_metrics_listener_serves_plain_http() {
    let options = ServerOptions {
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..ServerOptions::default()
    };
    let server = TestServer::start(options, vec![pod_security()]).await;
    let addr = server.metrics_addr.expect("metrics address");
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = http::Request::get("/metrics")
        .header("host", "localhost")
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    // And the HTTPS listener no longer serves /metrics.
    let mut client = server.connect().await;
    assert_eq!(client.get("/metrics").await.unwrap().status, 404);
}

/// The API server speaks HTTP/2 to webhooks at loopback addresses: the same
/// answer comes over h2 (negotiated by ALPN), several requests on one connection.
#[tokio::test]
async fn http2_by_alpn_gets_the_same_answers() {
    let server = TestServer::start(ServerOptions::default(), vec![pod_security()]).await;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(server.ca.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut config = rustls::ClientConfig::builder_with_provider(palisade_webhook::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(
            rustls::pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tls),
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    for (uid, privileged, allowed) in [("h1", true, false), ("h2", false, true)] {
        let object = if privileged {
            pod("restricted", "p", "nginx", true)
        } else {
            hardened_pod("restricted", "p")
        };
        let body = review(
            uid,
            "CREATE",
            POD,
            "restricted",
            "p",
            "alice",
            object,
            json!(null),
        );
        let request = http::Request::post("https://localhost/validate")
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        let review: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(review["response"]["uid"], uid);
        assert_eq!(review["response"]["allowed"], allowed);
    }
}
