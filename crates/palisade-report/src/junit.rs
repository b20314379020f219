//! `-o junit`: the findings as a JUnit XML test report, the dialect GitLab,
//! Jenkins and GitHub test-report actions read (`testsuites` > `testsuite` >
//! `testcase` > `failure`).
//!
//! The shape, chosen so that a CI dashboard reads "which rules fail, on what":
//!
//! - one `testsuite` per rule that ran (named by rule id, in id order), plus one
//!   for any rule that reported without being listed;
//! - in it, one `testcase` per object the rule reported on (`name` is
//!   `Kind namespace/name`, or the file for findings about a file as a whole;
//!   `classname` is the rule id; `file` the file), holding one `failure` whose
//!   `message` is the finding's message (or the count and the first message
//!   when there are several), `type` the highest severity, and whose text lists
//!   every finding as `file:line:column: severity: message` with its fix;
//! - a rule without findings has one passing testcase, `(all objects)`: a
//!   testcase per object and rule (kube-score's shape) would need to know
//!   which objects a rule applies to, which rules do not declare, and a
//!   passing `pss/privileged` on a ConfigMap would be noise.
//!
//! Every finding is a failure, whatever `--fail-on` says: the exit status is
//! what gates a pipeline; the report says what was found. No `time` is written
//! (rules are not timed one by one; CI readers treat it as optional).

use std::collections::BTreeMap;
use std::io::{self, Write};

use palisade_core::{Finding, Rule};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::Report;
use crate::identity::display_name;

/// The name of the passing testcase of a rule that found nothing.
pub const ALL_OBJECTS: &str = "(all objects)";

/// One testcase: the findings of one rule on one object (or file).
struct Case<'a> {
    name: String,
    file: Option<&'a str>,
    findings: Vec<&'a Finding>,
}

/// Writes the report as JUnit XML. `rules` are the rules that ran.
pub fn write(report: &Report, rules: &[&Rule], out: &mut dyn Write) -> io::Result<()> {
    // Suites by rule id: every rule that ran, then any other that reported.
    let mut suites: BTreeMap<&str, Vec<Case>> = rules.iter().map(|r| (r.id, Vec::new())).collect();
    for finding in &report.findings {
        let name = case_name(finding);
        let cases = suites.entry(finding.rule.as_str()).or_default();
        match cases
            .iter_mut()
            .find(|c| c.name == name && c.file == finding.file())
        {
            Some(case) => case.findings.push(finding),
            None => cases.push(Case {
                name,
                file: finding.file(),
                findings: vec![finding],
            }),
        }
    }
    let mut xml = Writer::new_with_indent(out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let tests: usize = suites.values().map(|cases| cases.len().max(1)).sum();
    let failures: usize = suites.values().map(Vec::len).sum();
    let (tests, failures) = (tests.to_string(), failures.to_string());
    xml.write_event(Event::Start(BytesStart::new("testsuites").with_attributes(
        [
            ("name", "palisade"),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", "0"),
        ],
    )))?;
    for (rule, cases) in &suites {
        write_suite(&mut xml, rule, cases)?;
    }
    xml.write_event(Event::End(BytesEnd::new("testsuites")))?;
    xml.into_inner().write_all(b"\n")
}

fn write_suite<W: Write>(xml: &mut Writer<W>, rule: &str, cases: &[Case]) -> io::Result<()> {
    let rule = xml_text(rule);
    let tests = cases.len().max(1).to_string();
    let failures = cases.len().to_string();
    xml.write_event(Event::Start(BytesStart::new("testsuite").with_attributes(
        [
            ("name", rule.as_str()),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", "0"),
            ("skipped", "0"),
        ],
    )))?;
    if cases.is_empty() {
        xml.write_event(Event::Empty(
            BytesStart::new("testcase")
                .with_attributes([("name", ALL_OBJECTS), ("classname", rule.as_str())]),
        ))?;
    }
    for case in cases {
        let name = xml_text(&case.name);
        let mut start = BytesStart::new("testcase")
            .with_attributes([("name", name.as_str()), ("classname", rule.as_str())]);
        let file = case.file.map(xml_text);
        if let Some(file) = &file {
            start.push_attribute(("file", file.as_str()));
        }
        xml.write_event(Event::Start(start))?;
        write_failure(xml, &case.findings)?;
        xml.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    xml.write_event(Event::End(BytesEnd::new("testsuite")))?;
    Ok(())
}

fn write_failure<W: Write>(xml: &mut Writer<W>, findings: &[&Finding]) -> io::Result<()> {
    let first = findings.first().map_or("", |f| f.message.as_str());
    let message = match findings.len() {
        1 => first.to_owned(),
        n => format!("{n} findings; the first: {first}"),
    };
    let severity = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .map_or("", |s| s.as_str());
    let mut text = String::new();
    for finding in findings {
        let place = match &finding.location {
            Some(at) => format!("{at}: "),
            None => String::new(),
        };
        text.push_str(&format!(
            "{place}{}: {}\n",
            finding.severity, finding.message
        ));
        if let Some(enforcement) = &finding.enforcement {
            text.push_str(&format!("rejected at admission: {}\n", enforcement.by));
        }
        if let Some(fix) = &finding.remediation {
            text.push_str(&format!("fix: {fix}\n"));
        }
    }
    let message = xml_text(&message);
    xml.write_event(Event::Start(
        BytesStart::new("failure")
            .with_attributes([("message", message.as_str()), ("type", severity)]),
    ))?;
    xml.write_event(Event::Text(BytesText::new(&xml_text(&text))))?;
    xml.write_event(Event::End(BytesEnd::new("failure")))?;
    Ok(())
}

/// The testcase a finding belongs to: its object, else its file.
fn case_name(finding: &Finding) -> String {
    match (&finding.object, finding.file()) {
        (Some(object), _) => display_name(object),
        (None, Some(file)) => file.to_owned(),
        (None, None) => "(input)".to_owned(),
    }
}

/// `text` with the characters XML 1.0 cannot carry at all, even escaped
/// (control characters other than tab, newline and carriage return, lone
/// surrogates cannot occur in a `str`, U+FFFE and U+FFFF), replaced by U+FFFD.
/// Written here because quick-xml escapes markup (`<`, `&`, quotes) but leaves
/// the character range to the caller, and messages quote input.
fn xml_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_carry_are_replaced() {
        assert_eq!(xml_text("a\u{1}b\tc\n"), "a\u{fffd}b\tc\n");
        assert_eq!(xml_text("<&>"), "<&>");
    }
}
