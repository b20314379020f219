//! Schema and type validation: what the API server's decoding and kubectl's
//! strict field validation refuse, found offline.
//!
//! A value of the wrong type (`privileged: "true"`), a misspelled field
//! (`runAsNonroot`), a missing required field or an unreadable value
//! (`cpu: 2 cores`) makes the API server refuse the object, and makes every
//! tool that reads the manifest without decoding it see the control as absent.
//! The `schema` analyzer reports them:
//!
//! - built-in kinds against the Kubernetes OpenAPI schema of a chosen version
//!   ([`builtin`]: v1.25 to v1.37 embedded, compressed);
//! - custom resources against the `openAPIV3Schema` of their CRD when the CRD
//!   is in the input ([`crd`]);
//! - both through one pre-indexed schema model ([`shape`]) and one walk per
//!   object ([`validate`]), with Go's decoding semantics.

pub mod analyzer;
pub mod builtin;
pub mod crd;
mod formats;
mod rules;
mod security;
pub mod shape;
pub mod validate;

pub use analyzer::{SchemaValidation, VERSION_OPTION};
pub use validate::{Issue, IssueKind};
