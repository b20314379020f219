//! The rules of the `kyverno` analyzer: one family of rule failures and one
//! rule for policies that could not be loaded.

mod kyverno_load_error;
mod kyverno_violation;

pub use kyverno_load_error::KYVERNO_LOAD_ERROR;
pub use kyverno_violation::KYVERNO_VIOLATION;
