//! The one registry of analyzers. `scan` runs what it selects from here, and
//! `rules`, `explain`, `--analyzers` and `--accept` read its rules. A new
//! analyzer is one line here.

use palisade_checks::GROUPS;
use palisade_core::{Analyzer, Registry, YamlNotes};
use palisade_kyverno::analyzer::KyvernoPolicies;
use palisade_netpol::NetworkPolicyLint;
use palisade_policy::{GatekeeperPolicies, ValidatingAdmissionPolicies};
use palisade_pss::PodSecurity;
use palisade_rbac::RbacRisks;
use palisade_schema::SchemaValidation;

/// Every analyzer, in the order `palisade rules` lists them.
pub fn registry() -> Registry {
    let mut analyzers: Vec<Box<dyn Analyzer>> = vec![Box::new(PodSecurity)];
    analyzers.extend(GROUPS.map(|group| Box::new(group) as Box<dyn Analyzer>));
    analyzers.extend([
        Box::new(NetworkPolicyLint) as Box<dyn Analyzer>,
        Box::new(RbacRisks),
        Box::new(GatekeeperPolicies),
        Box::new(ValidatingAdmissionPolicies),
        Box::new(KyvernoPolicies),
        Box::new(SchemaValidation),
        Box::new(YamlNotes),
        Box::new(palisade_suppress::SuppressionChecks),
    ]);
    Registry::new(analyzers)
}
