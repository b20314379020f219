//! Admission: an AdmissionReview v1 request in, a response out, with no I/O.
//!
//! - [`review`] decodes requests and encodes responses (the wire format);
//! - [`status`] builds the `metav1.Status` of a denial as apimachinery does;
//! - [`policy`] is the contract admission policies implement ([`Policy`]) and the
//!   [`Admission`] that runs them and folds their verdicts;
//! - [`pod_security`] is Pod Security Admission as the API server runs it, with its
//!   [`config`] (`PodSecurityConfiguration`);
//! - [`namespaces`] is where namespace labels come from.
//!
//! The webhook server (`palisade-webhook`) and `palisade admit` are thin layers
//! over [`Admission::review`].

pub mod config;
pub mod namespaces;
pub mod pod_security;
pub mod policy;
pub mod review;
pub mod status;

pub use config::PodSecurityConfiguration;
pub use namespaces::{Lookup, NamespaceSource, StaticNamespaces};
pub use pod_security::PodSecurity;
pub use policy::{Admission, Context, ExistingPods, FailurePolicy, Policy, PolicyError, Verdict};
pub use review::{
    Request, RequestError, Response, ResponseReview, decode_request, encode_response,
};
pub use status::Status;
