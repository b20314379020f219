//! Security intents as tests, and what-if simulation of writes.
//!
//! - [`reader`] reads an expectations file (`palisade.dev/v1alpha1`
//!   `SecurityExpectations`, the contract `palisade harden` writes) strictly,
//!   with file, line and column in every error; [`model`] is what it yields.
//! - [`evaluate`] decides each expectation with the engines that decide it in a
//!   cluster: RBAC through `palisade-rbac`'s authorizer ([`access`]),
//!   NetworkPolicy through `palisade-netpol`'s engine ([`network`]), admission
//!   through `palisade-admission` with the policies the caller built
//!   ([`admission`]). Each outcome carries the engines' explanation.
//! - [`simulate`] answers "what happens if this identity applies these
//!   objects to this cluster": RBAC (with escalation prevention), admission,
//!   then the consequences (new connections, new risky permissions).
//!
//! No printing: `palisade-report` writes the outcomes. Reading the
//! expectations file (and the object files it names) is the only I/O.

pub mod access;
pub mod admission;
pub mod cluster;
pub mod evaluate;
pub mod model;
pub mod network;
pub mod outcome;
pub mod reader;
pub mod simulate;
pub mod subject;

pub use evaluate::{Setup, evaluate};
pub use model::{Check, Expectation, Expectations};
pub use outcome::Outcome;
pub use reader::{ReadError, read, read_path};
