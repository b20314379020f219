//! `suppress/not-allowed`.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A suppression annotation for a rule that strict mode (`--strict`, or
    /// `strict:` in `.palisade.yaml`) does not let annotations suppress. The
    /// annotation is ignored and the findings it names are reported.
    ///
    /// ## Why it matters
    /// Strict mode keeps the decision to accept a risk with whoever owns the
    /// scanner configuration, not with whoever edits the manifest; an ignored
    /// annotation is reported so that its author learns it has no effect.
    ///
    /// ## Example
    /// ```yaml
    /// # .palisade.yaml: strict: [pss/*]
    /// metadata:
    ///   annotations:
    ///     ignore.palisade.dev/pss.privileged: "needs the GPU"
    /// ```
    ///
    /// ## How to fix
    /// Remove the annotation and, if the risk is accepted, add an exemption
    /// with a reason to `.palisade.yaml` (or a baseline entry).
    id: "suppress/not-allowed",
    title: "strict mode ignores this suppression annotation",
    severity: Severity::Medium,
};
