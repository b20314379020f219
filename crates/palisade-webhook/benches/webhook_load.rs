//! Load benchmark of `palisade serve` over TLS with keep-alive connections, as the
//! API server drives a webhook, beside a canned server that answers a fixed
//! "allowed" over the same TLS and HTTP stack (the ceiling: what any webhook
//! built on this stack could do).
//!
//! Run: `cargo bench -p palisade-webhook --bench webhook_load`
//! (`BENCH_SECONDS=N` per measurement, default 3; `BENCH_CONNECTIONS`, default 16).
//!
//! The server and the load generator run in one process on separate Tokio
//! runtimes with one worker thread each, so on a 2-core machine each has about
//! one core. For each payload (a compliant pod, a violating pod, a Deployment):
//! - saturation: every connection sends its next request when the last is
//!   answered; throughput and latency percentiles;
//! - fixed rate (1,000 requests/s): requests are scheduled on a clock and latency
//!   is measured from the scheduled time, so a stall is not hidden (no
//!   coordinated omission);
//! - in-process: decode + judge + encode without the network, the evaluation cost.
//!
//! Like the shipped binary, the benchmark uses mimalloc as its allocator.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use palisade_admission::namespaces::StaticNamespaces;
use palisade_admission::{
    Admission, Context, PodSecurity, PodSecurityConfiguration, decode_request, encode_response,
};
use palisade_webhook::certs::{CertRequest, generate};
use palisade_webhook::client::{Client, tls_connector};
use palisade_webhook::{Backend, CertStore, Metrics, Server, ServerOptions, StaticBackend, tls};
use serde_json::json;
use tokio::net::TcpListener;

const NAMESPACES: &str = "apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/audit: restricted}}
---
apiVersion: v1
kind: Namespace
metadata: {name: staging, labels: {pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/warn: restricted}}
";

fn review(
    resource: (&str, &str, &str),
    namespace: &str,
    name: &str,
    object: serde_json::Value,
) -> Vec<u8> {
    let (group, kind, plural) = resource;
    serde_json::to_vec(&json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "5a2d9c4e-8d1b-4e0f-a3c2-9b7e6f1d2c3a",
            "kind": {"group": group, "version": "v1", "kind": kind},
            "resource": {"group": group, "version": "v1", "resource": plural},
            "requestKind": {"group": group, "version": "v1", "kind": kind},
            "requestResource": {"group": group, "version": "v1", "resource": plural},
            "name": name, "namespace": namespace, "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller",
                         "uid": "0d0c9f8e-7b6a-4c5d-8e9f-0a1b2c3d4e5f",
                         "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]},
            "object": object, "oldObject": null, "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
        }
    }))
    .expect("json")
}

/// A pod as the API server sends it after defaulting: managed fields, tolerations,
/// a service-account volume; about 3 KB of JSON, like a real review.
fn pod_spec(hardened: bool) -> serde_json::Value {
    let security = if hardened {
        json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true})
    } else {
        json!({"privileged": true})
    };
    json!({
        "securityContext": if hardened { json!({"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}) } else { json!({}) },
        "containers": [{
            "name": "web", "image": "registry.example.com/shop/web:1.27.3",
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}],
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"}, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
            "volumeMounts": [{"name": "kube-api-access-abcde", "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent",
            "securityContext": security
        }],
        "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
        "serviceAccountName": "web", "serviceAccount": "web", "schedulerName": "default-scheduler",
        "tolerations": [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        ],
        "priority": 0, "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
        "volumes": [{"name": "kube-api-access-abcde", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
        ]}}]
    })
}

