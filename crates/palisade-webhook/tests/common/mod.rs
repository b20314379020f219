//! A real server on loopback with certificates made for the test, and a real
//! HTTPS client that speaks HTTP/1.1 with keep-alive, as the API server does.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use palisade_admission::{Admission, PodSecurity, PodSecurityConfiguration, Policy};
use palisade_core::Node;
use palisade_webhook::certs::{CertRequest, GeneratedCerts, generate};
use palisade_webhook::{Backend, CertStore, Metrics, Server, ServerOptions, StaticBackend, tls};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A scratch directory removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "palisade-webhook-{tag}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn make_certs() -> GeneratedCerts {
    generate(&CertRequest {
        service: "palisade-webhook".into(),
        namespace: "palisade-system".into(),
        extra_names: vec!["localhost".into(), "127.0.0.1".into()],
        valid_days: 2,
    })
    .expect("certificates")
}

pub fn write_pair(dir: &Path, certs: &GeneratedCerts) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("tls.crt"), dir.join("tls.key"));
    std::fs::write(&cert, &certs.server_cert).expect("write cert");
    std::fs::write(&key, &certs.server_key).expect("write key");
    (cert, key)
}

/// Namespaces of the scenarios: `restricted` enforces restricted, `baseline`
/// enforces baseline and warns restricted, `open` has no labels.
pub const NAMESPACES: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: restricted, labels: {pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/audit: restricted}}
---
apiVersion: v1
kind: Namespace
metadata: {name: baseline, labels: {pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/warn: restricted}}
---
apiVersion: v1
kind: Namespace
metadata: {name: open}
---
apiVersion: v1
kind: Namespace
metadata: {name: exempt-ns, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: v1
kind: Pod
metadata: {name: old-root, namespace: open}
spec: {containers: [{name: app, image: nginx}]}
"#;

pub const CONFIG: &str = "apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
exemptions:
  usernames: [system:serviceaccount:kube-system:trusted]
  namespaces: [exempt-ns]
";

pub fn static_backend() -> StaticBackend {
    let load = palisade_load::load_bytes(
        "namespaces.yaml".into(),
        NAMESPACES.as_bytes(),
        &Default::default(),
    )
    .expect("namespaces parse");
    StaticBackend::from_objects(load.objects.iter().map(|o| o.root()))
}

pub fn pod_security() -> Arc<dyn Policy> {
    let config =
        PodSecurityConfiguration::from_bytes("config.yaml", CONFIG.as_bytes()).expect("config");
    Arc::new(PodSecurity::new(config))
}

/// A running server and how to reach and stop it.
pub struct TestServer {
    pub addr: std::net::SocketAddr,
    pub metrics_addr: Option<std::net::SocketAddr>,
    pub ca: String,
    pub dir: Scratch,
    pub certs: Arc<CertStore>,
    /// The TLS configuration, to reload its client CA in a test.
    pub tls: Arc<tls::TlsConfig>,
    pub metrics: Arc<Metrics>,
    stop: Option<oneshot::Sender<()>>,
    pub task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(options: ServerOptions, policies: Vec<Arc<dyn Policy>>) -> TestServer {
        Self::start_with(options, policies, None).await
    }

    pub async fn start_with(
        mut options: ServerOptions,
        policies: Vec<Arc<dyn Policy>>,
        client_ca: Option<&str>,
    ) -> TestServer {
        let dir = Scratch::new("server");
        let certs = make_certs();
        let (cert, key) = write_pair(&dir.0, &certs);
        let store = CertStore::open(&cert, &key).expect("cert store");
        let ca_path = client_ca.map(|pem| {
            let path = dir.0.join("client-ca.crt");
            std::fs::write(&path, pem).expect("client ca");
            path
        });
        let config =
            tls::server_config(Arc::clone(&store), ca_path.as_deref()).expect("tls config");
        let tls_config = Arc::clone(&config);
        options.listen = "127.0.0.1:0".parse().expect("addr");
        let metrics = Arc::new(Metrics::new());
        let server = Server::bind(
            config,
            Admission::new(policies),
            Backend::Static(static_backend()),
            Arc::clone(&metrics),
            options,
        )
        .await
        .expect("bind");
        let addr = server.local_addr().expect("addr");
        let metrics_addr = server.metrics_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            metrics_addr,
            ca: certs.ca_cert,
            dir,
            certs: store,
            tls: tls_config,
            metrics,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Begins the shutdown (what SIGTERM does in the CLI).
    pub fn terminate(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    pub async fn connect(&self) -> Client {
        Client::connect(self.addr, &self.ca, None)
            .await
            .expect("connect")
    }
}

pub use palisade_webhook::client::Client;

/// A connector trusting `ca_pem` (test setup: panics on bad PEM).
pub fn tls_connector(ca_pem: &str, client: Option<(&str, &str)>) -> tokio_rustls::TlsConnector {
    palisade_webhook::client::tls_connector(ca_pem, client).expect("connector")
}

/// An AdmissionReview request as the API server sends one. One parameter per
/// request field the scenarios vary, so each call reads like the request it makes.
#[allow(clippy::too_many_arguments)]
pub fn review(
    uid: &str,
    operation: &str,
    (group, version, kind, resource): (&str, &str, &str, &str),
    namespace: &str,
    name: &str,
    user: &str,
    object: serde_json::Value,
    old_object: serde_json::Value,
) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": resource},
            "name": name,
            "namespace": namespace,
            "operation": operation,
            "userInfo": {"username": user, "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": old_object,
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": if operation == "CREATE" {"CreateOptions"} else {"UpdateOptions"}}
        }
    }))
    .expect("review json")
}

pub const POD: (&str, &str, &str, &str) = ("", "v1", "Pod", "pods");

pub fn pod(namespace: &str, name: &str, image: &str, privileged: bool) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "containers": [{
                "name": "app",
                "image": image,
                "securityContext": {"privileged": privileged}
            }]
        }
    })
}

/// A pod that passes `restricted`.
pub fn hardened_pod(namespace: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "app",
                "image": "nginxinc/nginx-unprivileged",
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
            }]
        }
    })
}

pub fn node(json: &serde_json::Value) -> Node {
    Node::from_json(json)
}
