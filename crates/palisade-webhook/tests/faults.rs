//! Faults: malformed and hostile requests, slow clients, a policy that panics,
//! certificate rotation under load, shutdown under load, client certificates.
//! After each fault the server must still answer correctly.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::*;
use http_body_util::{Full, StreamBody};
use palisade_admission::{Context, Policy, PolicyError, Request, Verdict};
use palisade_webhook::ServerOptions;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn good_review(uid: &str) -> Vec<u8> {
    review(
        uid,
        "CREATE",
        POD,
        "restricted",
        "good",
        "alice",
        hardened_pod("restricted", "good"),
        json!(null),
    )
}

async fn still_serves(client: &mut Client) {
    let reply = client
        .post("/validate", good_review("after"))
        .await
        .expect("server still answers");
    assert_eq!(reply.json()["response"]["allowed"], true);
}

#[tokio::test]
async fn malformed_requests_get_a_400_with_a_message_and_the_connection_lives_on() {
    let server = TestServer::start(ServerOptions::default(), vec![pod_security()]).await;
    let mut client = server.connect().await;
    let cases: [(&[u8], &str); 5] = [
        (b"{\"apiVersion\":", "the body is not an AdmissionReview: EOF while parsing"),
        (b"[]", "the body is not an AdmissionReview: expected a JSON object, found an array"),
        (
            br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}}"#,
            "expected apiVersion \"admission.k8s.io/v1\" and kind \"AdmissionReview\", got \"admission.k8s.io/v1beta1\" and \"AdmissionReview\"",
        ),
        (
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"u"}}"#,
            "expected apiVersion \"admission.k8s.io/v1\" and kind \"AdmissionReview\", got \"admission.k8s.io/v1\" and \"Pod\"",
        ),
        (br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#, "the AdmissionReview has no request"),
    ];
    for (body, expected) in cases {
        let reply = client.post("/validate", body.to_vec()).await.unwrap();
        assert_eq!(reply.status, 400, "{}", reply.text());
        assert!(
            reply.text().starts_with(expected),
            "{:?} does not start with {expected:?}",
            reply.text()
        );
        still_serves(&mut client).await;
    }
    // Not JSON at all, by content type.
    let request = http::Request::post("/validate")
        .header("host", "localhost")
        .header("content-type", "application/yaml")
        .body(Full::new(Bytes::from_static(b"a: b")))
        .unwrap();
    let reply = client.send(request).await.unwrap();
    assert_eq!(
        (reply.status.as_u16(), reply.text().as_str()),
        (400, "the content type must be application/json\n")
    );
    // A review without an object is answered in the review: upstream's 400 status.
    let missing = review(
        "m",
        "CREATE",
        POD,
        "restricted",
        "x",
        "alice",
        json!(null),
        json!(null),
    );
    let reply = client.post("/validate", missing).await.unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json()["response"],
        json!({"uid": "m", "allowed": false,
               "status": {"metadata": {}, "status": "Failure", "message": "failed to decode pod", "reason": "BadRequest", "code": 400},
               "auditAnnotations": {"error": "failed to decode pod"}})
    );
}

#[tokio::test]
async fn oversized_and_deeply_nested_bodies_are_refused() {
    let server = TestServer::start(ServerOptions::default(), vec![pod_security()]).await;
    let mut client = server.connect().await;
    // Declared: refused from the header, before the body is read.
    let big = vec![b' '; 50 * 1024 * 1024];
    let reply = client.post("/validate", big).await.unwrap();
    assert_eq!(
        (reply.status.as_u16(), reply.text().as_str()),
        (413, "the body is larger than 8388608 bytes\n")
    );

    // Chunked, with no length: refused once the limit is crossed.
    let mut client = server.connect().await;
    let chunks = (0..50).map(|_| {
        Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(Bytes::from(vec![
            b' ';
            1024 * 1024
        ])))
    });
    let body = StreamBody::new(futures_util::stream::iter(chunks));
    let request = http::Request::post("/validate")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(body)
        .unwrap();
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let tls = tls_connector(&server.ca, None)
        .connect(
            rustls::pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
            .await
            .unwrap();
    tokio::spawn(connection);
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 413);

    // 100,000 levels of nesting: a 400 naming the limit, no stack overflow.
    let deep = format!(
        r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"d","operation":"CREATE","object":{}{}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let reply = client.post("/validate", deep).await.unwrap();
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().contains("recursion limit exceeded"),
        "{}",
        reply.text()
    );
    still_serves(&mut client).await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let options = ServerOptions {
        header_timeout: Duration::from_millis(500),
        ..ServerOptions::default()
    };
    let server = TestServer::start(options, vec![pod_security()]).await;
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut tls = tls_connector(&server.ca, None)
        .connect(
            rustls::pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .unwrap();
    tls.write_all(b"POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: appl")
        .await
        .unwrap();
    tls.flush().await.unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    // The server closes the connection (possibly after a 408); it does not wait forever.
    let read = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "the server kept a stalled connection open");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Other clients were served meanwhile and still are.
    let mut client = server.connect().await;
    still_serves(&mut client).await;
}

