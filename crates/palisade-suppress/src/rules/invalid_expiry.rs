//! `suppress/invalid-expiry`.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A suppression annotation whose `expires=` date is not a calendar date
    /// written `YYYY-MM-DD`. The annotation suppresses nothing.
    ///
    /// ## Why it matters
    /// An expiry that cannot be read would otherwise either never expire or
    /// expire at once; neither is what the author meant.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     ignore.palisade.dev/pss.privileged: "CNI agent; expires=31/01/2027"
    /// ```
    ///
    /// ## How to fix
    /// Write the date as `YYYY-MM-DD`: `expires=2027-01-31`.
    id: "suppress/invalid-expiry",
    title: "a suppression annotation has an unreadable expiry date",
    severity: Severity::Medium,
};
