//! `palisade test`: the outcome of each expectation as lines for people
//! (`PASS`/`FAIL`, the name, the engines' explanation, then a summary), as
//! a JSON document, or as JUnit XML for CI (one testcase per expectation, a
//! `failure` carrying the explanation when it does not hold).

use std::io::{self, Write};

use palisade_intent::outcome::{Outcome, Tally};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde::Serialize;

/// One line per expectation, its explanation and details indented below, then the tally.
pub fn write_text(outcomes: &[Outcome], out: &mut dyn Write) -> io::Result<()> {
    for outcome in outcomes {
        let mark = if outcome.passed { "PASS" } else { "FAIL" };
        writeln!(
            out,
            "{mark}  {} [{}] ({})",
            outcome.name, outcome.kind, outcome.location
        )?;
        writeln!(out, "      {}", outcome.explanation)?;
        for detail in &outcome.details {
            writeln!(out, "      - {detail}")?;
        }
    }
    let tally = Tally::of(outcomes);
    writeln!(
        out,
        "\n{} expectations: {} passed, {} failed",
        outcomes.len(),
        tally.passed,
        tally.failed
    )
}

#[derive(Serialize)]
struct Document<'a> {
    file: &'a str,
    expectations: &'a [Outcome],
    summary: Tally,
}

/// `{"file", "expectations": [...], "summary": {"passed", "failed"}}`.
pub fn write_json(file: &str, outcomes: &[Outcome], out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        file,
        expectations: outcomes,
        summary: Tally::of(outcomes),
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    writeln!(out)
}

/// JUnit XML: one `testsuite` named after the expectations file, one
/// `testcase` per expectation (`classname` is its kind, `file` its
/// location), a `failure` with the explanation as `message` and the details as
/// text when it does not hold. No `time`: nothing is timed.
pub fn write_junit(file: &str, outcomes: &[Outcome], out: &mut dyn Write) -> io::Result<()> {
    let tally = Tally::of(outcomes);
    let total = outcomes.len().to_string();
    let failures = tally.failed.to_string();
    let mut writer = Writer::new_with_indent(&mut *out, b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", "palisade test"));
    suites.push_attribute(("tests", total.as_str()));
    suites.push_attribute(("failures", failures.as_str()));
    writer.write_event(Event::Start(suites))?;
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", file));
    suite.push_attribute(("tests", total.as_str()));
    suite.push_attribute(("failures", failures.as_str()));
    suite.push_attribute(("errors", "0"));
    writer.write_event(Event::Start(suite))?;
    for outcome in outcomes {
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("name", outcome.name.as_str()));
        case.push_attribute(("classname", outcome.kind));
        case.push_attribute(("file", outcome.location.as_str()));
        if outcome.passed {
            writer.write_event(Event::Empty(case))?;
            continue;
        }
        writer.write_event(Event::Start(case))?;
        let mut failure = BytesStart::new("failure");
        failure.push_attribute(("message", outcome.explanation.as_str()));
        failure.push_attribute(("type", outcome.kind));
        writer.write_event(Event::Start(failure))?;
        let mut text = outcome.explanation.clone();
        for detail in &outcome.details {
            text.push_str("\n- ");
            text.push_str(detail);
        }
        writer.write_event(Event::Text(BytesText::new(&text)))?;
        writer.write_event(Event::End(BytesEnd::new("failure")))?;
        writer.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    writer.write_event(Event::End(BytesEnd::new("testsuite")))?;
    writer.write_event(Event::End(BytesEnd::new("testsuites")))?;
    writeln!(out)
}
