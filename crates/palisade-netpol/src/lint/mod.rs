//! Lint: what matters in practice about a cluster's network policies.
//!
//! One file per rule (the two default-deny directions share one), each declaring
//! its [`Rule`] with documentation beside the check that emits it, and one line
//! per file in the `lints!` list below. Findings carry the rule's id and
//! severity, the file and line of the object or rule at fault, and a remediation.

use palisade_core::{Finding, Rule};

use crate::engine::Engine;

/// A lint check and the rules it emits.
pub struct Lint {
    pub rules: &'static [&'static Rule],
    check: fn(&Engine, &mut Vec<Finding>),
}

/// Declares each check module and lists it in [`LINTS`]: a module exports its
/// `RULES` and its `check`, and one line here registers both.
macro_rules! lints {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every lint check, in the order findings come out.
        pub static LINTS: &[Lint] = &[$(Lint { rules: $module::RULES, check: $module::check }),*];
    };
}

lints! {
    invalid_policy,
    missing_default_deny,
    workload_not_isolated,
    allow_all,
    egress_deny_without_dns,
    policy_selects_nothing,
    peer_matches_nothing,
    named_port_unresolved,
    ipblock_host_bits,
    rule_shadowed,
}

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
