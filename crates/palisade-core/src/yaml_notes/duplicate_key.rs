//! `yaml/duplicate-key`.

use crate::finding::Severity;
use crate::rule::Rule;

pub static DUPLICATE_KEY: Rule = crate::rule! {
    /// ## What it flags
    /// A mapping that repeats a key.
    ///
    /// ## Why it matters
    /// kubectl (go-yaml v2) silently keeps the last value, while a reviewer, a
    /// YAML 1.2 tool or a scanner that keeps the first one sees another object. A
    /// second `privileged: true` below a `privileged: false` passes review and
    /// reaches the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: false
    ///   privileged: true    # kubectl sends this one
    /// ```
    ///
    /// ## How to fix
    /// Keep a single entry for the key in the mapping.
    id: "yaml/duplicate-key",
    title: "a mapping repeats a key; kubectl keeps the last value",
    severity: Severity::Medium,
    severity_varies: "high when the key is a security field (securityContext, privileged, capabilities, hostPath, ...)",
};
