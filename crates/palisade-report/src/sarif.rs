//! `-o sarif`: the findings as a SARIF 2.1.0 log, the format code scanning
//! services read (GitHub code scanning, Azure DevOps, IDE viewers).
//!
//! One run whose `tool.driver.rules` are the rules that ran (each with its
//! documentation as help text and markdown, and GitHub's `security-severity`),
//! and one result per finding:
//!
//! - `level` from the finding's severity: critical and high are `error`,
//!   medium is `warning`, low and info are `note`.
//! - A finding read from a file has a `physicalLocation`: the path as given,
//!   as a relative URI reference (percent-encoded; standard input is
//!   `%3Cstdin%3E`), and the line and column (`columnKind` is
//!   `unicodeCodePoints`: columns count characters, as kubectl's reader does).
//! - The object is a `logicalLocation` of kind `resource`, named
//!   `Kind/namespace/name`. A finding with no file (a cluster-wide fact) has
//!   only that; SARIF allows it, but GitHub's uploader rejects results without
//!   a file, which no finding read from manifests lacks.
//! - `partialFingerprints["palisade/v1"]` hashes the rule, the object and the
//!   message (see [`crate::identity::fingerprint`]); repeats of the same
//!   finding are told apart by a `:N` suffix, so alerts are tracked across
//!   runs and edits that only move lines.

use std::collections::HashMap;
use std::io::{self, Write};

use palisade_core::{Finding, Rule, Severity};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

use crate::Report;
use crate::identity::{fingerprint, qualified_name};

/// The schema SARIF producers name (the one GitHub's documentation uses).
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of our fingerprint in `partialFingerprints`; the version changes
/// if the hashed fields ever do, so old alerts are not matched wrongly.
pub const FINGERPRINT_KEY: &str = "palisade/v1";

/// Bytes kept as they are in a URI path: RFC 3986's unreserved characters,
/// sub-delimiters, `@` and the `/` separator. Everything else, `:` included
/// (a colon in a first segment would read as a scheme), is percent-encoded.
const PATH_KEEPS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@')
    .remove(b'/');

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a score from 0.0 to 10.0 as a string): it
/// reads over 9.0 as critical, 7.0 to 8.9 high, 4.0 to 6.9 medium and 0.1 to
/// 3.9 low. Info has no score: GitHub then falls back to the level.
pub fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Info => None,
    }
}

/// A file path as a SARIF `uri`: a relative reference with `/` separators.
pub fn path_uri(path: &str) -> String {
    utf8_percent_encode(path, PATH_KEEPS).to_string()
}

