//! `vap/*`: a ValidatingAdmissionPolicy's failed validation.

use palisade_core::{Rule, Severity};

pub static VAP_VIOLATION: Rule = palisade_core::rule! {
    /// One rule per policy and binding: findings carry the id
    /// `vap/<policy>/<binding>`, so `--analyzers` and accept files can name
    /// one binding or every binding of a policy (`vap/require-limits/*`).
    ///
    /// ## What it flags
    /// An object that a ValidatingAdmissionPolicy, through one of its
    /// bindings, would refuse or warn about at admission: a failed
    /// validation's message (its `messageExpression`, `message`, or
    /// `failed expression: …`), and a binding that refuses every request
    /// (its params are missing under `parameterNotFoundAction: Deny`).
    ///
    /// ## Why it matters
    /// ValidatingAdmissionPolicy runs inside the API server, with no webhook:
    /// a manifest that fails it is refused on apply, and CI is the place to
    /// learn that.
    ///
    /// ## Example
    /// With a policy whose validation is
    /// `object.spec.template.spec.containers.all(c, has(c.resources.limits))`
    /// bound with `validationActions: [Deny]`:
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4   # no resources.limits
    /// ```
    ///
    /// ## How to fix
    /// Change the object as the message says, or narrow the binding's
    /// `matchResources` if the object is a reviewed exception.
    id: "vap/*",
    title: "a ValidatingAdmissionPolicy refuses or warns about the object (id vap/<policy>/<binding>)",
    severity: Severity::High,
    severity_varies: "high for Deny, medium for Warn, low for Audit only",
    depends_on: &["--policies"],
};
