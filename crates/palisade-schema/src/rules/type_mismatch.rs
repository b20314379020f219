//! `schema/type-mismatch`: a value whose JSON type the field does not take.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// Checked against the Kubernetes OpenAPI schema of `--k8s-version` for
    /// built-in kinds, and against the CRD's `openAPIV3Schema` for custom
    /// resources whose CRD is in the input.
    ///
    /// ## What it flags
    /// A value of the wrong JSON type for its field, as the API server's
    /// decoding reads it: a quoted `"true"` where a boolean goes, a number
    /// where a string goes (`name: 123`, `version: 1.10`), a mapping where a
    /// list goes (`containers: {...}`), a fraction where an integer goes. A
    /// `null` is never flagged: it means the field is absent.
    ///
    /// ## Why it matters
    /// The API server refuses the object (`cannot unmarshal string into Go
    /// struct field ... of type bool`), so it never runs as written; and tools
    /// that read the manifest without decoding it treat the value as absent:
    /// Pod Security checks read `privileged: "true"` as not privileged. Under a
    /// security control the finding is high.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: "true"
    /// ```
    ///
    /// ## How to fix
    /// Write the value with the field's type: `privileged: true`; quote
    /// strings that YAML would read as numbers or booleans (`version: "1.10"`).
    id: "schema/type-mismatch",
    title: "a field's value has the wrong type",
    severity: Severity::Medium,
    severity_varies: super::SEVERITY_VARIES,
    depends_on: &["k8s-version"],
};
