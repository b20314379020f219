//! `kyverno/load-error`: a Kyverno policy that cannot be enforced.

use palisade_core::{Rule, Severity};

pub static KYVERNO_LOAD_ERROR: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A ClusterPolicy, Policy, ValidatingPolicy or PolicyException that
    /// Palisade cannot read (a rule without a check, a CEL expression that
    /// does not compile, a malformed match block), and a rule Palisade does
    /// not run (mutate, generate, verifyImages, `validate.manifests`).
    ///
    /// ## Why it matters
    /// A policy that does not load enforces nothing here, and nothing else
    /// says so.
    ///
    /// ## Example
    /// ```yaml
    /// validate:
    ///   cel:
    ///     expressions:
    ///     - expression: "object.spec.replicas <="    # does not compile
    /// ```
    ///
    /// ## How to fix
    /// Correct the policy as the message says.
    id: "kyverno/load-error",
    title: "a Kyverno policy cannot be enforced by Palisade",
    severity: Severity::High,
    depends_on: &["--policies"],
};
