//! What a rule is: the one description every analyzer gives of each finding it
//! can emit, and every output (`palisade rules`, `palisade explain`, the README's
//! rule table, later SARIF rule metadata) reads.
//!
//! A rule is declared once, where its check lives, with [`rule!`](crate::rule!):
//! its documentation is the doc comment written on the declaration, in one fixed
//! shape (what it flags, why that matters, an example, the fix), so the text a
//! user reads in `palisade explain` cannot drift from the text in the code.

use std::fmt;

use serde::Serialize;

use crate::finding::Severity;

/// One rule: a stable id, how much it matters by default, and its documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// `<analyzer>/<name>`: `pss/privileged`, `rbac/esc-bind`, `yaml/duplicate-key`.
    pub id: &'static str,
    /// One line saying what the rule flags.
    #[serde(rename = "summary")]
    pub title: &'static str,
    /// The severity of a finding when nothing about it raises or lowers it.
    pub severity: Severity,
    /// When findings of this rule can be reported at another severity: what decides
    /// it (empty when the severity is fixed).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub severity_varies: &'static str,
    /// Whether the rule runs unless a user turns it off.
    pub enabled_by_default: bool,
    /// The policy versions the rule applies to (empty when it is not versioned).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub versions: &'static str,
    /// The options (command-line flags) that change what the rule reports.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub depends_on: &'static [&'static str],
    /// The rule's doc comment, markdown with `##` sections; see [`Rule::docs`].
    #[serde(skip)]
    pub doc: &'static str,
}

impl Rule {
    /// The fields every declaration may leave out.
    pub const DEFAULT: Rule = Rule {
        id: "",
        title: "",
        severity: Severity::Medium,
        severity_varies: "",
        enabled_by_default: true,
        versions: "",
        depends_on: &[],
        doc: "",
    };

    /// The analyzer part of the id: `pss` for `pss/privileged`.
    pub fn analyzer(&self) -> &'static str {
        self.id
            .split_once('/')
            .map_or(self.id, |(prefix, _)| prefix)
    }

    /// The documentation, split into its sections.
    pub fn docs(&self) -> RuleDocs {
        RuleDocs::parse(self.doc)
    }
}

/// A rule's documentation in the fixed shape: what, why, example, fix.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RuleDocs {
    /// Text before the first section: a sentence naming the rule's scope.
    pub intro: String,
    pub what: String,
    pub why: String,
    pub example: String,
    pub fix: String,
}

impl RuleDocs {
    /// Reads `## ...` sections: a heading starting with "What" is the what, with
    /// "Why" the why, one containing "example" the example, one containing "fix"
    /// the fix. Doc comments arrive with one leading space per line, removed here.
    pub fn parse(doc: &str) -> RuleDocs {
        // intro, what, why, example, fix
        let mut sections: [String; 5] = Default::default();
        let mut index = 0;
        for line in doc.lines() {
            let line = line.strip_prefix(' ').unwrap_or(line);
            if let Some(heading) = line.strip_prefix("## ") {
                let heading = heading.to_ascii_lowercase();
                index = if heading.starts_with("what") {
                    1
                } else if heading.starts_with("why") {
                    2
                } else if heading.contains("example") {
                    3
                } else if heading.contains("fix") {
                    4
                } else {
                    index
                };
                continue;
            }
            let section = &mut sections[index];
            section.push_str(line);
            section.push('\n');
        }
        let [intro, what, why, example, fix] = sections.map(|s| s.trim().to_owned());
        RuleDocs {
            intro,
            what,
            why,
            example,
            fix,
        }
    }

    /// True when every section a user needs is written.
    pub fn is_complete(&self) -> bool {
        [&self.what, &self.why, &self.example, &self.fix]
            .iter()
            .all(|s| !s.is_empty())
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// Declares a [`Rule`] with its documentation taken from the doc comment written
/// on it:
///
/// ```
/// use palisade_core::{Rule, Severity};
///
/// static EXAMPLE: Rule = palisade_core::rule! {
///     /// ## What it does
///     /// Flags an example.
///     id: "demo/example",
///     title: "an example rule",
///     severity: Severity::Low,
/// };
/// assert_eq!(EXAMPLE.docs().what, "Flags an example.");
/// ```
#[macro_export]
macro_rules! rule {
    ($(#[doc = $doc:literal])* $($field:ident : $value:expr),* $(,)?) => {
        $crate::Rule {
            doc: concat!($($doc, "\n"),*),
            $($field: $value,)*
            ..$crate::Rule::DEFAULT
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    static DOCUMENTED: Rule = crate::rule! {
        /// `demo/thing` (from v1.2).
        ///
        /// ## What it forbids
        /// A thing.
        ///
        /// ## Why it matters
        /// Things are bad.
        ///
        /// ## Failing example
        /// ```yaml
        /// thing: true
        /// ```
        ///
        /// ## How to fix
        /// Remove the thing.
        id: "demo/thing",
        title: "no things",
        severity: Severity::High,
    };

    #[test]
    fn the_doc_comment_becomes_the_four_sections() {
        let docs = DOCUMENTED.docs();
        assert_eq!(docs.intro, "`demo/thing` (from v1.2).");
        assert_eq!(docs.what, "A thing.");
        assert_eq!(docs.why, "Things are bad.");
        assert_eq!(docs.example, "```yaml\nthing: true\n```");
        assert_eq!(docs.fix, "Remove the thing.");
        assert!(docs.is_complete());
        assert_eq!(DOCUMENTED.analyzer(), "demo");
        assert!(DOCUMENTED.enabled_by_default);
    }

    #[test]
    fn a_missing_section_makes_the_docs_incomplete() {
        let docs = RuleDocs::parse(" ## What it does\n Something.\n ## How to fix\n Nothing.");
        assert_eq!(docs.what, "Something.");
        assert!(docs.why.is_empty() && !docs.is_complete());
    }
}
