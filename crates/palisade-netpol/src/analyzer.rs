//! NetworkPolicy lint as an [`Analyzer`]: the `netpol` rules. It builds its own
//! [`Model`] and [`Engine`] from the inventory.

use palisade_core::{Analyzer, Finding, Inventory, Options, Rule};

use crate::engine::Engine;
use crate::model::Model;

/// Missing isolation and NetworkPolicy rules that do not do what they seem to.
#[derive(Clone, Copy, Debug, Default)]
pub struct NetworkPolicyLint;

impl Analyzer for NetworkPolicyLint {
    fn name(&self) -> &'static str {
        "netpol"
    }

    fn description(&self) -> &'static str {
        "NetworkPolicy lint: missing default-deny, policies and rules that match or allow nothing"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        crate::lint::rules()
    }

    fn analyze(&self, inventory: &Inventory, _options: &Options) -> Vec<Finding> {
        let model = Model::from_inventory_all_workloads(inventory);
        crate::lint::lint(&Engine::new(&model))
    }
}
