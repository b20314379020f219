//! `-o table` for findings: grouped by file and object, for people.
//!
//! Colour is used only when asked (the CLI asks when standard output is a terminal
//! and `NO_COLOR` is unset); the layout reads the same without it. On a terminal
//! of known width, messages and fixes wrap at spaces under their first line.

use std::io::{self, Write};

use palisade_core::{Finding, Severity};

use crate::Report;
use crate::terminal::Paint;
use crate::wrap::wrap;

/// How to lay the listing out.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub colour: bool,
    /// The terminal's width; `None` writes each message on one line.
    pub width: Option<usize>,
}

/// Where continuation lines of a finding start (under the message).
const DETAIL_INDENT: usize = 13;

/// Writes the report as a grouped listing with a closing summary line.
pub fn write(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint { on: style.colour };
    let rule_width = report
        .findings
        .iter()
        .map(|f| f.rule.len())
        .max()
        .unwrap_or(0);
    let mut file: Option<Option<&str>> = None;
    let mut object = None;
    for finding in &report.findings {
        if file != Some(finding.file()) {
            if file.is_some() {
                writeln!(out)?;
            }
            let title = finding.file().unwrap_or("(not from a file)");
            writeln!(out, "{}", paint.bold(title))?;
            file = Some(finding.file());
            object = None;
        }
        if object != Some(&finding.object) {
            match &finding.object {
                Some(o) => {
                    let ns = o
                        .namespace
                        .as_deref()
                        .map(|ns| format!("{ns}/"))
                        .unwrap_or_default();
                    writeln!(out, "  {} {ns}{}", o.kind, o.name)?;
                }
                None => writeln!(out, "  (file)")?,
            }
            object = Some(&finding.object);
        }
        write_finding(finding, rule_width, &paint, style.width, out)?;
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(report))
}

fn write_finding(
    finding: &Finding,
    rule_width: usize,
    paint: &Paint,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let place = finding
        .line_column()
        .map(|(line, column)| format!("{line}:{column}"))
        .unwrap_or_else(|| "-".to_owned());
    let severity = format!("{:<8}", finding.severity.as_str());
    let lead = format!(
        "    {place:>7}  {severity}  {:<rule_width$}  ",
        finding.rule
    );
    let message = lines(&finding.message, width, lead.chars().count());
    for (i, text) in message.iter().enumerate() {
        if i == 0 {
            writeln!(
                out,
                "    {place:>7}  {}  {:<rule_width$}  {text}",
                paint.severity(finding.severity, &severity),
                finding.rule,
            )?;
        } else {
            writeln!(out, "{}{text}", " ".repeat(lead.chars().count()))?;
        }
    }
    if let Some(enforcement) = &finding.enforcement {
        let text = format!("rejected at admission: {}", enforcement.by);
        writeln!(out, "{}{}", " ".repeat(DETAIL_INDENT), paint.bold(&text))?;
    }
    if let Some(suppression) = &finding.suppression {
        let text = format!(
            "suppressed by {} ({}): {}",
            suppression.by, suppression.at, suppression.reason
        );
        writeln!(out, "{}{}", " ".repeat(DETAIL_INDENT), paint.bold(&text))?;
    }
    if let Some(fix) = &finding.remediation {
        for (i, text) in lines(fix, width, DETAIL_INDENT + 5).iter().enumerate() {
            let label = if i == 0 { "fix: " } else { "     " };
            writeln!(out, "{}{label}{text}", " ".repeat(DETAIL_INDENT))?;
        }
    }
    Ok(())
}

/// `text` wrapped to what is left of `width` after `indent`, or whole when the
/// width is unknown or too small to help.
fn lines(text: &str, width: Option<usize>, indent: usize) -> Vec<String> {
    match width.map(|w| w.saturating_sub(indent)) {
        Some(room) if room >= 30 => wrap(text, room),
        _ => vec![text.to_owned()],
    }
}

/// `7 findings (1 critical, 2 high, 4 medium) in 3 objects from 2 files; 2 would be rejected at admission`
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|sev| {
            let n = s.by_severity.get(sev).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {sev}"))
        })
        .collect();
    let mut line = format!(
        "{} {}",
        s.findings,
        plural(s.findings, "finding", "findings")
    );
    if !counts.is_empty() {
        line.push_str(&format!(" ({})", counts.join(", ")));
    }
    line.push_str(&format!(
        " in {} {} from {} {}",
        s.objects,
        plural(s.objects, "object", "objects"),
        s.files,
        plural(s.files, "file", "files"),
    ));
    for fact in &s.facts {
        line.push_str(&format!(" ({} {})", fact.label, fact.value));
    }
    if s.enforced > 0 {
        line.push_str(&format!("; {} would be rejected at admission", s.enforced));
    }
    if s.accepted > 0 {
        line.push_str(&format!("; {} accepted (--accept)", s.accepted));
    }
    if s.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", s.suppressed));
    }
    line
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_core::{Pos, SourceRef};

    use super::*;
    use crate::FailOn;

    fn report() -> Report {
        let at = SourceRef {
            file: Arc::from("deploy.yaml"),
            pos: Pos::new(12, 7),
        };
        let finding = Finding::new(
            "demo/long",
            Severity::High,
            "a message long enough that an eighty column terminal has to wrap it somewhere in the middle",
            &at,
            None,
        )
        .with_remediation("a fix that is also rather long so that it wraps under its own label too");
        Report::new(vec![finding], 1, 1, Vec::new(), FailOn::At(Severity::Low))
    }

    fn render(width: Option<usize>) -> String {
        let mut out = Vec::new();
        let written = write(
            &report(),
            Style {
                colour: false,
                width,
            },
            &mut out,
        );
        assert!(written.is_ok());
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn on_a_terminal_lines_fit_the_width_and_words_stay_whole() {
        let wrapped = render(Some(80));
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 80),
            "{wrapped}"
        );
        let words = |text: &str| {
            text.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        // The same words in the same order: only line breaks were added.
        assert_eq!(words(&wrapped), words(&render(None)));
        assert!(render(None).lines().any(|l| l.chars().count() > 80));
    }
}
