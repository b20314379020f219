//! `-o table`: findings grouped by file and object, for people.
//!
//! Colour is used only when asked (the CLI asks when standard output is a terminal
//! and `NO_COLOR` is unset); the layout reads the same without it.

use std::io::{self, Write};

use palisade_core::{Finding, Severity};

use crate::Report;

/// Writes the report as a grouped listing with a closing summary line.
pub fn write(report: &Report, colour: bool, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint { on: colour };
    let rule_width = report
        .findings
        .iter()
        .map(|f| f.rule.len())
        .max()
        .unwrap_or(0);
    let mut file: Option<&str> = None;
    let mut object = None;
    for finding in &report.findings {
        if file != Some(&*finding.file) {
            if file.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint.bold(&finding.file))?;
            file = Some(&finding.file);
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
        write_finding(finding, rule_width, &paint, out)?;
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
    out: &mut dyn Write,
) -> io::Result<()> {
    let place = format!("{}:{}", finding.line, finding.column);
    let severity = format!("{:<8}", finding.severity.as_str());
    writeln!(
        out,
        "    {place:>7}  {}  {:<rule_width$}  {}",
        paint.severity(finding.severity, &severity),
        finding.rule,
        finding.message
    )?;
    if let Some(policy) = &finding.enforced_by {
        writeln!(
            out,
            "             {}",
            paint.bold(&format!(
                "rejected at admission: the namespace enforces PodSecurity \"{policy}\""
            ))
        )?;
    }
    if let Some(fix) = &finding.remediation {
        writeln!(out, "             fix: {fix}")?;
    }
    Ok(())
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
    if let Some(policy) = &s.pss_policy {
        line.push_str(&format!(" (Pod Security Standards {policy})"));
    }
    if s.enforced > 0 {
        line.push_str(&format!("; {} would be rejected at admission", s.enforced));
    }
    if s.accepted > 0 {
        line.push_str(&format!("; {} accepted (--accept)", s.accepted));
    }
    line
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// ANSI styling that can be switched off.
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn severity(&self, severity: Severity, text: &str) -> String {
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, text)
    }
}
