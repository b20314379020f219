//! `palisade serve`: the validating admission webhook.
//!
//! - [`server`]: HTTPS (rustls) accept loop, routes, limits, the `/validate`
//!   handler over `palisade-admission`, and the drain on shutdown;
//! - [`tls`]: certificates that reload while serving, optional client certificates;
//! - [`backend`]: namespace labels (static objects, or a kube-rs reflector) and
//!   the pods of a namespace;
//! - [`policy_watch`]: Gatekeeper templates and constraints watched in the
//!   cluster, rebuilt into the policy set the server enforces;
//! - [`metrics`]: Prometheus text metrics;
//! - [`certs`]: a CA and server certificate for clusters without cert-manager;
//! - [`duration`]: the API server's `?timeout=` values;
//! - [`client`]: an HTTPS client speaking as the API server does (tests, benchmark).

pub mod backend;
pub mod certs;
pub mod client;
pub mod duration;
pub mod metrics;
pub mod policy_watch;
pub mod server;
pub mod tls;

pub use backend::{Backend, ClusterBackend, StaticBackend};
pub use metrics::Metrics;
pub use policy_watch::{PolicyWatch, PolicyWatchOptions};
pub use server::{ReadyGate, Server, ServerOptions};
pub use tls::CertStore;
