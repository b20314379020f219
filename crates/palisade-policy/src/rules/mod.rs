//! The rules of the `policy` analyzer: one family for constraint violations,
//! one for policies that could not be loaded.

mod constraint_violation;
mod load_error;

pub use constraint_violation::CONSTRAINT_VIOLATION;
pub use load_error::LOAD_ERROR;
