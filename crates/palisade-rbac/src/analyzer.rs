//! RBAC risks as an [`Analyzer`]: the `rbac` rules (catalogue, escalation paths,
//! validation). It builds its own [`Policy`] from the inventory.

use palisade_core::{Analyzer, Finding, Inventory, Options, Rule};

use crate::policy::Policy;
use crate::risks::{RiskOptions, analyze};

/// `true` to also report `system:` identities and kube-system ServiceAccounts.
pub const INCLUDE_SYSTEM_OPTION: &str = "include-system";
/// Namespaces whose grants count as privileged (repeatable; default kube-system).
pub const PRIVILEGED_NAMESPACE_OPTION: &str = "privileged-namespace";

/// Risky permissions, escalation paths, and bindings that grant nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct RbacRisks;

impl RbacRisks {
    /// The risk analysis settings the options name.
    pub fn risk_options(options: &Options) -> RiskOptions {
        let mut risk = RiskOptions {
            include_system: options.flag(INCLUDE_SYSTEM_OPTION),
            ..RiskOptions::default()
        };
        let privileged = options.get_all(PRIVILEGED_NAMESPACE_OPTION);
        if !privileged.is_empty() {
            risk.privileged_namespaces = privileged.to_vec();
        }
        risk
    }
}

impl Analyzer for RbacRisks {
    fn name(&self) -> &'static str {
        "rbac"
    }

    fn description(&self) -> &'static str {
        "RBAC: risky permissions, escalation paths, and bindings and rules that grant nothing"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        crate::risks::rules()
    }

    fn analyze(&self, inventory: &Inventory, options: &Options) -> Vec<Finding> {
        analyze(
            &Policy::from_inventory(inventory),
            &RbacRisks::risk_options(options),
        )
    }
}
