//! `policy/*`: a Gatekeeper constraint's violation.

use palisade_core::{Rule, Severity};

pub static CONSTRAINT_VIOLATION: Rule = palisade_core::rule! {
    /// One rule per constraint: findings carry the id
    /// `policy/<ConstraintKind>/<constraint name>`, so `--analyzers` and accept
    /// files can name one constraint (`policy/K8sRequiredLabels/must-have-owner`)
    /// or all of a kind (`policy/K8sContainerLimits/*`).
    ///
    /// ## What it flags
    /// An object that a Gatekeeper constraint (a ConstraintTemplate's Rego,
    /// evaluated as Gatekeeper evaluates it) reports a violation for. The
    /// message is the template's own `msg`.
    ///
    /// ## Why it matters
    /// These are the policies the cluster enforces at admission: a violation
    /// of a `deny` constraint is an apply that will be rejected, or, for
    /// objects already running, one that Gatekeeper's audit reports.
    ///
    /// ## Example
    /// With the library's `K8sContainerLimits` constraint loaded
    /// (`palisade scan --policies policies/ manifests/`):
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4
    ///   # no resources.limits: "container <app> has no resource limits"
    /// ```
    ///
    /// ## How to fix
    /// Change the object as the message says, or, if the object is a reviewed
    /// exception, exclude it in the constraint's `match` (namespaces,
    /// `excludedNamespaces`, `labelSelector`) as you would for Gatekeeper.
    id: "policy/*",
    title: "a Gatekeeper constraint reports a violation (id policy/<Kind>/<name>)",
    severity: Severity::High,
    severity_varies: "high for enforcementAction deny, medium for warn, low for dryrun",
    depends_on: &["--policies", "--policy-engine"],
};
