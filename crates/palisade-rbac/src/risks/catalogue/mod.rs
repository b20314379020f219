//! The risk catalogue (RISKS.md §A) as rules decided from a subject's
//! capabilities in one scope. Ids are the catalogue ids in kebab case:
//! `RBAC-ESC-BIND` is `rbac/esc-bind`.
//!
//! One file per family of the catalogue; each declares its rules with their
//! documentation ([`palisade_core::rule!`]) beside the check that decides them,
//! and [`FAMILIES`] lists every family's rules once.

pub mod admin;
pub mod admission;
pub mod broad_subjects;
pub mod destruction;
pub mod escalation;
pub mod execution;
pub mod hygiene;
pub mod impersonation;
pub mod infrastructure;
pub mod secrets;
pub mod workloads;

use std::ops::Deref;

use palisade_core::{Rule, Severity};

use super::probes::{Cap, PROBES};
use super::{CapGrant, ScopeCaps};
use crate::matching::verb_matches;
use crate::policy::{Grant, Policy};

/// A catalogue rule: the shared [`Rule`] and the RISKS.md id it implements.
#[derive(Debug)]
pub struct RiskRule {
    /// The RISKS.md id, e.g. `RBAC-ESC-BIND`, quoted in messages.
    pub catalogue_id: &'static str,
    pub rule: Rule,
}

impl Deref for RiskRule {
    type Target = Rule;

    fn deref(&self) -> &Rule {
        &self.rule
    }
}

/// Every family's rules, in catalogue order; escalation paths and RBAC object
/// validation declare theirs beside their code (`paths`, `crate::validate`).
pub static FAMILIES: &[&[&RiskRule]] = &[
    admin::RULES,
    escalation::RULES,
    impersonation::RULES,
    workloads::RULES,
    execution::RULES,
    secrets::RULES,
    admission::RULES,
    infrastructure::RULES,
    destruction::RULES,
    broad_subjects::RULES,
    hygiene::RULES,
];

/// One catalogue match for a subject in a scope.
#[derive(Clone, Debug)]
pub struct RiskHit {
    pub rule: &'static RiskRule,
    pub severity: Severity,
    /// What the subject can do, e.g. "can create pods".
    pub what: String,
    pub grants: Vec<Grant>,
}

/// Is the scope privileged (cluster-wide, or a configured privileged namespace)?
pub struct ScopeInfo<'a> {
    pub cluster: bool,
    pub namespace: &'a str,
    pub privileged: bool,
}

/// What a family's check reads (one subject's capabilities in one scope) and
/// where it puts its hits.
pub(crate) struct Cx<'a> {
    policy: &'a Policy,
    scope: &'a ScopeInfo<'a>,
    caps: &'a ScopeCaps,
    out: Vec<RiskHit>,
}

impl Cx<'_> {
    /// The capability, however it is granted.
    fn cap(&self, c: Cap) -> Option<CapGrant> {
        self.caps.caps[c as usize]
    }

    /// The capability, only when it is not limited to named objects.
    fn free(&self, c: Cap) -> Option<CapGrant> {
        self.cap(c).filter(|h| !h.restricted)
    }

    fn probe_text(&self, hit: &CapGrant) -> String {
        probe_text(self.policy, hit)
    }

    fn push(
        &mut self,
        rule: &'static RiskRule,
        severity: Severity,
        what: String,
        hits: &[CapGrant],
    ) {
        self.out.push(RiskHit {
            rule,
            severity,
            what,
            grants: hits.iter().map(|h| h.grant).collect(),
        });
    }
}

/// A whole-rule grant (a wildcard shape rather than one probe), as a hit.
fn whole(grant: Grant) -> CapGrant {
    CapGrant {
        grant,
        probe: 0,
        restricted: false,
    }
}

/// `verb[/verb] resource[/sub][.group]`, naming only the probe verbs the rule grants.
fn probe_text(policy: &Policy, hit: &CapGrant) -> String {
    let p = &PROBES[hit.probe];
    let rule = policy.rule(&hit.grant);
    let verbs: Vec<&str> = p
        .verbs
        .iter()
        .copied()
        .filter(|v| verb_matches(rule, v))
        .collect();
    let group = if p.group.is_empty() {
        String::new()
    } else {
        format!(".{}", p.group)
    };
    let sub = if p.sub.is_empty() {
        String::new()
    } else {
        format!("/{}", p.sub)
    };
    let restricted = if hit.restricted {
        " (named objects only)"
    } else {
        ""
    };
    format!("{} {}{sub}{group}{restricted}", verbs.join("/"), p.resource)
}

/// Decides every single-scope catalogue rule, family by family.
pub fn evaluate(policy: &Policy, scope: &ScopeInfo<'_>, caps: &ScopeCaps) -> Vec<RiskHit> {
    let mut cx = Cx {
        policy,
        scope,
        caps,
        out: Vec::new(),
    };
    // Full control makes the narrower findings of every other family redundant.
    if admin::evaluate(&mut cx) {
        return cx.out;
    }
    escalation::evaluate(&mut cx);
    impersonation::evaluate(&mut cx);
    workloads::evaluate(&mut cx);
    execution::evaluate(&mut cx);
    secrets::evaluate(&mut cx);
    admission::evaluate(&mut cx);
    infrastructure::evaluate(&mut cx);
    destruction::evaluate(&mut cx);
    cx.out
}

/// One severity step up (capped at critical).
pub fn up(severity: Severity) -> Severity {
    match severity {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

/// Rules of sections A.1 to A.7, the "sensitive" grants RBAC-ANON-BINDING and
/// RBAC-BROAD-GROUP look for.
pub fn is_sensitive(rule: &RiskRule) -> bool {
    let id = rule.catalogue_id;
    [
        "RBAC-ADMIN-",
        "RBAC-ESC-",
        "RBAC-IMP-",
        "RBAC-WL-",
        "RBAC-EXEC-",
        "RBAC-NODE-PROXY",
        "RBAC-SEC-",
        "RBAC-CLOUD-",
        "RBAC-ADM-",
        "RBAC-CRD-",
        "RBAC-CSR-",
    ]
    .iter()
    .any(|prefix| id.starts_with(prefix))
        && rule.catalogue_id != "RBAC-HYG-WILDCARD"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_the_catalogue_ids_in_kebab_case() {
        for rule in FAMILIES.iter().flat_map(|family| family.iter()) {
            let name = rule.catalogue_id.trim_start_matches("RBAC-").to_lowercase();
            assert_eq!(rule.id, format!("rbac/{name}"), "{}", rule.catalogue_id);
            assert!(rule.docs().is_complete(), "{} is documented", rule.id);
        }
        let count: usize = FAMILIES.iter().map(|family| family.len()).sum();
        assert_eq!(
            count, 39,
            "every catalogue rule but RBAC-PATH is in a family"
        );
    }
}
