//! `vap/load-error`: a policy or binding that cannot be enforced.

use palisade_core::{Rule, Severity};

pub static VAP_LOAD_ERROR: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A ValidatingAdmissionPolicy or binding the API server would refuse
    /// (an expression that does not compile, a missing required field, Deny
    /// together with Warn), and a binding that names no policy in the input.
    ///
    /// ## Why it matters
    /// A policy that does not load enforces nothing, and nothing else says so.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   validations:
    ///   - expression: "object.spec.replicas <="    # does not compile
    /// ```
    ///
    /// ## How to fix
    /// Correct the policy or binding as the message says.
    id: "vap/load-error",
    title: "a ValidatingAdmissionPolicy or binding cannot be enforced",
    severity: Severity::High,
    depends_on: &["--policies"],
};
