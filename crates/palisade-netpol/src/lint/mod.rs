//! Lint: what matters in practice about a cluster's network policies.
//!
//! One file per rule (the two default-deny directions share one), each declaring
//! its [`Rule`] with documentation beside the check that emits it, and one line
//! per file in [`LINTS`]. Findings carry the rule's id and severity, the file and
//! line of the object or rule at fault, and a remediation.

mod egress_deny_without_dns;
mod invalid_policy;
mod ipblock_except_outside_cidr;
mod missing_default_deny;
mod named_port_unresolved;
mod peer_matches_nothing;
mod policy_selects_nothing;
mod rule_shadowed;

use palisade_core::{Finding, Rule};

use crate::engine::Engine;

/// A lint check and the rules it emits.
pub struct Lint {
    pub rules: &'static [&'static Rule],
    check: fn(&Engine, &mut Vec<Finding>),
}

/// Every lint check, in the order findings come out.
pub static LINTS: &[Lint] = &[
    Lint {
        rules: &[&invalid_policy::RULE],
        check: invalid_policy::check,
    },
    Lint {
        rules: &[
            &missing_default_deny::INGRESS,
            &missing_default_deny::EGRESS,
        ],
        check: missing_default_deny::check,
    },
    Lint {
        rules: &[&egress_deny_without_dns::RULE],
        check: egress_deny_without_dns::check,
    },
    Lint {
        rules: &[&policy_selects_nothing::RULE],
        check: policy_selects_nothing::check,
    },
    Lint {
        rules: &[&peer_matches_nothing::RULE],
        check: peer_matches_nothing::check,
    },
    Lint {
        rules: &[&named_port_unresolved::RULE],
        check: named_port_unresolved::check,
    },
    Lint {
        rules: &[&ipblock_except_outside_cidr::RULE],
        check: ipblock_except_outside_cidr::check,
    },
    Lint {
        rules: &[&rule_shadowed::RULE],
        check: rule_shadowed::check,
    },
];

/// Every rule lint can emit.
pub fn rules() -> Vec<&'static Rule> {
    LINTS
        .iter()
        .flat_map(|lint| lint.rules.iter().copied())
        .collect()
}

/// Runs every check. Findings come in a stable order: by check, then by object
/// order in the input.
pub fn lint(engine: &Engine) -> Vec<Finding> {
    let mut out = Vec::new();
    for lint in LINTS {
        (lint.check)(engine, &mut out);
    }
    out
}
