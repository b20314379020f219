//! Where the server learns namespaces (for their Pod Security labels) and, when an
//! update raises a namespace's enforce level, the namespace's pods.
//!
//! - [`Backend::Static`]: Namespace and Pod objects given with `-f` (offline use,
//!   tests, a fixed set of namespaces). Ready at once.
//! - [`Backend::Cluster`]: a kube-rs reflector watching Namespaces, the way
//!   upstream's webhook uses an informer. A namespace missing from the cache is
//!   fetched with a live GET before the request is judged (as upstream falls back
//!   to the API), so a namespace created a moment ago is not mistaken for an
//!   unknown one. Pods are listed live, only for that rare namespace update.
//!   The server reports not ready until the first list has completed, so the API
//!   server sends nothing to a replica that knows no namespaces.
//!
//! Every replica builds the same cache from the API server and keeps no state of
//! its own, so replicas behind one Service answer alike and scale out freely.
//!
//! A namespace that neither source knows is treated as upstream treats a failed
//! lookup: a Pod is denied (500, `failed to lookup namespace`), a workload is
//! allowed with an `error` audit annotation. Failing closed for pods is what keeps
//! an attacker from slipping a pod in during a cache gap.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use palisade_admission::ExistingPods;
use palisade_admission::namespaces::{Labels, Lookup, NamespaceSource, StaticNamespaces};
use palisade_core::{NAMESPACE_NAME_LABEL, Node};

/// Namespace and pod sources.
pub enum Backend {
    Static(StaticBackend),
    Cluster(ClusterBackend),
}

/// Objects given on the command line.
#[derive(Default)]
pub struct StaticBackend {
    namespaces: StaticNamespaces,
    pods: HashMap<String, Vec<Arc<Node>>>,
}

impl StaticBackend {
    /// Keeps the Namespaces and Pods among `objects`; other kinds are ignored.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Node>) -> Self {
        let mut backend = StaticBackend::default();
        for object in objects {
            if backend.namespaces.insert_object(object) {
                continue;
            }
            let is_pod = object.get("kind").and_then(Node::as_str) == Some("Pod")
                && object.get("apiVersion").and_then(Node::as_str) == Some("v1");
            if is_pod {
                let namespace = object
                    .path(&["metadata", "namespace"])
                    .and_then(Node::as_str)
                    .unwrap_or("default");
                backend
                    .pods
                    .entry(namespace.to_owned())
                    .or_default()
                    .push(Arc::new(object.clone()));
            }
        }
        backend
    }

    /// Adds a namespace with these labels.
    pub fn insert_namespace(&mut self, name: &str, labels: Labels) {
        self.namespaces.insert(name, labels);
    }

    pub fn namespace_count(&self) -> usize {
        self.namespaces.len()
    }
}

/// A reflector over the cluster's Namespaces, and the client for live reads.
pub struct ClusterBackend {
    client: Client,
    store: Store<Namespace>,
    ready: Arc<AtomicBool>,
}

impl ClusterBackend {
    /// Starts watching Namespaces; the watch restarts with backoff after errors.
    pub fn start(client: Client) -> Self {
        let api: Api<Namespace> = Api::all(client.clone());
        let (store, writer) = reflector::store();
        let stream = reflector::reflector(
            writer,
            watcher(api, watcher::Config::default()).default_backoff(),
        );
        tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            while let Some(event) = stream.next().await {
                if let Err(error) = event {
                    tracing::warn!(%error, "namespace watch failed; retrying");
                }
            }
        });
        let ready = Arc::new(AtomicBool::new(false));
        let (flag, waiting) = (Arc::clone(&ready), store.clone());
        tokio::spawn(async move {
            if waiting.wait_until_ready().await.is_ok() {
                flag.store(true, Ordering::Release);
                tracing::info!(namespaces = waiting.len(), "namespace cache synced");
            }
        });
        ClusterBackend {
            client,
            store,
            ready,
        }
    }
}