/// A policy with a bug.
struct Panics;

impl Policy for Panics {
    fn name(&self) -> &str {
        "buggy"
    }
    fn admit(&self, _: &Request, _: &Context<'_>) -> Result<Verdict, PolicyError> {
        panic!("index out of bounds")
    }
}

#[tokio::test]
async fn a_panicking_policy_is_answered_as_a_denial_and_the_server_lives_on() {
    let server = TestServer::start(
        ServerOptions::default(),
        vec![pod_security(), Arc::new(Panics)],
    )
    .await;
    let mut client = server.connect().await;
    let reply = client.post("/validate", good_review("p")).await.unwrap();
    assert_eq!(reply.status, 200);
    let response = &reply.json()["response"];
    assert_eq!(response["allowed"], false);
    assert_eq!(response["status"]["code"], 500);
    assert_eq!(
        response["status"]["message"],
        "Internal error occurred: policy \"buggy\" failed: the policy panicked"
    );
    // Fail-open turns the same failure into an allowed request, with a trace of why.
    let options = ServerOptions {
        fail_open: true,
        ..ServerOptions::default()
    };
    let server = TestServer::start(options, vec![pod_security(), Arc::new(Panics)]).await;
    let mut client = server.connect().await;
    let reply = client.post("/validate", good_review("p")).await.unwrap();
    let response = &reply.json()["response"];
    assert_eq!(response["allowed"], true);
    assert_eq!(
        response["auditAnnotations"]["palisade/failed-open"],
        "Internal error occurred: policy \"buggy\" failed: the policy panicked"
    );
}

#[tokio::test]
async fn client_certificates_are_required_when_a_client_ca_is_given() {
    let client_pki = palisade_webhook::certs::generate_client("kube-apiserver").unwrap();
    let server = TestServer::start_with(
        ServerOptions::default(),
        vec![pod_security()],
        Some(&client_pki.ca_cert),
    )
    .await;
    // Without a certificate the handshake (or the first read) fails.
    let refused = match Client::connect(server.addr, &server.ca, None).await {
        Err(_) => true,
        Ok(mut client) => client.post("/validate", good_review("x")).await.is_err(),
    };
    assert!(refused, "a client without a certificate was served");
    // A certificate from another CA is refused too.
    let stranger = palisade_webhook::certs::generate_client("intruder").unwrap();
    let refused = match Client::connect(
        server.addr,
        &server.ca,
        Some((&stranger.server_cert, &stranger.server_key)),
    )
    .await
    {
        Err(_) => true,
        Ok(mut client) => client.post("/validate", good_review("x")).await.is_err(),
    };
    assert!(
        refused,
        "a client with a certificate from another CA was served"
    );
    let mut client = Client::connect(
        server.addr,
        &server.ca,
        Some((&client_pki.server_cert, &client_pki.server_key)),
    )
    .await
    .unwrap();
    still_serves(&mut client).await;
}

