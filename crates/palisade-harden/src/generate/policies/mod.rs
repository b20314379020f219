//! `policies/`: the profile's admission policies in the engine the cluster
//! runs. Each engine writes one file per policy (its template or definition
//! and its binding together) and names what will reject a non-compliant pod,
//! for the expectations.

mod gatekeeper;
mod kyverno;
mod vap;

use crate::PolicyEngine;
use crate::profile::{PolicyScope, Profile};
use crate::yaml::Doc;

/// The two policies a profile can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    RunAsNonRoot,
    RequireLimits,
}

/// One policy written for an engine.
pub struct PolicyFile {
    pub kind: Kind,
    /// The file name inside `policies/`.
    pub file: String,
    pub docs: Vec<Doc>,
    /// What the admission decision names when this policy rejects: the
    /// constraint, the Kyverno policy, or the VAP binding.
    pub rejected_by: String,
    pub scope: PolicyScope,
}

pub fn files(profile: &Profile, engine: PolicyEngine) -> Vec<PolicyFile> {
    let wanted = [
        (Kind::RunAsNonRoot, &profile.policies.run_as_non_root),
        (Kind::RequireLimits, &profile.policies.require_limits),
    ];
    wanted
        .into_iter()
        .filter_map(|(kind, scope)| scope.as_ref().map(|scope| (kind, scope)))
        .map(|(kind, scope)| match engine {
            PolicyEngine::Gatekeeper => gatekeeper::file(kind, scope),
            PolicyEngine::Kyverno => kyverno::file(kind, scope),
            PolicyEngine::Vap => vap::file(kind, scope),
        })
        .collect()
}

/// The policy's object name, the same in every engine.
pub fn policy_name(kind: Kind) -> &'static str {
    match kind {
        Kind::RunAsNonRoot => "run-as-non-root",
        Kind::RequireLimits => "require-limits",
    }
}

/// Where a policy applies, in words, for comments.
pub fn describe_scope(scope: &PolicyScope) -> String {
    match scope {
        PolicyScope::All { excluded } if excluded.is_empty() => "every namespace".to_owned(),
        PolicyScope::All { excluded } => {
            format!("every namespace but {}", excluded.join(", "))
        }
        PolicyScope::Namespaces(names) => format!("namespaces {}", names.join(", ")),
    }
}
