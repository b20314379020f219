//! `suppress/unknown-rule`.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An `ignore.palisade.dev/<name>` annotation whose `<name>` is no rule id
    /// (with `/` written as `.`), no analyzer and no prefix of rule ids that
    /// `palisade rules` lists; or an annotation under `ignore.palisade.dev/`
    /// that does not follow the key grammar at all.
    ///
    /// ## Why it matters
    /// Annotations that silently do nothing are the most reported suppression
    /// bug among scanners: a typo leaves the finding in place while the author
    /// believes it handled.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     ignore.palisade.dev/pss.runAsNonroot: "image needs root"
    /// ```
    ///
    /// ## How to fix
    /// Write the rule id as `palisade rules` lists it with each `/` as `.`:
    /// `ignore.palisade.dev/pss.runAsNonRoot`.
    id: "suppress/unknown-rule",
    title: "a suppression annotation names no rule",
    severity: Severity::Medium,
};
