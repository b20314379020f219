//! Kubernetes CEL for Palisade, evaluated offline the way the API server and
//! OPA Gatekeeper evaluate it.
//!
//! - [`env`]: the admission CEL environment. [`Expression::compile`] once
//!   (the result is `Send + Sync`), then evaluate in a [`Scope`] built from an
//!   [`Activation`] (`object`, `oldObject`, `request`, `params`,
//!   `namespaceObject`) with composited `variables` bound in order.
//! - [`vap`]: ValidatingAdmissionPolicy and its bindings: parse
//!   ([`vap::Policy::parse`], [`vap::Binding::parse`]), then
//!   [`vap::evaluate`] one pair or [`vap::review`] all of them for an
//!   [`vap::AdmissionRequest`], with params and Namespaces from a
//!   [`vap::ObjectSource`].
//! - [`gatekeeper`]: ConstraintTemplates' `K8sNativeValidation` code:
//!   [`gatekeeper::evaluate`] gives the violations Gatekeeper's k8scel
//!   driver reports; [`gatekeeper::template_to_policy`] and
//!   [`gatekeeper::constraint_to_binding`] give the policy and binding
//!   Gatekeeper generates, to run through [`vap`].
//!
//! ```
//! use palisade_cel::gatekeeper::{self, NativeSource};
//! use palisade_core::Node;
//! use serde_json::json;
//!
//! let template = Node::from_json(&json!({
//!     "metadata": {"name": "k8smaxreplicas"},
//!     "spec": {
//!         "crd": {"spec": {"names": {"kind": "K8sMaxReplicas"}}},
//!         "targets": [{"code": [{"engine": "K8sNativeValidation", "source": {
//!             "validations": [{
//!                 "expression": "variables.anyObject.spec.replicas <= variables.params.max",
//!                 "messageExpression": "'at most ' + string(variables.params.max)"
//!             }]
//!         }}]}]
//!     }
//! }));
//! let source = NativeSource::from_template(&template).unwrap().unwrap();
//! let review = json!({"operation": "CREATE",
//!                     "object": {"kind": "Deployment", "spec": {"replicas": 5}}});
//! let constraint = json!({"kind": "K8sMaxReplicas", "spec": {"parameters": {"max": 3}}});
//! assert_eq!(gatekeeper::evaluate(&source, &review, &constraint, None), ["at most 3"]);
//! ```
//!
//! What differs from the API server is listed in [`env`] (no type checking,
//! no cost budget, no `authorizer`) and [`compat`] (where `cel` 0.15 is
//! corrected to cel-go's behaviour).

pub mod compat;
pub mod convert;
pub mod env;
pub mod gatekeeper;
pub mod kube_lib;
pub mod vap;

pub use env::{Activation, CompileError, EvalError, Expression, Scope, Variable};
