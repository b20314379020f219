//! The HTTPS server: accept loop, limits, routing, the `/validate` handler, and
//! the drain on shutdown.
//!
//! Routes: `POST /validate` (AdmissionReview v1), `GET /healthz`, `GET /readyz`
//! and, unless a separate metrics listener is configured, `GET /metrics`.
//!
//! Limits, each with a clear answer: connections (further ones wait in the
//! listen backlog), TLS handshake time, request header time (a client that never
//! finishes its headers is cut off), body size (413), body time (408), requests in
//! flight (503 once the deadline passes while waiting). The API server's
//! `?timeout=` sets each request's deadline (90 % of it, to leave time to answer).
//!
//! Errors: a malformed or unexpected request gets a 4xx with a message and the
//! connection keeps serving. A policy that fails or panics is handled by its
//! failure policy inside `Admission`; a panic anywhere else in the handler is
//! caught and answered with HTTP 500, which the API server treats according to
//! the webhook's `failurePolicy`. Nothing turns an error into `allowed: true`
//! unless the operator passed `--fail-open`.
//!
//! Shutdown ([`Server::run`]'s `shutdown` future, SIGTERM in the CLI): readiness
//! turns 503 and responses carry `Connection: close`, so the API server moves to
//! other replicas, while requests are still answered for the drain window; then
//! the listener closes, in-flight requests finish, idle connections are closed,
//! and `run` returns.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::FutureExt;
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use palisade_admission::namespaces::{Lookup, NamespaceSource};
use palisade_admission::{Admission, Context, ExistingPods, decode_request, encode_response};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;

use crate::backend::Backend;
use crate::duration::parse_go_duration;
use crate::metrics::{Metrics, Outcome};
use crate::tls::TlsConfig;

/// Limits and behaviour of the server.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The HTTPS address.
    pub listen: SocketAddr,
    /// A plain-HTTP address for `/metrics`, `/healthz` and `/readyz`.
    pub metrics_listen: Option<SocketAddr>,
    pub max_body_bytes: usize,
    pub max_connections: usize,
    pub max_in_flight: usize,
    pub handshake_timeout: Duration,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    /// The deadline of a request without `?timeout=` (the API server's default
    /// webhook timeout is 10 s).
    pub default_timeout: Duration,
    /// How long requests are still answered after shutdown begins.
    pub drain: Duration,
    /// How long in-flight requests may take to finish after the drain.
    pub shutdown_timeout: Duration,
    /// Answer `allowed: true` (with an audit annotation) instead of a 500 denial
    /// when a policy could not decide.
    pub fail_open: bool,
    /// Serve `/metrics` on the TLS listener too (when there is no metrics listener).
    pub metrics_on_main: bool,
    /// Log allowed requests too (at info); by default only denials are logged.
    pub log_allowed: bool,
    /// Further conditions of `/readyz`, beside the namespace cache (e.g. the
    /// first sync of watched Gatekeeper policies).
    pub ready_gates: Vec<ReadyGate>,
}

/// A condition `/readyz` waits for: a flag that a background task sets once
/// what it loads is complete (the same mechanism as the namespace cache's).
#[derive(Clone, Debug)]
pub struct ReadyGate {
    /// What is awaited, for the 503 body: `<waiting_for> not synced`.
    pub waiting_for: &'static str,
    pub ready: Arc<AtomicBool>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            listen: SocketAddr::from(([0, 0, 0, 0], 8443)),
            metrics_listen: None,
            // An UPDATE carries two objects of up to ~1.5 MiB each, JSON-escaped.
            max_body_bytes: 8 * 1024 * 1024,
            max_connections: 1024,
            max_in_flight: 256,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            default_timeout: Duration::from_secs(10),
            drain: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(30),
            fail_open: false,
            metrics_on_main: true,
            log_allowed: false,
            ready_gates: Vec::new(),
        }
    }
}