fn pod(namespace: &str, hardened: bool) -> serde_json::Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "web-7d9f8c6b5-x2k4p", "generateName": "web-7d9f8c6b5-", "namespace": namespace,
            "uid": "6f1e2d3c-4b5a-4978-8d6e-5f4a3b2c1d0e", "creationTimestamp": null,
            "labels": {"app": "web", "pod-template-hash": "7d9f8c6b5"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9f8c6b5",
                                 "uid": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "controller": true, "blockOwnerDeletion": true}],
            "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                               "time": "2026-11-30T00:00:00Z", "fieldsType": "FieldsV1",
                               "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}}}}}]
        },
        "spec": pod_spec(hardened)
    })
}

struct Payload {
    name: &'static str,
    body: Bytes,
}

fn payloads() -> Vec<Payload> {
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "staging", "labels": {"app": "web"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec(false)}}
    });
    vec![
        Payload {
            name: "compliant pod (allowed)",
            body: review(("", "Pod", "pods"), "prod", "web", pod("prod", true)).into(),
        },
        Payload {
            name: "violating pod (denied)",
            body: review(("", "Pod", "pods"), "prod", "web", pod("prod", false)).into(),
        },
        Payload {
            name: "Deployment (warned)",
            body: review(
                ("apps", "Deployment", "deployments"),
                "staging",
                "web",
                deployment,
            )
            .into(),
        },
    ]
}

fn seconds() -> f64 {
    std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0)
}

fn connections() -> usize {
    std::env::var("BENCH_CONNECTIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16)
}

/// A one-worker runtime: each side of the benchmark gets about one core.
fn runtime(name: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(name)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Starts palisade's server; returns its address.
fn start_palisade(
    rt: &tokio::runtime::Runtime,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> SocketAddr {
    let store = CertStore::open(cert, key).expect("certs");
    let config = tls::server_config(Arc::clone(&store), None).expect("tls");
    let load =
        palisade_load::load_bytes("ns.yaml".into(), NAMESPACES.as_bytes(), &Default::default())
            .expect("ns");
    let backend = Backend::Static(StaticBackend::from_objects(
        load.objects.iter().map(|o| o.root()),
    ));
    let admission = Admission::new(vec![Arc::new(PodSecurity::new(
        PodSecurityConfiguration::default(),
    ))]);
    rt.block_on(async {
        let options = ServerOptions {
            listen: "127.0.0.1:0".parse().expect("addr"),
            ..ServerOptions::default()
        };
        let server = Server::bind(
            config,
            admission,
            backend,
            Arc::new(Metrics::new()),
            options,
        )
        .await
        .expect("bind");
        let addr = server.local_addr().expect("addr");
        tokio::spawn(server.run(std::future::pending()));
        addr
    })
}

/// The ceiling: the same TLS configuration and HTTP stack, reading the body and
/// answering a fixed allow without looking at it.
fn start_canned(
    rt: &tokio::runtime::Runtime,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> SocketAddr {
    let store = CertStore::open(cert, key).expect("certs");
    let config = tls::server_config(store, None).expect("tls");
    let acceptor = tokio_rustls::TlsAcceptor::from(config.current());
    let fixed = Bytes::from_static(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"5a2d9c4e-8d1b-4e0f-a3c2-9b7e6f1d2c3a","allowed":true}}"#);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let builder = Arc::new(hyper_util::server::conn::auto::Builder::new(
                TokioExecutor::new(),
            ));
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let (acceptor, builder, fixed) =
                    (acceptor.clone(), Arc::clone(&builder), fixed.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = service_fn(move |request: Request<Incoming>| {
                        let fixed = fixed.clone();
                        async move {
                            let _ = request.into_body().collect().await;
                            let mut response = Response::new(Full::new(fixed));
                            response.headers_mut().insert(
                                "content-type",
                                "application/json".parse().expect("header"),
                            );
                            Ok::<_, std::convert::Infallible>(response)
                        }
                    });
                    let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                });
            }
        });
        addr
    })
}

struct Run {
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: usize,
}

/// What one load worker saw: latencies of answered requests, and failures.
type WorkerResult = (Vec<Duration>, usize);

