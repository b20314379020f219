//! `yaml/merge-override`.

use crate::finding::Severity;
use crate::rule::Rule;

pub static MERGE_OVERRIDE: Rule = crate::rule! {
    /// ## What it flags
    /// A `<<` merge key that replaces a key written explicitly before it in the
    /// same mapping.
    ///
    /// ## Why it matters
    /// kubectl (go-yaml v2) applies merges in document order, so the merged value
    /// wins; the YAML merge specification and most other tools keep the explicit
    /// value. The manifest a reviewer reads is not the one the cluster receives.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   <<: *defaults      # defaults set runAsNonRoot: false, and kubectl uses it
    /// ```
    ///
    /// ## How to fix
    /// Put the `<<` line above the explicit keys, or remove the explicit key so
    /// every reader agrees.
    id: "yaml/merge-override",
    title: "a `<<` merge overrides a key written explicitly before it",
    severity: Severity::Medium,
    severity_varies: "high when the key is a security field",
};
