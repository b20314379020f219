//! Palisade's RBAC engine: Kubernetes authorization decided offline, exactly as
//! the API server's RBAC authorizer decides it.
//!
//! It owns the typed RBAC model read from `palisade_core::Object`s, ClusterRole
//! aggregation, the authorizer with its reasons (`can-i`), `who-can`, effective
//! rules (`can-i --list`), access matrices, the escalation checks on RBAC writes,
//! legacy impersonation, validation findings and the risk analysis. It is pure:
//! no I/O, no printing, no global state. Semantics follow the conformance kit's
//! SPEC.md; section numbers (§) in comments refer to it.
//!
//! Entry point: [`Policy::from_inventory`], then query methods on [`Policy`] and
//! [`risks::analyze`].

pub mod aggregation;
pub mod analyzer;
pub mod authorize;
pub mod bootstrap;
pub mod discovery;
pub mod escalation;
pub mod identity;
pub mod impersonation;
pub mod matching;
pub mod matrix;
pub mod model;
pub mod policy;
pub mod request;
pub mod risks;
pub mod validate;
pub mod who_can;

pub use analyzer::RbacRisks;
pub use authorize::{Decision, HeldRule, HeldRuleView, Reason};
pub use bootstrap::{bootstrap_objects, bootstrap_roles};
pub use discovery::{Discovery, ResolvedType, UnknownType};
pub use escalation::{AdmitDecision, AdmitReason, Operation};
pub use identity::UserInfo;
pub use impersonation::{ImpersonationDenied, ImpersonationTarget};
pub use matrix::{MatrixAnswer, MatrixRow};
pub use model::{
    BindingDef, BindingKind, PolicyRule, RoleDef, RoleKind, Subject, SubjectKind, SubjectRef,
};
pub use policy::{BindingId, Defaults, Grant, Policy, RoleId};
pub use request::{NON_RESOURCE_VERBS, RESOURCE_VERBS, Request, ResourceAttributes};
pub use risks::{RiskOptions, analyze};
pub use who_can::{ViaView, WhoCanEntry};
