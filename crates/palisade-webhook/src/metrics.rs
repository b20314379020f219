//! Prometheus metrics of the webhook, served as text at `/metrics`.
//!
//! Every handle is created at start-up, so recording a request costs a few atomic
//! increments and no lookup or allocation.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = [(&'static str, &'static str); 1];

/// How a request ended, as counted by `palisade_admission_requests_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    Denied,
    /// Refused before evaluation: malformed, wrong type, too large, too slow.
    BadRequest,
    /// A failure of the server itself (a caught panic, a failed encode).
    Error,
}

/// The metric handles.
pub struct Metrics {
    registry: Registry,
    allowed: Counter,
    denied: Counter,
    bad_request: Counter,
    error: Counter,
    latency: Histogram,
    cert_not_after: Gauge,
    reload_ok: Counter,
    reload_failed: Counter,
    namespaces: Gauge,
    connections: Gauge,
    in_flight: Gauge<i64, std::sync::atomic::AtomicI64>,
    gatekeeper_templates: Gauge,
    gatekeeper_constraints: Gauge,
    gatekeeper_problems: Gauge,
    rebuild_ok: Counter,
    rebuild_failed: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<Labels, Counter>::default();
        registry.register(
            "palisade_admission_requests",
            "Admission requests answered, by result",
            requests.clone(),
        );
        let result = |r: &'static str| requests.get_or_create_owned(&[("result", r)]);
        let latency = Histogram::new(exponential_buckets(0.000_025, 2.0, 18));
        registry.register(
            "palisade_admission_request_duration_seconds",
            "Time from the end of the request headers to the response, in seconds",
            latency.clone(),
        );
        let cert_not_after = Gauge::default();
        registry.register(
            "palisade_tls_certificate_not_after_timestamp_seconds",
            "When the served certificate expires (Unix time)",
            cert_not_after.clone(),
        );
        let reloads = Family::<Labels, Counter>::default();
        registry.register(
            "palisade_tls_certificate_reloads",
            "Certificate reloads, by result",
            reloads.clone(),
        );
        let namespaces = Gauge::default();
        registry.register(
            "palisade_namespaces_known",
            "Namespaces in the namespace cache",
            namespaces.clone(),
        );
        let connections = Gauge::default();
        registry.register(
            "palisade_connections_open",
            "Client connections currently open",
            connections.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "palisade_admission_requests_in_flight",
            "Admission requests being answered",
            in_flight.clone(),
        );
        let gatekeeper_templates = Gauge::default();
        registry.register(
            "palisade_gatekeeper_templates",
            "Gatekeeper ConstraintTemplates compiled and in force",
            gatekeeper_templates.clone(),
        );
        let gatekeeper_constraints = Gauge::default();
        registry.register(
            "palisade_gatekeeper_constraints",
            "Gatekeeper Constraints bound to a template and in force",
            gatekeeper_constraints.clone(),
        );
        let gatekeeper_problems = Gauge::default();
        registry.register(
            "palisade_gatekeeper_load_problems",
            "Gatekeeper templates and constraints that could not be used (see the warnings in the log)",
            gatekeeper_problems.clone(),
        );
        let rebuilds = Family::<Labels, Counter>::default();
        registry.register(
            "palisade_gatekeeper_policy_rebuilds",
            "Rebuilds of the watched Gatekeeper policy set, by result (a failure keeps the previous set)",
            rebuilds.clone(),
        );
        Metrics {
            gatekeeper_templates,
            gatekeeper_constraints,
            gatekeeper_problems,
            rebuild_ok: rebuilds.get_or_create_owned(&[("result", "success")]),
            rebuild_failed: rebuilds.get_or_create_owned(&[("result", "failure")]),
            allowed: result("allowed"),
            denied: result("denied"),
            bad_request: result("bad_request"),
            error: result("error"),
            latency,
            cert_not_after,
            reload_ok: reloads.get_or_create_owned(&[("result", "success")]),
            reload_failed: reloads.get_or_create_owned(&[("result", "failure")]),
            namespaces,
            connections,
            in_flight,
            registry,
        }
    }

    pub fn request(&self, outcome: Outcome, seconds: f64) {
        match outcome {
            Outcome::Allowed => self.allowed.inc(),
            Outcome::Denied => self.denied.inc(),
            Outcome::BadRequest => self.bad_request.inc(),
            Outcome::Error => self.error.inc(),
        };
        self.latency.observe(seconds);
    }

    pub fn cert_reloaded(&self, success: bool, not_after: i64) {
        if success {
            self.reload_ok.inc();
        } else {
            self.reload_failed.inc();
        }
        self.cert_not_after.set(not_after);
    }

    pub fn set_cert_not_after(&self, not_after: i64) {
        self.cert_not_after.set(not_after);
    }

    pub fn set_namespaces(&self, count: usize) {
        self.namespaces
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// The Gatekeeper policy set now in force.
    pub fn set_gatekeeper_policies(&self, templates: usize, constraints: usize, problems: usize) {
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.gatekeeper_templates.set(count(templates));
        self.gatekeeper_constraints.set(count(constraints));
        self.gatekeeper_problems.set(count(problems));
    }

    /// A rebuild of the watched policy set ended.
    pub fn gatekeeper_rebuilt(&self, success: bool) {
        if success {
            self.rebuild_ok.inc();
        } else {
            self.rebuild_failed.inc();
        }
    }

    pub fn connection_opened(&self) {
        self.connections.inc();
    }

    pub fn connection_closed(&self) {
        self.connections.dec();
    }

    pub fn request_started(&self) {
        self.in_flight.inc();
    }

    pub fn request_finished(&self) {
        self.in_flight.dec();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
