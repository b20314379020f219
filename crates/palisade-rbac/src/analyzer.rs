//! RBAC risks as an [`Analyzer`]: the `rbac` rules (catalogue, escalation paths,
//! validation). It builds its own [`Policy`] from the inventory.

use palisade_core::{Analyzer, Finding, Inventory, Options, Rule};

use crate::policy::{Defaults, Policy};
use crate::risks::{RiskOptions, analyze_with_workloads};

/// `true` to also report `system:` identities and kube-system ServiceAccounts.
pub const INCLUDE_SYSTEM_OPTION: &str = "include-system";
/// Namespaces whose grants count as privileged (repeatable; default kube-system).
pub const PRIVILEGED_NAMESPACE_OPTION: &str = "privileged-namespace";
/// Which of the API server's default RBAC objects join the input: `roles` (the
/// default: bindings to `cluster-admin`, `edit`, ... grant what they grant in a
/// cluster), `none`, or `all` (roles and their bindings).
pub const DEFAULTS_OPTION: &str = "rbac-defaults";

/// Risky permissions, escalation paths, and bindings that grant nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct RbacRisks;

impl RbacRisks {
    /// The defaults the options ask for.
    pub fn defaults(options: &Options) -> Result<Defaults, String> {
        match options.get(DEFAULTS_OPTION) {
            None | Some("roles") => Ok(Defaults::Roles),
            Some("none") => Ok(Defaults::None),
            Some("all") => Ok(Defaults::RolesAndBindings),
            Some(other) => Err(format!(
                "{DEFAULTS_OPTION}: {other:?} is not one of roles, none, all"
            )),
        }
    }

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

    fn check_options(&self, options: &Options) -> Result<(), String> {
        RbacRisks::defaults(options).map(|_| ())
    }

    fn analyze(&self, inventory: &Inventory, options: &Options) -> Vec<Finding> {
        // Options were checked; an unchecked bad value falls back to the default.
        let defaults = RbacRisks::defaults(options).unwrap_or_default();
        analyze_with_workloads(
            &Policy::with_defaults(inventory, defaults),
            &RbacRisks::risk_options(options),
            Some(inventory),
        )
    }
}
