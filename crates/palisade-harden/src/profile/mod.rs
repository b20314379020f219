//! The hardening profile: its serde model, its reading with positions, and
//! the checks that make it a [`Profile`] the generators can trust.

mod accepted;
mod model;
mod policy_names;
mod read;
mod reserved;
mod resources;
mod text;
mod types;
mod validate;

pub use policy_names::{DEFAULT_DENY, DNS_EGRESS};
pub use read::{ProfileError, read_profile};
pub use resources::KNOWN_VERBS;
pub use types::*;
pub use validate::{API_VERSION, DEFAULT_EXCLUDED, INGRESS_CONTROLLER, KIND};
