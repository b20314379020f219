//! OPA Gatekeeper policies, offline and in admission: ConstraintTemplates
//! (Rego through regorus), Constraints with Gatekeeper's `match`, the
//! `input.review` and `data.inventory` documents Gatekeeper builds, and
//! `gator verify` suites.

pub mod admission;
pub mod analyzer;
pub mod constraint;
pub mod evaluate;
pub mod go_sprintf;
pub mod inventory;
pub mod parameters;
pub mod policy_set;
pub mod rego;
pub mod rego_compat;
pub mod review;
pub mod rules;
pub mod suite;
pub mod template;
pub mod value;
pub mod vap;
pub mod vap_admission;
pub mod vap_analyzer;

pub use analyzer::GatekeeperPolicies;
pub use vap_analyzer::ValidatingAdmissionPolicies;