/// Shared by every connection.
struct State {
    admission: Admission,
    backend: Backend,
    metrics: Arc<Metrics>,
    options: ServerOptions,
    draining: AtomicBool,
    in_flight: Semaphore,
}

type Reply = Response<Full<Bytes>>;

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    tls: Arc<TlsConfig>,
    state: Arc<State>,
}

impl Server {
    /// Binds the listeners. `tls` comes from [`crate::tls::server_config`].
    pub async fn bind(
        tls: Arc<TlsConfig>,
        admission: Admission,
        backend: Backend,
        metrics: Arc<Metrics>,
        mut options: ServerOptions,
    ) -> std::io::Result<Server> {
        let listener = TcpListener::bind(options.listen).await?;
        let metrics_listener = match options.metrics_listen {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        options.metrics_on_main = metrics_listener.is_none();
        metrics.set_cert_not_after(tls.certs().not_after());
        metrics.set_namespaces(backend.namespace_count());
        let state = Arc::new(State {
            admission,
            backend,
            metrics,
            in_flight: Semaphore::new(options.max_in_flight.max(1)),
            options,
            draining: AtomicBool::new(false),
        });
        Ok(Server {
            listener,
            metrics_listener,
            tls,
            state,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// Serves until `shutdown` completes, then drains and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let Server {
            listener,
            metrics_listener,
            tls,
            state,
        } = self;
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(state.options.header_timeout)
            .keep_alive(true);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(256);
        let builder = Arc::new(builder);
        let graceful = GracefulShutdown::new();
        let connections = Arc::new(Semaphore::new(state.options.max_connections.max(1)));

        let metrics_task = metrics_listener.map(|listener| {
            tokio::spawn(serve_plain(
                listener,
                Arc::clone(&state),
                Arc::clone(&builder),
            ))
        });

        let accept = |permit: OwnedSemaphorePermit, stream: TcpStream| {
            let task = Connection {
                // The configuration current now: a new client CA applies from here on.
                acceptor: TlsAcceptor::from(tls.current()),
                state: Arc::clone(&state),
                builder: Arc::clone(&builder),
                watcher: graceful.watcher(),
                _permit: permit,
            };
            tokio::spawn(task.serve(stream));
        };

        accept_until(&listener, &connections, shutdown, &accept).await;
        tracing::info!(
            drain_seconds = state.options.drain.as_secs_f64(),
            "shutting down: draining"
        );
        state.draining.store(true, Ordering::Release);
        let drain_end = tokio::time::sleep(state.options.drain);
        accept_until(&listener, &connections, drain_end, &accept).await;
        drop(listener);
        if let Some(task) = metrics_task {
            task.abort();
        }
        if tokio::time::timeout(state.options.shutdown_timeout, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("connections still open after the shutdown timeout; closing them");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Accepts connections and hands each to `accept` until `stop` completes.
async fn accept_until(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
    stop: impl Future<Output = ()>,
    accept: &impl Fn(OwnedSemaphorePermit, TcpStream),
) {
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            accepted = accept_one(listener, slots) => {
                if let Some((permit, stream)) = accepted {
                    accept(permit, stream);
                }
            }
        }
    }
}

/// Waits for a connection slot, then for a connection. `None` after an accept
/// error (logged; a short pause keeps an fd-exhaustion error from spinning).
async fn accept_one(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(OwnedSemaphorePermit, TcpStream)> {
    let permit = Arc::clone(slots).acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, _)) => {
            let _ = stream.set_nodelay(true);
            Some((permit, stream))
        }
        Err(error) => {
            tracing::warn!(%error, "accept failed");
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// One client connection.
struct Connection {
    acceptor: TlsAcceptor,
    state: Arc<State>,
    builder: Arc<auto::Builder<TokioExecutor>>,
    watcher: hyper_util::server::graceful::Watcher,
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    async fn serve(self, stream: TcpStream) {
        let metrics = Arc::clone(&self.state.metrics);
        metrics.connection_opened();
        let handshake = tokio::time::timeout(
            self.state.options.handshake_timeout,
            self.acceptor.accept(stream),
        )
        .await;
        if let Ok(Ok(tls)) = handshake {
            let state = Arc::clone(&self.state);
            let service = service_fn(move |request| handle(Arc::clone(&state), request, true));
            let connection = self.builder.serve_connection(TokioIo::new(tls), service);
            if let Err(error) = self.watcher.watch(connection).await {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        metrics.connection_closed();
    }
}

/// The plain-HTTP listener for `/metrics`, `/healthz` and `/readyz`.
async fn serve_plain(
    listener: TcpListener,
    state: Arc<State>,
    builder: Arc<auto::Builder<TokioExecutor>>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let (state, builder) = (Arc::clone(&state), Arc::clone(&builder));
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&state), request, false));
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
    tls: bool,
) -> Result<Reply, Infallible> {
    let path = request.uri().path();
    let mut reply = match (request.method(), path) {
        (&Method::POST, "/validate") if tls => validate_guarded(&state, request).await,
        (_, "/validate") if tls => {
            let mut reply = text(StatusCode::METHOD_NOT_ALLOWED, "use POST\n");
            reply
                .headers_mut()
                .insert("allow", HeaderValue::from_static("POST"));
            reply
        }
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok\n"),
        (&Method::GET, "/readyz") => readiness(&state),
        (&Method::GET, "/metrics") if !tls || state.options.metrics_on_main => {
            state
                .metrics
                .set_namespaces(state.backend.namespace_count());
            let mut reply = text(StatusCode::OK, state.metrics.render());
            reply.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            reply
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    };
    if state.draining.load(Ordering::Acquire) {
        reply
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(reply)
}

fn readiness(state: &State) -> Reply {
    if state.draining.load(Ordering::Acquire) {
        text(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
    } else if !state.backend.ready() {
        text(
            StatusCode::SERVICE_UNAVAILABLE,
            "namespace cache not synced\n",
        )
    } else if let Some(gate) = state
        .options
        .ready_gates
        .iter()
        .find(|gate| !gate.ready.load(Ordering::Acquire))
    {
        text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{} not synced\n", gate.waiting_for),
        )
    } else {
        text(StatusCode::OK, "ok\n")
    }
}

/// [`validate`], with any panic caught and answered.
async fn validate_guarded(state: &Arc<State>, request: Request<Incoming>) -> Reply {
    let started = Instant::now();
    state.metrics.request_started();
    let reply = match AssertUnwindSafe(validate(state, request, started))
        .catch_unwind()
        .await
    {
        Ok(reply) => reply,
        Err(_) => {
            tracing::error!("the admission handler panicked; answered 500");
            state
                .metrics
                .request(Outcome::Error, started.elapsed().as_secs_f64());
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: the request could not be judged\n",
            )
        }
    };
    state.metrics.request_finished();
    reply
}

async fn validate(state: &Arc<State>, request: Request<Incoming>, started: Instant) -> Reply {
    let options = &state.options;
    let refuse = |status: StatusCode, message: String| {
        state
            .metrics
            .request(Outcome::BadRequest, started.elapsed().as_secs_f64());
        tracing::info!(status = status.as_u16(), %message, "refused a request");
        text(status, message + "\n")
    };
    if !is_json(request.headers().get(CONTENT_TYPE)) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "the content type must be application/json".to_owned(),
        );
    }
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > options.max_body_bytes as u64) {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {} bytes", options.max_body_bytes),
        );
    }
    let timeout = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("timeout=")))
        .and_then(parse_go_duration)
        .unwrap_or(options.default_timeout);
    // Answer with a tenth of the time to spare, for the trip back.
    let deadline = started + timeout.mul_f64(0.9);

    let Ok(Ok(_permit)) = tokio::time::timeout_at(deadline.into(), state.in_flight.acquire()).await
    else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many requests in flight".to_owned(),
        );
    };
    let body_time = options
        .body_timeout
        .min(deadline.saturating_duration_since(Instant::now()));
    let body = Limited::new(request.into_body(), options.max_body_bytes);
    let bytes = match tokio::time::timeout(body_time, body.collect()).await {
        Err(_) => {
            return refuse(
                StatusCode::REQUEST_TIMEOUT,
                "the body did not arrive in time".to_owned(),
            );
        }
        Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than {} bytes", options.max_body_bytes),
            );
        }
        Ok(Err(error)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("reading the body failed: {error}"),
            );
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    let request = match decode_request(&bytes) {
        Ok(request) => request,
        Err(error) => return refuse(StatusCode::BAD_REQUEST, error.0),
    };

    // Resolve the request's namespace before judging (in a cluster, a cache miss
    // becomes a live GET), so the pure evaluation below never waits on the network.
    let mut namespaces = Resolved {
        backend: &state.backend,
        name: String::new(),
        lookup: None,
    };
    if !request.namespace.is_empty() && matches!(state.backend, Backend::Cluster(_)) {
        namespaces.lookup = Some(state.backend.resolve(&request.namespace, deadline).await);
        namespaces.name = request.namespace.clone();
    }
    let mut pods: Option<ExistingPods> = None;
    let mut response = loop {
        let context = Context {
            namespaces: &namespaces,
            existing_pods: pods.as_ref(),
            deadline: Some(deadline),
        };
        match state.admission.review(&request, &context) {
            Ok(response) => break response,
            // Asked only once: with the pods, review always answers.
            Err(namespace) => {
                let left = deadline.saturating_duration_since(Instant::now());
                let budget = Duration::from_secs(1).min(left / 2);
                pods = Some(state.backend.pods(&namespace, budget).await);
            }
        }
    };
    let failed = response.status.as_ref().is_some_and(|s| s.code == 500);
    if failed && options.fail_open {
        let message = response
            .status
            .take()
            .map(|s| s.message)
            .unwrap_or_default();
        response.allowed = true;
        response
            .audit_annotations
            .insert("palisade/failed-open".to_owned(), message);
    }
    let outcome = match (response.allowed, failed) {
        (true, _) => Outcome::Allowed,
        (false, true) => Outcome::Error,
        (false, false) => Outcome::Denied,
    };
    log_decision(options, &request, &response);
    let body = encode_response(&response);
    state
        .metrics
        .request(outcome, started.elapsed().as_secs_f64());
    let mut reply = Response::new(Full::new(Bytes::from(body)));
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    reply
}

