//! The best-practice and secrets catalogue: what users choose a scanner for
//! beyond the Pod Security Standards (which `palisade-pss` serves).
//!
//! The checks come from the merged catalogue of nine peer scanners
//! (`../shared/research/scanners.md`, groups B–G) and are grouped into one
//! analyzer per rule-id prefix:
//!
//! - `workload/`: hardening beyond PSS (read-only root filesystem, token
//!   automount, default service account, ...), group B;
//! - `secrets/`: Secrets consumed through the environment, hard-coded
//!   credentials, committed Secret data, group C;
//! - `resources/`: requests and limits, images, probes and availability, group D;
//! - `exposure/`: Services, Ingresses and ports, group E (NetworkPolicy
//!   coverage lives in `palisade-netpol`'s lint, RBAC in `palisade-rbac`);
//! - `hygiene/`: API versions, namespaces, selectors and metadata, group G.
//!
//! One file per check, each declaring its rules (with the documentation in the
//! fixed shape) beside the function that decides them, and one line per file in
//! its group's `checks!` list. Every check reads the [`Inventory`] only; the
//! shared walking of pod templates and containers is in [`context`].

pub mod context;
mod group;
#[cfg(test)]
mod testing;

pub mod exposure;
pub mod hygiene;
pub mod resources;
pub mod secrets;
pub mod workload;

pub use context::{Container, ContainerKind, Context};
pub use group::{Check, Group};

/// Every group of the catalogue, in the order `palisade rules` lists them.
pub const GROUPS: [Group; 5] = [
    workload::GROUP,
    secrets::GROUP,
    resources::GROUP,
    exposure::GROUP,
    hygiene::GROUP,
];
