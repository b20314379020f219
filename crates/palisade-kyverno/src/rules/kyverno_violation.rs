//! `kyverno/*`: a Kyverno policy rule that fails for an object.

use palisade_core::{Rule, Severity};

pub static KYVERNO_VIOLATION: Rule = palisade_core::rule! {
    /// One rule per policy rule: findings carry the id
    /// `kyverno/<policy>/<rule>` (a ValidatingPolicy has no rules:
    /// `kyverno/<policy>/validate`), so `--analyzers` and accept files can
    /// name one rule or every rule of a policy (`kyverno/require-limits/*`).
    /// Rules generated for Pod controllers keep Kyverno's names
    /// (`autogen-<rule>`, `autogen-cronjob-<rule>`).
    ///
    /// ## What it flags
    /// An object that a Kyverno ClusterPolicy, Policy or ValidatingPolicy
    /// would refuse (failure action `Enforce`, validation action `Deny`) or
    /// report (`Audit`) on create, with Kyverno's message; and a rule that
    /// cannot be evaluated for the object (Kyverno's `error` result, for
    /// example a variable that names a missing field).
    ///
    /// ## Why it matters
    /// A manifest that fails an enforced policy is refused at apply time; an
    /// audited failure lands in the cluster's policy reports. CI is the place
    /// to learn either.
    ///
    /// ## Example
    /// With the library's `require-pod-requests-limits` policy:
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4   # no resources.limits.memory
    /// ```
    ///
    /// ## How to fix
    /// Change the object as the message says, or add a PolicyException for
    /// the rule and object when it is a reviewed exception.
    id: "kyverno/*",
    title: "a Kyverno policy rule refuses or reports the object (id kyverno/<policy>/<rule>)",
    severity: Severity::High,
    severity_varies: "the policy's policies.kyverno.io/severity annotation; else high for Enforce, medium for Audit",
    depends_on: &["--policies"],
};