/// One line per denial; allowed requests only when asked for.
fn log_decision(
    options: &ServerOptions,
    request: &palisade_admission::Request,
    response: &palisade_admission::Response,
) {
    let resource = &request.resource.resource;
    if !response.allowed {
        let message = response.status.as_ref().map_or("", |s| s.message.as_str());
        tracing::info!(
            uid = %request.uid,
            operation = request.operation.as_str(),
            resource = %resource,
            namespace = %request.namespace,
            name = %request.name,
            user = %request.user_info.username,
            reason = %message,
            "denied"
        );
    } else if options.log_allowed {
        tracing::info!(
            uid = %request.uid,
            operation = request.operation.as_str(),
            resource = %resource,
            namespace = %request.namespace,
            name = %request.name,
            warnings = response.warnings.len(),
            "allowed"
        );
    }
}

/// The backend, with the request's namespace looked up in advance.
struct Resolved<'a> {
    backend: &'a Backend,
    name: String,
    lookup: Option<Lookup>,
}

impl NamespaceSource for Resolved<'_> {
    fn lookup(&self, name: &str) -> Lookup {
        match &self.lookup {
            Some(lookup) if name == self.name => lookup.clone(),
            _ => self.backend.lookup(name),
        }
    }
}

/// `application/json`, with or without parameters such as `charset`.
fn is_json(value: Option<&HeaderValue>) -> bool {
    value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

fn text(status: StatusCode, body: impl Into<String>) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.into())));
    *reply.status_mut() = status;
    reply.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    reply
}
