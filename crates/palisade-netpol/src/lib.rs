//! NetworkPolicy analysis: who can reach whom, why, and what is unprotected.
//!
//! Pure library: it reads an [`palisade_core::Inventory`], builds a [`Model`]
//! (workloads named as np-guard names them, namespaces with their automatic
//! name label, compiled NetworkPolicies and admin tiers), and answers:
//! * [`connlist`]: every allowed connection (np-guard conventions, see
//!   [`connlist`] module docs);
//! * [`reach`]: one query between two endpoints with an explanation;
//! * [`ingress`]: the ingress controller as a peer (Ingress and Route objects
//!   through their Services to workloads, then the policies), as np-guard
//!   models it;
//! * [`lint`]: findings about missing isolation and ineffective rules, also
//!   run by `scan` through the [`NetworkPolicyLint`] analyzer.
//!
//! It does no I/O and prints nothing; `palisade-report` writes its results.

pub mod admin;
mod analyzer;
pub mod conn;
pub mod connlist;
pub mod engine;
pub mod ingress;
pub mod ip;
pub mod lint;
pub mod model;
pub mod policy;
pub mod reach;
mod workloads;

pub use analyzer::NetworkPolicyLint;
pub use conn::{ConnSet, PortSet, Protocol};
pub use connlist::{ConnRecord, Connectivity};
pub use engine::{DirectionVerdict, Engine, Peer, StandIn, Step, Tier};
pub use ingress::{Controller, ControllerSpec};
pub use lint::lint;
pub use model::{Direction, Model, Workload};
pub use reach::{Endpoint, ReachAnswer, RoutesToward, reach, reach_with};

/// Builds the model and engine and returns every allowed connection, sorted
/// as np-guard's text output.
pub fn connlist(inventory: &palisade_core::Inventory) -> Vec<ConnRecord> {
    let model = Model::from_inventory(inventory);
    let engine = Engine::new(&model);
    Connectivity::compute(&engine).records()
}

/// [`connlist`] with the ingress controller named (see [`Controller`]).
pub fn connlist_with(
    inventory: &palisade_core::Inventory,
    controller: Option<&ControllerSpec>,
) -> Vec<ConnRecord> {
    let model = Model::from_inventory(inventory);
    let engine = Engine::new(&model);
    let controller = match controller {
        Some(spec) => spec.controller(&model),
        None => Controller::Abstract,
    };
    Connectivity::compute(&engine).records_with(&controller)
}
