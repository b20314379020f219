//! `schema/required-missing`: a field the schema's `required` list names is absent.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// Checked against the `required` lists of the Kubernetes OpenAPI schema of
    /// `--k8s-version`, and of the CRD's `openAPIV3Schema` for custom resources.
    ///
    /// ## What it flags
    /// A mapping without a field its schema requires (absent or `null`): a
    /// container without `name`, a pod spec without `containers`, a
    /// RoleBinding without `roleRef`. Only the OpenAPI `required` lists count:
    /// fields that only the API server's validation requires (a container's
    /// `image`) are not reported here.
    ///
    /// ## Why it matters
    /// The API server refuses the object, so what the manifest describes never
    /// runs; the manifest is usually an incomplete fragment or a mis-indented
    /// block whose fields landed elsewhere.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## How to fix
    /// Add the field (`name: app`), or fix the indentation that moved it.
    id: "schema/required-missing",
    title: "a required field is missing",
    severity: Severity::Medium,
    severity_varies: super::SEVERITY_VARIES,
    depends_on: &["k8s-version"],
};
