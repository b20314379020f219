//! Kubernetes CEL for Palisade: the admission CEL environment ([`env`]),
//! ValidatingAdmissionPolicy offline evaluation ([`vap`]) and Gatekeeper's
//! `K8sNativeValidation` engine ([`gatekeeper`]).

pub mod compat;
pub mod convert;
pub mod env;
pub mod gatekeeper;
pub mod kube_lib;
pub mod vap;

pub use env::{Activation, CompileError, EvalError, Expression, Scope, Variable};
