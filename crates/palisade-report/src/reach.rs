//! `netpol reach`: the answer to one reachability question, as sentences with
//! the deciding policy and rule of each direction, or as JSON.

use std::io::{self, Write};

use palisade_netpol::{DirectionVerdict, ReachAnswer};

use crate::Format;

/// Writes the answer: JSON for `Format::Json`, text otherwise.
pub fn write(answer: &ReachAnswer, format: Format, out: &mut dyn Write) -> io::Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, answer).map_err(io::Error::other)?;
        return writeln!(out);
    }
    out.write_all(text(answer).as_bytes())
}

/// `allowed: a => b on TCP 80`, the allowed connections, then each direction's reasons.
pub fn text(answer: &ReachAnswer) -> String {
    let mut text = String::new();
    let asked = match answer.probe {
        Some((protocol, port)) => format!(" on {protocol} {port}"),
        None => String::new(),
    };
    let verdict = if answer.allowed { "allowed" } else { "denied" };
    text.push_str(&format!(
        "{verdict}: {} => {}{asked}\n",
        answer.from, answer.to
    ));
    text.push_str(&format!("allowed connections: {}\n", answer.conn));
    if let Some(routes) = &answer.routes {
        let via = if routes.via.is_empty() {
            "none".to_owned()
        } else {
            routes.via.join(", ")
        };
        text.push_str(&format!(
            "sent by Ingress/Route: {via}; exposed ports: {}\n",
            if routes.exposed.is_empty() {
                "none".to_owned()
            } else {
                routes.exposed.to_string()
            }
        ));
        if !routes.controller.is_empty() {
            text.push_str(&format!(
                "ingress controller workloads: {}\n",
                routes.controller.join(", ")
            ));
        }
    }
    if let Some(v) = &answer.egress {
        explain(&mut text, &format!("egress of {}", answer.from), v);
    }
    if let Some(v) = &answer.ingress {
        explain(&mut text, &format!("ingress of {}", answer.to), v);
    }
    for note in &answer.notes {
        text.push_str(&format!("note: {note}\n"));
    }
    text
}

/// One direction's reasons, one line per deciding step.
fn explain(text: &mut String, title: &str, verdict: &DirectionVerdict) {
    text.push_str(&format!("{title}: {}\n", verdict.allowed));
    if !verdict.admin_selecting.is_empty() {
        text.push_str(&format!(
            "  admin policies selecting it: {}\n",
            verdict.admin_selecting.join(", ")
        ));
    }
    if verdict.isolating.is_empty() {
        text.push_str("  no NetworkPolicy isolates it in this direction\n");
    } else {
        text.push_str(&format!(
            "  isolated by: {}\n",
            verdict.isolating.join(", ")
        ));
    }
    for step in &verdict.steps {
        let rule = if step.rule.is_empty() {
            String::new()
        } else {
            format!(" rule {}", step.rule)
        };
        let policy = if step.policy.is_empty() {
            String::new()
        } else {
            format!(" {}", step.policy)
        };
        let at = step
            .at
            .as_ref()
            .map(|at| format!(" ({}:{})", at.file, at.pos.line))
            .unwrap_or_default();
        text.push_str(&format!(
            "  {:?}{policy}{rule}: {:?} {}{at}\n",
            step.tier, step.action, step.conn
        ));
    }
}
