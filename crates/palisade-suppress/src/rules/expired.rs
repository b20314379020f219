//! `suppress/expired`.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A suppression (annotation, `.palisade.yaml` exemption) whose expiry
    /// date has passed. It no longer suppresses anything: the findings it
    /// covered are reported again, and this finding points at the suppression.
    ///
    /// ## Why it matters
    /// Expiry dates turn a temporary exception into a reminder; without the
    /// report, the reappearing findings would not say why they came back.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     ignore.palisade.dev/pss.runAsNonRoot: "migration; expires=2024-01-31"
    /// ```
    ///
    /// ## How to fix
    /// Fix the findings and remove the suppression, or, after a new review,
    /// move the date.
    id: "suppress/expired",
    title: "a suppression has expired",
    severity: Severity::Low,
};
