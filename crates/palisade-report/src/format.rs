//! The one list of output formats. Each command accepts the subset that makes
//! sense for it, under the same names everywhere.

use std::fmt;
use std::str::FromStr;

/// An output format (`-o/--output`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Columns or grouped listings for people.
    Table,
    /// Plain lines for people and line tools (np-guard's connlist lines, reach).
    Text,
    /// A JSON document.
    Json,
    /// Comma-separated values with a header.
    Csv,
    /// A markdown table.
    Md,
    /// A Graphviz digraph.
    Dot,
    /// A standalone HTML page.
    Html,
    /// SARIF 2.1.0, the static analysis log code scanning services read.
    Sarif,
    /// JUnit XML, the test report CI systems read.
    Junit,
    /// `wgpolicyk8s.io/v1alpha2` PolicyReport and ClusterPolicyReport objects (YAML).
    PolicyReport,
}

impl Format {
    pub const ALL: [Format; 10] = [
        Format::Table,
        Format::Text,
        Format::Json,
        Format::Csv,
        Format::Md,
        Format::Dot,
        Format::Html,
        Format::Sarif,
        Format::Junit,
        Format::PolicyReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Text => "text",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Md => "md",
            Format::Dot => "dot",
            Format::Html => "html",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::PolicyReport => "policyreport",
        }
    }

    /// Parses `name` as one of `allowed`; the error lists them. `txt` is read
    /// as `text` (np-guard's name for it).
    pub fn parse_among(name: &str, allowed: &[Format]) -> Result<Format, String> {
        let wanted = if name == "txt" { "text" } else { name };
        let list = || {
            allowed
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let format: Format = wanted
            .parse()
            .map_err(|_| format!("unknown output format {name:?}: expected one of {}", list()))?;
        if allowed.contains(&format) {
            Ok(format)
        } else {
            Err(format!(
                "output format {name:?} does not apply here: expected one of {}",
                list()
            ))
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown output format {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_among_the_allowed_ones_only() {
        let allowed = [Format::Text, Format::Json];
        assert_eq!(Format::parse_among("txt", &allowed), Ok(Format::Text));
        assert_eq!(Format::parse_among("json", &allowed), Ok(Format::Json));
        let error = Format::parse_among("csv", &allowed).unwrap_err();
        assert!(error.contains("text, json"), "{error}");
        assert!(Format::parse_among("yaml", &allowed).is_err());
    }
}
