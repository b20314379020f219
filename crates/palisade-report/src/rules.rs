//! The rule registry for people and programs: `palisade rules` (a table, or
//! `{"rules": [...]}`) and `palisade explain RULE` (one rule's documentation).

use std::io::{self, Write};

use palisade_core::Rule;
use serde::Serialize;

use crate::columns;

#[derive(Serialize)]
struct RuleList<'a> {
    rules: Vec<RuleEntry<'a>>,
}

/// One rule in `palisade rules -o json`: the rule's fields, plus its
/// analyzer and documentation sections.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleEntry<'a> {
    #[serde(flatten)]
    rule: &'a Rule,
    analyzer: &'static str,
    docs: palisade_core::RuleDocs,
}

/// `{"rules": [{"id", "summary", "severity", ...}]}`.
pub fn write_json(rules: &[&Rule], out: &mut dyn Write) -> io::Result<()> {
    let list = RuleList {
        rules: rules
            .iter()
            .map(|rule| RuleEntry {
                rule,
                analyzer: rule.analyzer(),
                docs: rule.docs(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &list).map_err(io::Error::other)?;
    writeln!(out)
}

/// One row per rule: id, severity, summary.
pub fn write_table(rules: &[&Rule], width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<Vec<String>> = rules
        .iter()
        .map(|r| {
            let severity = if r.severity_varies.is_empty() {
                r.severity.to_string()
            } else {
                format!("{}*", r.severity)
            };
            vec![r.id.to_owned(), severity, r.title.to_owned()]
        })
        .collect();
    columns::write(&["RULE", "SEVERITY", "SUMMARY"], &rows, width, out)?;
    writeln!(
        out,
        "\n{} rules. * the severity varies: `palisade explain RULE` says when. Any finding\nthat admission would reject is at least high.",
        rules.len()
    )
}

/// `RULES.md`: every rule as a markdown table row, grouped by analyzer, with the
/// command that regenerates the file.
pub fn write_markdown(rules: &[&Rule], out: &mut dyn Write) -> io::Result<()> {
    let cell = |text: &str| text.replace('|', "\\|");
    writeln!(out, "# Rules")?;
    writeln!(out)?;
    writeln!(
        out,
        "Every rule Palisade can report, generated from the rule registry by\n`palisade rules -o md > RULES.md` (a test checks that this file is current).\n`palisade explain RULE` prints a rule's full documentation: what it flags, why\nit matters, an example and the fix. A finding that admission would reject is at\nleast `high`, whatever its rule's severity."
    )?;
    let mut analyzer = "";
    for rule in rules {
        if rule.analyzer() != analyzer {
            analyzer = rule.analyzer();
            writeln!(out)?;
            writeln!(out, "## `{analyzer}`")?;
            writeln!(out)?;
            writeln!(out, "| rule | severity | summary |")?;
            writeln!(out, "|---|---|---|")?;
        }
        let severity = if rule.severity_varies.is_empty() {
            rule.severity.to_string()
        } else {
            format!("{}; {}", rule.severity, cell(rule.severity_varies))
        };
        writeln!(out, "| `{}` | {severity} | {} |", rule.id, cell(rule.title))?;
    }
    Ok(())
}

/// A rule's documentation as a page: title, facts, then the four sections.
pub fn write_explanation(rule: &Rule, out: &mut dyn Write) -> io::Result<()> {
    let docs = rule.docs();
    writeln!(out, "{}: {}", rule.id, rule.title)?;
    writeln!(out)?;
    writeln!(out, "severity: {}", rule.severity)?;
    if !rule.severity_varies.is_empty() {
        writeln!(out, "  varies: {}", rule.severity_varies)?;
    }
    if !rule.enabled_by_default {
        writeln!(out, "off by default")?;
    }
    if !rule.versions.is_empty() {
        writeln!(out, "versions: {}", rule.versions)?;
    }
    if !rule.depends_on.is_empty() {
        let flags: Vec<String> = rule.depends_on.iter().map(|o| format!("--{o}")).collect();
        writeln!(out, "depends on: {}", flags.join(", "))?;
    }
    for (title, text) in [
        ("", &docs.intro),
        ("What it flags", &docs.what),
        ("Why it matters", &docs.why),
        ("Example", &docs.example),
        ("How to fix", &docs.fix),
    ] {
        if text.is_empty() {
            continue;
        }
        writeln!(out)?;
        if !title.is_empty() {
            writeln!(out, "## {title}")?;
        }
        writeln!(out, "{text}")?;
    }
    Ok(())
}

/// `palisade explain RULE -o json`: the same entry as in `palisade rules -o json`.
pub fn write_explanation_json(rule: &Rule, out: &mut dyn Write) -> io::Result<()> {
    let entry = RuleEntry {
        rule,
        analyzer: rule.analyzer(),
        docs: rule.docs(),
    };
    serde_json::to_writer_pretty(&mut *out, &entry).map_err(io::Error::other)?;
    writeln!(out)
}
