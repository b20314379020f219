//! `schema/invalid-value`: a value of the right type that its field cannot hold.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// Checked against the Kubernetes OpenAPI schema of `--k8s-version` for
    /// built-in kinds, and against the CRD's `openAPIV3Schema` for custom
    /// resources whose CRD is in the input.
    ///
    /// ## What it flags
    /// A value that decoding refuses although its JSON type fits: a quantity
    /// that is not in quantity syntax (`cpu: 2 cores`), an integer out of range
    /// for an `int32` field or an int-or-string, `[]byte` data that is not
    /// base64 (a Secret's `data`), a time that is not RFC 3339, and, for
    /// custom resources, a value outside the field's `enum`.
    ///
    /// ## Why it matters
    /// The API server refuses the object (`quantities must match the regular
    /// expression ...`), so the limits, data or setting it carries never take
    /// effect.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   limits:
    ///     cpu: 2 cores
    /// ```
    ///
    /// ## How to fix
    /// Write the value in the field's format: `cpu: "2"`, `memory: 512Mi`,
    /// base64 for `data` (or use `stringData`), one of the enum's values.
    id: "schema/invalid-value",
    title: "a field's value is not in its format",
    severity: Severity::Medium,
    severity_varies: super::SEVERITY_VARIES,
    depends_on: &["k8s-version"],
};