impl NamespaceSource for ClusterBackend {
    fn lookup(&self, name: &str) -> Lookup {
        if !self.ready.load(Ordering::Acquire) {
            return Lookup::Unavailable("the namespace cache has not synced yet".to_owned());
        }
        match self.store.get(&ObjectRef::new(name)) {
            Some(namespace) => Lookup::Found(Arc::new(labels_of(&namespace))),
            None => Lookup::NotFound,
        }
    }
}

/// A typed Namespace's labels, with the name label the API server always sets.
fn labels_of(namespace: &Namespace) -> Labels {
    let mut labels: Labels = namespace.metadata.labels.clone().unwrap_or_default();
    if let Some(name) = &namespace.metadata.name {
        labels.insert(NAMESPACE_NAME_LABEL.to_owned(), name.clone());
    }
    labels
}

impl NamespaceSource for Backend {
    fn lookup(&self, name: &str) -> Lookup {
        match self {
            Backend::Static(backend) => backend.namespaces.lookup(name),
            Backend::Cluster(backend) => backend.lookup(name),
        }
    }
}

impl Backend {
    /// True once lookups can be answered.
    pub fn ready(&self) -> bool {
        match self {
            Backend::Static(_) => true,
            Backend::Cluster(backend) => backend.ready.load(Ordering::Acquire),
        }
    }

    /// The cluster's client (for other watches sharing its connection), if any.
    pub fn client(&self) -> Option<&Client> {
        match self {
            Backend::Static(_) => None,
            Backend::Cluster(backend) => Some(&backend.client),
        }
    }

    pub fn namespace_count(&self) -> usize {
        match self {
            Backend::Static(backend) => backend.namespace_count(),
            Backend::Cluster(backend) => backend.store.len(),
        }
    }

    /// The namespace's labels: from the cache, else (in a cluster) from a live GET
    /// bounded by `deadline`.
    pub async fn resolve(&self, name: &str, deadline: Instant) -> Lookup {
        let cached = self.lookup(name);
        let Backend::Cluster(backend) = self else {
            return cached;
        };
        if matches!(cached, Lookup::Found(_)) {
            return cached;
        }
        let api: Api<Namespace> = Api::all(backend.client.clone());
        let budget = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(budget, api.get_opt(name)).await {
            Ok(Ok(Some(namespace))) => Lookup::Found(Arc::new(labels_of(&namespace))),
            Ok(Ok(None)) => Lookup::NotFound,
            Ok(Err(error)) => Lookup::Unavailable(error.to_string()),
            Err(_) => Lookup::Unavailable(format!("timed out getting namespace {name:?}")),
        }
    }

    /// The pods of `namespace`, within `budget`.
    pub async fn pods(&self, namespace: &str, budget: Duration) -> ExistingPods {
        match self {
            Backend::Static(backend) => {
                Ok(backend.pods.get(namespace).cloned().unwrap_or_default())
            }
            Backend::Cluster(backend) => {
                let api: Api<Pod> = Api::namespaced(backend.client.clone(), namespace);
                let list = tokio::time::timeout(budget, api.list(&Default::default()))
                    .await
                    .map_err(|_| "timed out listing pods".to_owned())?
                    .map_err(|e| e.to_string())?;
                list.items
                    .iter()
                    .map(|pod| {
                        let json = serde_json::to_value(pod).map_err(|e| e.to_string())?;
                        Ok(Arc::new(Node::from_json(&json)))
                    })
                    .collect()
            }
        }
    }
}

impl Backend {
    /// A cluster backend from the environment: the in-cluster service account, or
    /// the kubeconfig (`KUBECONFIG`, `~/.kube/config`) outside a cluster.
    pub async fn from_cluster() -> Result<Backend, String> {
        let client = Client::try_default()
            .await
            .map_err(|e| format!("cannot reach the cluster to watch namespaces: {e}"))?;
        Ok(Backend::Cluster(ClusterBackend::start(client)))
    }
}
