//! `suppress/missing-reason`.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An `ignore.palisade.dev/...` (or `container.ignore.palisade.dev/...`)
    /// annotation whose value gives no reason, or only an expiry date. The
    /// annotation suppresses nothing: the findings it names are reported.
    ///
    /// ## Why it matters
    /// A suppression without a reason is a silenced risk: nobody reviewing the
    /// manifest later can tell whether it was a decision or a shortcut.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     ignore.palisade.dev/pss.runAsNonRoot: ""
    /// ```
    ///
    /// ## How to fix
    /// Say why in the value, optionally with an expiry date:
    /// `ignore.palisade.dev/pss.runAsNonRoot: "image needs root until OPS-12; expires=2027-01-31"`.
    id: "suppress/missing-reason",
    title: "a suppression annotation gives no reason",
    severity: Severity::Medium,
};
