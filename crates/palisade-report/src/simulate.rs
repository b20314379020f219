//! `palisade simulate`: one report per object, layer by layer in the order of
//! the request path (RBAC, admission, consequences), as text or as JSON whose
//! keys mirror the layers.

use std::io::{self, Write};

use palisade_intent::simulate::ObjectReport;
use serde::Serialize;

/// Each object's layers, then a line saying how many would be applied.
pub fn write_text(reports: &[ObjectReport], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        write_object(report, out)?;
    }
    let applied = reports.iter().filter(|r| r.applied).count();
    let objects = if reports.len() == 1 {
        "object"
    } else {
        "objects"
    };
    writeln!(
        out,
        "{} {objects}: {applied} would be applied, {} refused",
        reports.len(),
        reports.len() - applied
    )
}

fn write_object(report: &ObjectReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} ({})", report.object, report.source)?;
    let rbac = &report.rbac;
    writeln!(out, "  1. RBAC: {} {}", verdict(rbac.allowed), rbac.request)?;
    writeln!(out, "     {}", rbac.explanation)?;
    if let Some(escalation) = &rbac.escalation {
        writeln!(out, "     escalation check: {}", escalation.explanation)?;
    }
    if let Some(note) = &rbac.note {
        writeln!(out, "     note: {note}")?;
    }
    let admission = &report.admission;
    let reached = if admission.reached {
        ""
    } else {
        " (not reached: RBAC refuses first; this is what admission would answer)"
    };
    writeln!(
        out,
        "  2. Admission: {}{reached}",
        verdict(admission.allowed)
    )?;
    if !admission.message.is_empty() {
        writeln!(out, "     {}", admission.message)?;
    }
    for (policy, message) in &admission.also_denied_by {
        writeln!(out, "     also refused by {policy}: {message}")?;
    }
    for warning in &admission.warnings {
        writeln!(out, "     warning: {warning}")?;
    }
    match &report.consequences {
        None => writeln!(out, "  3. Consequences: none, the object is not applied")?,
        Some(consequences) => {
            writeln!(out, "  3. Consequences:")?;
            let mut any = false;
            for line in &consequences.new_connections {
                writeln!(out, "     new connection: {line}")?;
                any = true;
            }
            for line in &consequences.removed_connections {
                writeln!(out, "     removed connection: {line}")?;
                any = true;
            }
            if let Some(isolated) = &consequences.isolated {
                writeln!(out, "     {isolated}")?;
                any = true;
            }
            for line in &consequences.new_risks {
                writeln!(out, "     new risk: {line}")?;
                any = true;
            }
            if !any {
                writeln!(out, "     no connection or risky permission changes")?;
            }
        }
    }
    writeln!(
        out,
        "  => {}\n",
        if report.applied {
            "would be applied"
        } else {
            "refused"
        }
    )
}

fn verdict(allowed: bool) -> &'static str {
    if allowed { "allowed" } else { "refused" }
}

#[derive(Serialize)]
struct Document<'a> {
    objects: &'a [ObjectReport],
    applied: usize,
    refused: usize,
}

/// `{"objects": [{object, source, applied, rbac, admission, consequences}], "applied", "refused"}`.
pub fn write_json(reports: &[ObjectReport], out: &mut dyn Write) -> io::Result<()> {
    let applied = reports.iter().filter(|r| r.applied).count();
    let document = Document {
        objects: reports,
        applied,
        refused: reports.len() - applied,
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    writeln!(out)
}