/// Replaces the served pair the way a Kubernetes Secret volume does: the files
/// are symlinks into a `..data` directory link, which is swapped atomically.
fn secret_volume_swap(
    dir: &std::path::Path,
    generation: usize,
    certs: &palisade_webhook::certs::GeneratedCerts,
) {
    let data = dir.join(format!("..2026_11_30_{generation}"));
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("tls.crt"), &certs.server_cert).unwrap();
    std::fs::write(data.join("tls.key"), &certs.server_key).unwrap();
    let staging = dir.join("..data_tmp");
    let _ = std::fs::remove_file(&staging);
    std::os::unix::fs::symlink(data.file_name().unwrap(), &staging).unwrap();
    std::fs::rename(&staging, dir.join("..data")).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_rotated_under_load_fail_no_request() {
    // Lay out the served files as a Secret volume before the server opens them.
    let volume = Scratch::new("volume");
    let first = make_certs();
    secret_volume_swap(&volume.0, 0, &first);
    for file in ["tls.crt", "tls.key"] {
        std::os::unix::fs::symlink(format!("..data/{file}"), volume.0.join(file)).unwrap();
    }
    let store =
        palisade_webhook::CertStore::open(&volume.0.join("tls.crt"), &volume.0.join("tls.key"))
            .unwrap();
    let tls_config = palisade_webhook::tls::server_config(Arc::clone(&store), None).unwrap();
    let options = ServerOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerOptions::default()
    };
    let server = palisade_webhook::Server::bind(
        tls_config,
        palisade_admission::Admission::new(vec![pod_security()]),
        palisade_webhook::Backend::Static(static_backend()),
        Arc::new(palisade_webhook::Metrics::new()),
        options,
    )
    .await
    .unwrap();
    let addr = server.local_addr().unwrap();
    tokio::spawn(server.run(std::future::pending()));

    // All generations share one CA here so that clients trust every pair; each
    // generation still has its own key and serial.
    let generations: Vec<_> = (1..=3).map(|_| make_certs_with_ca(&first)).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let (answered, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut workers = Vec::new();
    for worker in 0..4 {
        let (stop, answered, failed, ca) = (
            Arc::clone(&stop),
            Arc::clone(&answered),
            Arc::clone(&failed),
            first.ca_cert.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                // A new connection every few requests, so handshakes meet every pair.
                let mut client = match Client::connect(addr, &ca, None).await {
                    Ok(client) => client,
                    Err(_) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                };
                for _ in 0..5 {
                    n += 1;
                    match client
                        .post("/validate", good_review(&format!("w{worker}-{n}")))
                        .await
                    {
                        Ok(reply)
                            if reply.status == 200
                                && reply.json()["response"]["allowed"] == true =>
                        {
                            answered.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        }));
    }
    for (generation, certs) in generations.iter().enumerate() {
        tokio::time::sleep(Duration::from_millis(150)).await;
        secret_volume_swap(&volume.0, generation + 1, certs);
        assert!(
            store.reload().unwrap(),
            "generation {} was not picked up",
            generation + 1
        );
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "requests failed during rotation"
    );
    assert!(
        answered.load(Ordering::Relaxed) > 50,
        "too little load: {}",
        answered.load(Ordering::Relaxed)
    );
    // A new connection now sees the last pair.
    let client = Client::connect(addr, &first.ca_cert, None).await.unwrap();
    let last =
        rustls::pki_types::CertificateDer::from_pem_slice(generations[2].server_cert.as_bytes())
            .unwrap();
    assert_eq!(client.peer_certificate, last.as_ref());
    // A broken pair is refused and the last good one keeps serving.
    std::fs::write(volume.0.join("..data/tls.key"), b"not a key").unwrap();
    assert!(store.reload().is_err());
    let client = Client::connect(addr, &first.ca_cert, None).await.unwrap();
    assert_eq!(client.peer_certificate, last.as_ref());
}

use rustls_pki_types::pem::PemObject;

/// A server pair signed by `ca`'s CA (what `palisade certs --renew` does).
fn make_certs_with_ca(
    ca: &palisade_webhook::certs::GeneratedCerts,
) -> palisade_webhook::certs::GeneratedCerts {
    let request = palisade_webhook::certs::CertRequest {
        service: "palisade-webhook".into(),
        namespace: "palisade-system".into(),
        extra_names: vec!["localhost".into()],
        valid_days: 2,
    };
    palisade_webhook::certs::renew(&ca.ca_cert, &ca.ca_key, &request).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_under_load_fails_no_accepted_request() {
    let options = ServerOptions {
        drain: Duration::from_millis(600),
        ..ServerOptions::default()
    };
    let mut server = TestServer::start(options, vec![pod_security()]).await;
    let (addr, ca) = (server.addr, server.ca.clone());
    let started = Instant::now();
    let terminate_at = Duration::from_millis(300);
    // Clients open connections until shortly before the drain ends (after it, the
    // listener is closed and a new connection is refused, which is not a failure of
    // an accepted request).
    let last_connect = terminate_at + Duration::from_millis(450);
    let answered = Arc::new(AtomicUsize::new(0));
    let closes = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for worker in 0..4 {
        let (answered, closes, ca) = (Arc::clone(&answered), Arc::clone(&closes), ca.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            let mut failures = Vec::new();
            while started.elapsed() < last_connect {
                let Ok(mut client) = Client::connect(addr, &ca, None).await else {
                    break;
                };
                loop {
                    n += 1;
                    match client
                        .post("/validate", good_review(&format!("s{worker}-{n}")))
                        .await
                    {
                        Ok(reply) => {
                            assert_eq!(reply.json()["response"]["allowed"], true);
                            answered.fetch_add(1, Ordering::Relaxed);
                            if reply
                                .headers
                                .get("connection")
                                .is_some_and(|v| v == "close")
                            {
                                closes.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        }
                        Err(error) => {
                            failures.push(error);
                            break;
                        }
                    }
                    if started.elapsed() >= last_connect {
                        break;
                    }
                }
            }
            failures
        }));
    }
    tokio::time::sleep(terminate_at).await;
    server.terminate();
    // During the drain, readiness says not ready, and requests are still answered.
    let mut probe = Client::connect(addr, &ca, None)
        .await
        .expect("accepting during the drain");
    let ready = probe.get("/readyz").await.unwrap();
    assert_eq!(
        (ready.status.as_u16(), ready.text().as_str()),
        (503, "shutting down\n")
    );
    let mut failures = Vec::new();
    for worker in workers {
        failures.extend(worker.await.unwrap());
    }
    assert!(
        failures.is_empty(),
        "accepted requests failed: {failures:?}"
    );
    assert!(answered.load(Ordering::Relaxed) > 20, "too little load");
    assert!(
        closes.load(Ordering::Relaxed) > 0,
        "no response asked the client to reconnect"
    );
    // The server stops by itself, cleanly.
    let result = tokio::time::timeout(Duration::from_secs(10), server.task.take().unwrap()).await;
    assert!(matches!(result, Ok(Ok(Ok(())))), "{result:?}");
    assert!(
        Client::connect(addr, &ca, None).await.is_err(),
        "still accepting after shutdown"
    );
}

/// The client CA file is reloaded like the server pair: after a rotation, new
/// connections are verified against the new CA; a broken file keeps the old one.
#[tokio::test]
async fn a_rotated_client_ca_applies_to_new_connections() {
    let old = palisade_webhook::certs::generate_client("kube-apiserver").unwrap();
    let new = palisade_webhook::certs::generate_client("kube-apiserver").unwrap();
    let server = TestServer::start_with(
        ServerOptions::default(),
        vec![pod_security()],
        Some(&old.ca_cert),
    )
    .await;
    let connect = |pki: &palisade_webhook::certs::GeneratedCerts| {
        let (cert, key) = (pki.server_cert.clone(), pki.server_key.clone());
        let (addr, ca) = (server.addr, server.ca.clone());
        async move {
            match Client::connect(addr, &ca, Some((&cert, &key))).await {
                Ok(mut client) => client.post("/validate", good_review("r")).await.is_ok(),
                Err(_) => false,
            }
        }
    };
    assert!(connect(&old).await);
    assert!(!connect(&new).await);
    let ca_file = server.dir.0.join("client-ca.crt");
    std::fs::write(&ca_file, b"not a certificate").unwrap();
    assert!(server.tls.reload_client_ca().is_err());
    assert!(connect(&old).await, "a broken CA file must keep the old CA");
    std::fs::write(&ca_file, &new.ca_cert).unwrap();
    assert!(server.tls.reload_client_ca().unwrap());
    assert!(connect(&new).await);
    assert!(!connect(&old).await);
    assert!(
        !server.tls.reload_client_ca().unwrap(),
        "an unchanged file is not a rotation"
    );
}
