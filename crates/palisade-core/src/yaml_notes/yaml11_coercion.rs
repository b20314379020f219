//! `yaml/yaml11-coercion`.

use crate::finding::Severity;
use crate::rule::Rule;

pub static YAML11_COERCION: Rule = crate::rule! {
    /// ## What it flags
    /// A plain (unquoted) scalar that YAML 1.1, which kubectl reads, and YAML 1.2
    /// tools read differently: `yes`/`no`/`on`/`off`/`y`/`n` booleans, `0755`
    /// octals, `1_000` and `0b101` numbers, also as mapping keys.
    ///
    /// ## Why it matters
    /// A linter or policy engine that reads YAML 1.2 checks another value than the
    /// one the cluster gets: `runAsUser: 0755` is 493 for kubectl, 755 for the tool.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: yes     # boolean true for kubectl, the string "yes" for YAML 1.2
    /// ```
    ///
    /// ## How to fix
    /// Write the canonical value (`true`, `493`), or quote the scalar if a string
    /// was meant.
    id: "yaml/yaml11-coercion",
    title: "a plain scalar that YAML 1.1 (kubectl) and YAML 1.2 tools read differently",
    severity: Severity::Low,
    severity_varies: "medium in security fields",
};
