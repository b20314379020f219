//! `suppress/unused`.

use palisade_core::{Rule, Severity};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A suppression that suppressed no finding in this run: an annotation,
    /// a `.palisade.yaml` exemption or `ignore-paths` glob, or a baseline entry.
    /// Suppressions for rules the run did not select (`--analyzers`, `--rules`)
    /// are not judged.
    ///
    /// ## Why it matters
    /// A stale suppression outlives the problem it covered and will silently
    /// hide the next one of its kind.
    ///
    /// ## Example
    /// ```yaml
    /// exemptions:
    ///   - rules: [pss/privileged]
    ///     name: old-agent          # the workload was removed
    ///     reason: CNI agent
    /// ```
    ///
    /// ## How to fix
    /// Remove the suppression (`--write-baseline` rewrites a baseline from the
    /// current findings).
    id: "suppress/unused",
    title: "a suppression matches no finding",
    severity: Severity::Info,
};
