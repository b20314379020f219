//! `schema/unknown-field`: a member no field of the schema declares.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// Checked against the Kubernetes OpenAPI schema of `--k8s-version` for
    /// built-in kinds, and against the CRD's `openAPIV3Schema` for custom
    /// resources whose CRD is in the input (honouring
    /// `x-kubernetes-preserve-unknown-fields`).
    ///
    /// ## What it flags
    /// A field the schema does not declare at that place, as kubectl's default
    /// strict field validation (`--validate=strict`) reports it:
    /// `unknown field "spec.containers[0].securityContext.runAsNonroot"`.
    /// Field names are case-sensitive.
    ///
    /// ## Why it matters
    /// kubectl refuses the object; with validation turned off the API server
    /// drops the field silently. A misspelled control is then simply not set:
    /// `runAsNonroot: true` leaves the container free to run as root. Under a
    /// security control, or when the unknown name resembles one, the finding
    /// is high.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsNonroot: true
    /// ```
    ///
    /// ## How to fix
    /// Spell the field as the API declares it (`runAsNonRoot`), or move it to
    /// the level where it belongs (`kubectl explain` shows the schema).
    id: "schema/unknown-field",
    title: "a field the schema does not declare",
    severity: Severity::Medium,
    severity_varies: super::SEVERITY_VARIES,
    depends_on: &["k8s-version"],
};
