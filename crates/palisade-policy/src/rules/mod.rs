//! The rules of the `policy` (Gatekeeper) and `vap` analyzers: for each, one
//! family of violations and one rule for policies that could not be loaded.

mod constraint_violation;
mod load_error;
mod vap_load_error;
mod vap_violation;

pub use constraint_violation::CONSTRAINT_VIOLATION;
pub use load_error::LOAD_ERROR;
pub use vap_load_error::VAP_LOAD_ERROR;
pub use vap_violation::VAP_VIOLATION;