/// Writes the report as a SARIF log. `rules` are the rules that ran; a
/// finding of a rule missing from it still appears, without `ruleIndex`.
pub fn write(report: &Report, rules: &[&Rule], out: &mut dyn Write) -> io::Result<()> {
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let hash = fingerprint(finding);
            let repeat = seen.entry(hash.clone()).or_default();
            *repeat += 1;
            result(
                finding,
                index.get(finding.rule.as_str()).copied(),
                &hash,
                *repeat,
            )
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "palisade",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// A rule as a `reportingDescriptor`.
fn descriptor(rule: &Rule) -> Value {
    let docs = rule.docs();
    let sections = [
        ("", docs.intro.as_str()),
        ("What it flags", docs.what.as_str()),
        ("Why it matters", docs.why.as_str()),
        ("Example", docs.example.as_str()),
        ("How to fix", docs.fix.as_str()),
    ];
    let mut text = Vec::new();
    let mut markdown = Vec::new();
    for (title, body) in sections.iter().filter(|(_, body)| !body.is_empty()) {
        if title.is_empty() {
            text.push((*body).to_owned());
            markdown.push((*body).to_owned());
        } else {
            text.push(format!("{title}:\n{body}"));
            markdown.push(format!("## {title}\n\n{body}"));
        }
    }
    let full = [docs.what.as_str(), docs.intro.as_str()]
        .into_iter()
        .find(|t| !t.is_empty())
        .unwrap_or(rule.title);
    let mut properties = Map::new();
    properties.insert(
        "tags".into(),
        json!(["security", "kubernetes", rule.analyzer()]),
    );
    if let Some(score) = security_severity(rule.severity) {
        properties.insert("security-severity".into(), json!(score));
    }
    properties.insert("severity".into(), json!(rule.severity.as_str()));
    json!({
        "id": rule.id,
        "name": pascal_case(rule.id),
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": full },
        "help": {
            "text": if text.is_empty() { rule.title.to_owned() } else { text.join("\n\n") },
            "markdown": if markdown.is_empty() { rule.title.to_owned() } else { markdown.join("\n\n") },
        },
        "defaultConfiguration": {
            "enabled": rule.enabled_by_default,
            "level": level(rule.severity),
        },
        "properties": properties,
    })
}

/// One finding as a `result`.
fn result(finding: &Finding, rule_index: Option<usize>, hash: &str, repeat: usize) -> Value {
    let mut location = Map::new();
    if let Some(at) = &finding.location {
        location.insert(
            "physicalLocation".into(),
            json!({
                "artifactLocation": { "uri": path_uri(&at.file) },
                "region": { "startLine": at.line.max(1), "startColumn": at.column.max(1) },
            }),
        );
    }
    if let Some(object) = &finding.object {
        location.insert(
            "logicalLocations".into(),
            json!([{
                "name": object.name,
                "fullyQualifiedName": qualified_name(object),
                "kind": "resource",
            }]),
        );
    }
    let mut properties = Map::new();
    properties.insert("severity".into(), json!(finding.severity.as_str()));
    if let Some(fix) = &finding.remediation {
        properties.insert("remediation".into(), json!(fix));
    }
    if let Some(enforcement) = &finding.enforcement {
        properties.insert("enforcedBy".into(), json!(enforcement.policy));
    }
    let fingerprint = if repeat > 1 {
        format!("{hash}:{repeat}")
    } else {
        hash.to_owned()
    };
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(finding.rule));
    if let Some(i) = rule_index {
        result.insert("ruleIndex".into(), json!(i));
    }
    result.insert("level".into(), json!(level(finding.severity)));
    result.insert("message".into(), json!({ "text": finding.message }));
    let locations = if location.is_empty() {
        Vec::new()
    } else {
        vec![Value::Object(location)]
    };
    result.insert("locations".into(), json!(locations));
    result.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint }),
    );
    result.insert("properties".into(), Value::Object(properties));
    Value::Object(result)
}

/// `pss/runAsNonRoot` as `PssRunAsNonRoot`: SARIF's `name` is an identifier
/// made of the id's words.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_map_to_levels_and_scores_in_githubs_bands() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
        let score = |s| security_severity(s).and_then(|v| v.parse::<f64>().ok());
        assert!(score(Severity::Critical).is_some_and(|v| v > 9.0));
        assert!(score(Severity::High).is_some_and(|v| (7.0..9.0).contains(&v)));
        assert!(score(Severity::Medium).is_some_and(|v| (4.0..7.0).contains(&v)));
        assert!(score(Severity::Low).is_some_and(|v| (0.1..4.0).contains(&v)));
        assert_eq!(score(Severity::Info), None);
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(path_uri("examples/shop.yaml"), "examples/shop.yaml");
        assert_eq!(path_uri("my dir/a#1.yaml"), "my%20dir/a%231.yaml");
        assert_eq!(path_uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(path_uri("c:x.yaml"), "c%3Ax.yaml");
        assert_eq!(path_uri("ünï.yaml"), "%C3%BCn%C3%AF.yaml");
        assert_eq!(path_uri("100%.yaml"), "100%25.yaml");
    }

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(pascal_case("pss/runAsNonRoot"), "PssRunAsNonRoot");
        assert_eq!(pascal_case("rbac/esc-bind"), "RbacEscBind");
    }
}
