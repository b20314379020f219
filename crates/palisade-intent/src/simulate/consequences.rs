//! The third layer of `simulate`, for objects that would be applied: what
//! changes. Connections between workloads (and external addresses and the
//! ingress controller) under the cluster's NetworkPolicies, compared before
//! and after; and for RBAC objects, the risk findings of `palisade rbac
//! risks` that appear.

use std::collections::BTreeSet;

use palisade_core::{Inventory, Object};
use palisade_netpol::{Connectivity, Controller, Engine, Model};
use palisade_rbac::{Policy, RiskOptions};
use serde::Serialize;

use super::Scenario;

/// What applying the object changes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Consequences {
    /// Connections allowed after and not before (`src => dst : conns`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_connections: Vec<String>,
    /// Connections allowed before and not after.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed_connections: Vec<String>,
    /// For a new workload with no connection at all: that it is isolated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isolated: Option<String>,
    /// Risk findings (`rule: message`) present after and not before.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_risks: Vec<String>,
}

/// The RBAC kinds whose writes can change who holds what.
const RBAC_KINDS: [&str; 4] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// Compares the cluster before and after applying `object`.
pub fn compute(
    scenario: &Scenario,
    before: &[Object],
    after: &[Object],
    object: &Object,
) -> Consequences {
    let inventory = |objects: &[Object]| {
        Inventory::new(objects.to_vec()).with_declared_namespaces(scenario.declared.to_vec())
    };
    let (before, after) = (inventory(before), inventory(after));
    let mut out = Consequences::default();
    if object.group() == "rbac.authorization.k8s.io" && RBAC_KINDS.contains(&object.kind()) {
        out.new_risks = new_risks(scenario, &before, &after);
        return out;
    }
    let (old, new) = (connections(&before), connections(&after));
    out.new_connections = new.difference(&old).cloned().collect();
    out.removed_connections = old.difference(&new).cloned().collect();
    let model = Model::from_inventory_all_workloads(&after);
    let ids: Vec<String> = model
        .workloads
        .iter()
        .filter(|w| {
            w.object.kind == object.kind()
                && w.object.name == object.name()
                && w.object.namespace.as_deref() == object.namespace()
        })
        .map(|w| w.id())
        .collect();
    if let Some(id) = ids.first()
        && !new.iter().any(|record| mentions(record, id))
    {
        out.isolated = Some(format!(
            "{id} is isolated: nothing may connect to it and it may connect to nothing"
        ));
    }
    out
}

/// Every allowed connection, as np-guard's lines (`src => dst : conns`).
fn connections(inventory: &Inventory) -> BTreeSet<String> {
    let model = Model::from_inventory_all_workloads(inventory);
    let engine = Engine::new(&model);
    Connectivity::compute(&engine)
        .records_with(&Controller::Abstract)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// Whether a connection line has `id` at either end.
fn mentions(record: &str, id: &str) -> bool {
    let ends = record.split(" : ").next().unwrap_or("");
    ends.split(" => ").any(|end| end == id)
}

/// Risk findings after the write that were not there before.
fn new_risks(scenario: &Scenario, before: &Inventory, after: &Inventory) -> Vec<String> {
    let options = RiskOptions::default();
    let key = |f: &palisade_core::Finding| format!("{}: {}", f.rule, f.message);
    let old: BTreeSet<String> =
        palisade_rbac::analyze(&Policy::with_defaults(before, scenario.defaults), &options)
            .iter()
            .map(key)
            .collect();
    palisade_rbac::analyze(&Policy::with_defaults(after, scenario.defaults), &options)
        .iter()
        .map(key)
        .filter(|k| !old.contains(k))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
