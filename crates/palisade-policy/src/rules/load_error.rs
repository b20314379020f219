//! `policy/load-error`: a template or constraint that cannot be enforced.

use palisade_core::{Rule, Severity};

pub static LOAD_ERROR: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A ConstraintTemplate that Gatekeeper would refuse (Rego that does not
    /// compile, an unknown function, a reference to `data` outside `data.lib`
    /// and `data.inventory`, a name that is not the lower-cased kind), and a
    /// Constraint that cannot be enforced (no template defines its kind, its
    /// parameters fail the template's schema, its match is malformed).
    ///
    /// ## Why it matters
    /// A policy that does not load enforces nothing, and nothing else says so:
    /// every object then passes it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: K8sContainerLimits
    /// spec:
    ///   parameters:
    ///     cpu: 200        # the template's schema says string: refused
    /// ```
    ///
    /// ## How to fix
    /// Correct the template or constraint as the message says.
    id: "policy/load-error",
    title: "a ConstraintTemplate or Constraint cannot be enforced",
    severity: Severity::High,
    depends_on: &["--policies", "--policy-engine"],
};