impl Run {
    /// Joins the workers into one run measured from `started`.
    async fn gather(tasks: Vec<tokio::task::JoinHandle<WorkerResult>>, started: Instant) -> Run {
        let mut run = Run {
            requests: 0,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
            errors: 0,
        };
        for task in tasks {
            let (latencies, errors) = task.await.expect("worker");
            run.latencies.extend(latencies);
            run.errors += errors;
        }
        run.elapsed = started.elapsed();
        run.requests = run.latencies.len();
        run.latencies.sort_unstable();
        run
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let at =
            ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len()) - 1;
        self.latencies[at]
    }

    fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// Closed loop: each connection sends the next request when the last is answered.
async fn saturate(addr: SocketAddr, ca: &str, body: Bytes, seconds: f64) -> Run {
    let connector = tls_connector(ca, None).expect("connector");
    let mut tasks = Vec::new();
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    for _ in 0..connections() {
        let (connector, body) = (connector.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect_with(addr, &connector)
                .await
                .expect("connect");
            let (mut latencies, mut errors) = (Vec::new(), 0);
            while Instant::now() < until {
                let sent = Instant::now();
                match client.post("/validate?timeout=10s", body.clone()).await {
                    Ok(reply) if reply.status == 200 => latencies.push(sent.elapsed()),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    Run::gather(tasks, started).await
}

/// Open loop at `rate` requests/s, spread over the connections; latency counts
/// from when each request was due.
async fn fixed_rate(addr: SocketAddr, ca: &str, body: Bytes, seconds: f64, rate: f64) -> Run {
    let connector = tls_connector(ca, None).expect("connector");
    let workers = connections();
    let total = (seconds * rate) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let (connector, body) = (connector.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect_with(addr, &connector)
                .await
                .expect("connect");
            let (mut latencies, mut errors) = (Vec::new(), 0);
            for n in (worker..total).step_by(workers) {
                let due = started + interval * n as u32;
                wait_until(due).await;
                match client.post("/validate?timeout=10s", body.clone()).await {
                    Ok(reply) if reply.status == 200 => latencies.push(due.elapsed()),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    Run::gather(tasks, started).await
}

/// Waits until `due` with better than the timer's 1 ms resolution: sleep to just
/// before it, then yield until it passes, so that requests leave on time and the
/// measured latency is the server's, not the timer's.
async fn wait_until(due: Instant) {
    if let Some(early) = due.checked_sub(Duration::from_micros(1500)) {
        tokio::time::sleep_until(early.into()).await;
    }
    while Instant::now() < due {
        tokio::task::yield_now().await;
    }
}

/// Decode, judge and encode in process: the mean time of each step.
fn in_process(body: &[u8]) -> [Duration; 3] {
    let load =
        palisade_load::load_bytes("ns.yaml".into(), NAMESPACES.as_bytes(), &Default::default())
            .expect("ns");
    let mut namespaces = StaticNamespaces::default();
    for object in &load.objects {
        namespaces.insert_object(object.root());
    }
    let admission = Admission::new(vec![Arc::new(PodSecurity::new(
        PodSecurityConfiguration::default(),
    ))]);
    let context = Context {
        namespaces: &namespaces,
        existing_pods: None,
        deadline: None,
    };
    let iterations = 20_000u32;
    let mut spent = [Duration::ZERO; 3];
    for _ in 0..iterations {
        let t0 = Instant::now();
        let request = decode_request(std::hint::black_box(body)).expect("decode");
        let t1 = Instant::now();
        let response = admission.review(&request, &context).expect("review");
        let t2 = Instant::now();
        std::hint::black_box(encode_response(&response));
        let t3 = Instant::now();
        spent[0] += t1 - t0;
        spent[1] += t2 - t1;
        spent[2] += t3 - t2;
        drop(request);
    }
    spent.map(|d| d / iterations)
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    // `cargo bench` passes --bench; a filter argument is ignored.
    let dir = std::env::temp_dir().join(format!("palisade-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let certs = generate(&CertRequest {
        service: "palisade-webhook".into(),
        namespace: "palisade-system".into(),
        extra_names: vec!["localhost".into()],
        valid_days: 1,
    })
    .expect("certs");
    let (cert, key) = (dir.join("tls.crt"), dir.join("tls.key"));
    std::fs::write(&cert, &certs.server_cert).expect("cert");
    std::fs::write(&key, &certs.server_key).expect("key");

    let server_rt = runtime("server");
    let load_rt = runtime("load");
    let palisade = start_palisade(&server_rt, &cert, &key);
    let canned = start_canned(&server_rt, &cert, &key);
    let seconds = seconds();
    println!(
        "webhook load: TLS 1.3, HTTP/1.1 keep-alive, {} connections, {seconds} s per run; server and load generator on one worker thread each",
        connections()
    );
    println!(
        "{:<26} {:>9} | {:>10} {:>8} {:>8} {:>8} | {:>10} {:>8} | {:>8} {:>8} {:>8} | {:>9}",
        "payload",
        "bytes",
        "sat req/s",
        "p50",
        "p99",
        "p99.9",
        "ceil req/s",
        "ratio",
        "1k p50",
        "1k p99",
        "1k p99.9",
        "in-process decode+judge+encode"
    );
    if std::env::var("BENCH_PROFILE").is_ok() {
        // Palisade alone under saturation, for a profiler.
        let body = payloads()[0].body.clone();
        let run = load_rt.block_on(saturate(palisade, &certs.ca_cert, body, seconds));
        println!("profile run: {:.0} req/s", run.throughput());
        return;
    }
    for payload in payloads() {
        // Warm up both servers.
        load_rt.block_on(saturate(
            palisade,
            &certs.ca_cert,
            payload.body.clone(),
            0.3,
        ));
        load_rt.block_on(saturate(canned, &certs.ca_cert, payload.body.clone(), 0.3));
        let ours = load_rt.block_on(saturate(
            palisade,
            &certs.ca_cert,
            payload.body.clone(),
            seconds,
        ));
        let ceiling = load_rt.block_on(saturate(
            canned,
            &certs.ca_cert,
            payload.body.clone(),
            seconds,
        ));
        let steady = load_rt.block_on(fixed_rate(
            palisade,
            &certs.ca_cert,
            payload.body.clone(),
            seconds,
            1000.0,
        ));
        let errors = ours.errors + ceiling.errors + steady.errors;
        println!(
            "{:<26} {:>9} | {:>10.0} {:>8} {:>8} {:>8} | {:>10.0} {:>7.0}% | {:>8} {:>8} {:>8} | {:>9}{}",
            payload.name,
            payload.body.len(),
            ours.throughput(),
            micros(ours.percentile(0.50)),
            micros(ours.percentile(0.99)),
            micros(ours.percentile(0.999)),
            ceiling.throughput(),
            100.0 * ours.throughput() / ceiling.throughput(),
            micros(steady.percentile(0.50)),
            micros(steady.percentile(0.99)),
            micros(steady.percentile(0.999)),
            {
                let [decode, judge, encode] = in_process(&payload.body);
                format!(
                    "{:.1}+{:.1}+{:.1} µs",
                    decode.as_secs_f64() * 1e6,
                    judge.as_secs_f64() * 1e6,
                    encode.as_secs_f64() * 1e6
                )
            },
            if errors > 0 {
                format!("  ({errors} errors)")
            } else {
                String::new()
            }
        );
    }
    let ceiling_rate = load_rt.block_on(fixed_rate(
        canned,
        &certs.ca_cert,
        payloads()[0].body.clone(),
        seconds,
        1000.0,
    ));
    println!(
        "ceiling at 1,000 req/s (compliant pod): p50 {} p99 {} p99.9 {}",
        micros(ceiling_rate.percentile(0.50)),
        micros(ceiling_rate.percentile(0.99)),
        micros(ceiling_rate.percentile(0.999))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
