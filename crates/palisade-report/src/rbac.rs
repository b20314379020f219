//! RBAC answers: `can-i` (yes or no, with the deciding grant), `can-i --list`
//! (kubectl's columns) and `who-can` (subjects with the granting path). Rules
//! are numbered from 1 everywhere, as `describe` and the tables show them.

use std::io::{self, Write};

use palisade_rbac::{HeldRuleView, Policy, ViaView, WhoCanEntry};
use serde::Serialize;
use serde_json::json;

use crate::{Format, columns};

/// One `can-i` decision, ready to print.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanIAnswer {
    pub allowed: bool,
    /// The request as kubectl would describe it.
    pub request: String,
    /// Why, in a sentence: the grant that allowed it, or that nothing did.
    pub reason: String,
    /// The binding, role and rule that allowed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<ViaView>,
}

/// `yes`/`no` (and the reason with `explain`), or the answer as JSON.
pub fn write_answer(
    answer: &CanIAnswer,
    explain: bool,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, answer).map_err(io::Error::other)?;
        return writeln!(out);
    }
    writeln!(out, "{}", if answer.allowed { "yes" } else { "no" })?;
    if explain {
        writeln!(out, "{}", answer.reason)?;
    }
    Ok(())
}

/// `kubectl auth can-i --list` columns, one row per rule; `explain` adds the
/// granting binding, role and rule.
pub fn write_held_rules(
    rules: &[HeldRuleView],
    explain: bool,
    format: Format,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, rules).map_err(io::Error::other)?;
        return writeln!(out);
    }
    let rows: Vec<Vec<String>> = rules
        .iter()
        .map(|held| {
            let r = &held.rule;
            let mut resources = Vec::new();
            for resource in &r.resources {
                for group in &r.api_groups {
                    resources.push(if group.is_empty() {
                        resource.clone()
                    } else {
                        format!("{resource}.{group}")
                    });
                }
            }
            vec![
                resources.join(" "),
                r.non_resource_urls.join(" "),
                format!("[{}]", r.resource_names.join(" ")),
                format!("[{}]", r.verbs.join(" ")),
                format!(
                    "{} -> {} rule #{}",
                    held.binding, held.role, held.rule_index
                ),
            ]
        })
        .collect();
    let header = [
        "Resources",
        "Non-Resource URLs",
        "Resource Names",
        "Verbs",
        "Granted by",
    ];
    let shown = if explain { 5 } else { 4 };
    columns::write(&header[..shown], &rows, width, out)
}

/// Subjects that can make `request`, each with the path that grants it.
pub fn write_who_can(
    policy: &Policy,
    request: &str,
    entries: &[WhoCanEntry],
    format: Format,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == Format::Json {
        let subjects: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                let mut subject = json!({
                    "kind": e.subject.kind.as_str(),
                    "name": e.subject.name,
                    "via": policy.via_view(&e.via),
                });
                if let Some(ns) = &e.subject.namespace {
                    subject["namespace"] = serde_json::Value::from(ns.as_str());
                }
                subject
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &json!({ "subjects": subjects }))
            .map_err(io::Error::other)?;
        return writeln!(out);
    }
    if entries.is_empty() {
        writeln!(out, "No subjects found with permissions to {request}")?;
    } else {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let via = e
                    .via
                    .first()
                    .map(|g| policy.describe(g))
                    .unwrap_or_default();
                let more = if e.via.len() > 1 {
                    format!(" (+{} more)", e.via.len() - 1)
                } else {
                    String::new()
                };
                vec![
                    e.subject.kind.as_str().to_owned(),
                    e.subject.name.clone(),
                    e.subject.namespace.clone().unwrap_or_default(),
                    format!("{via}{more}"),
                ]
            })
            .collect();
        columns::write(&["KIND", "NAME", "NAMESPACE", "VIA"], &rows, width, out)?;
    }
    writeln!(
        out,
        "(Group system:masters can always do everything; it is authorized before RBAC.)"
    )
}
