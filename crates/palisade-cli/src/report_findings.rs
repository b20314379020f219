//! The common tail of every command that reports findings (scan, rbac risks,
//! netpol lint): drop accepted findings, order and summarize, write every
//! report `-o` asks for, and turn the result into an exit status. The accept
//! file and the `-o` destinations are checked before any input is read, so a
//! typo in them costs no scan.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use palisade_core::{AcceptList, Fact, Finding, Registry, Rule};
use palisade_report::policy_report::Timestamp;
use palisade_report::{FailOn, Format, Report, json, junit, policy_report, sarif, table};

use crate::cli::FindingsArgs;
use crate::destinations::{Destination, check_destinations, write_atomically};
use crate::output::Output;
use crate::{CliError, Outcome};

/// An accept file, read and checked.
pub struct Acceptances {
    path: PathBuf,
    list: AcceptList,
}

/// How to write a findings report.
pub struct Emit {
    pub destinations: Vec<Destination>,
    pub fail_on: FailOn,
    pub accept: Option<Acceptances>,
    pub facts: Vec<Fact>,
    /// Findings the suppression pass left out (`scan` only).
    pub suppressed: usize,
    /// The rules that run: SARIF lists them, JUnit gives each a test suite.
    pub rules: Vec<&'static Rule>,
}

impl Emit {
    /// Checks the `-o` destinations, reads `--accept` (rejecting rule ids no
    /// analyzer declares) and settles `--fail-on` (`default` when not given).
    pub fn prepare(
        args: &FindingsArgs,
        default_fail_on: FailOn,
        registry: &Registry,
        rules: impl IntoIterator<Item = &'static Rule>,
    ) -> Result<Emit, CliError> {
        check_destinations(&args.outputs).map_err(CliError::Usage)?;
        let accept = match &args.accept {
            Some(path) => Some(read_accept_list(path, registry)?),
            None => None,
        };
        let mut rules: Vec<&'static Rule> = rules.into_iter().collect();
        rules.sort_by_key(|r| r.id);
        rules.dedup_by_key(|r| r.id);
        Ok(Emit {
            destinations: args.outputs.clone(),
            fail_on: args.fail_on.unwrap_or(default_fail_on),
            accept,
            facts: Vec::new(),
            suppressed: 0,
            rules,
        })
    }
}

/// Applies the accept list, prints the report and says how the run ended.
pub fn emit(
    findings: Vec<Finding>,
    files: usize,
    objects: usize,
    how: Emit,
    out: &mut Output,
) -> Result<Outcome, CliError> {
    let (findings, accepted) = match &how.accept {
        Some(Acceptances { path, list }) => {
            let result = list.apply(findings);
            let mut stderr = io::stderr().lock();
            for i in &result.unused {
                let rule = list.accepted.get(*i).map_or("", |e| e.rule.as_str());
                writeln!(
                    stderr,
                    "warning: {}: accepted[{i}] ({rule}) matches no finding; remove it if the problem is gone",
                    path.display()
                )?;
            }
            (result.findings, result.accepted)
        }
        None => (findings, 0),
    };
    let mut report = Report::new(findings, files, objects, how.facts, how.fail_on);
    report.summary.accepted = accepted;
    report.summary.suppressed += how.suppressed;
    let timestamp = now();
    // Files first: standard output may be a pipe that closes early (`| head`),
    // which ends the run, and the files asked for must exist by then.
    for destination in &how.destinations {
        if let Some(path) = &destination.file {
            let mut bytes = Vec::new();
            let plain = table::Style::default();
            write_report(
                &report,
                destination.format,
                &how.rules,
                timestamp,
                plain,
                &mut bytes,
            )?;
            write_atomically(path, &bytes)?;
        }
    }
    if let Some(destination) = how.destinations.iter().find(|d| d.file.is_none()) {
        let style = table::Style {
            colour: out.colour,
            width: out.width,
        };
        write_report(
            &report,
            destination.format,
            &how.rules,
            timestamp,
            style,
            out.writer(),
        )?;
    }
    Ok(if report.summary.failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Writes one report in one format.
fn write_report(
    report: &Report,
    format: Format,
    rules: &[&Rule],
    timestamp: Timestamp,
    style: table::Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, rules, out),
        Format::Junit => junit::write(report, rules, out),
        Format::PolicyReport => policy_report::write(report, timestamp, out),
        _ => table::write(report, style, out),
    }
}

/// The time of the run for PolicyReport results: `SOURCE_DATE_EPOCH` (seconds)
/// when set, the reproducible-builds convention that makes output comparable
/// from run to run, else the clock.
fn now() -> Timestamp {
    if let Some(seconds) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        return Timestamp { seconds, nanos: 0 };
    }
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp {
        seconds: i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(since_epoch.subsec_nanos()).unwrap_or(0),
    }
}

/// Reads and checks an accept file; any problem is an input error naming the file.
fn read_accept_list(path: &Path, registry: &Registry) -> Result<Acceptances, CliError> {
    let fail = |message: String| CliError::Input(vec![format!("{}: {message}", path.display())]);
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let list: AcceptList = serde_saphyr::from_str(&text).map_err(|e| fail(e.to_string()))?;
    list.validate().map_err(fail)?;
    for (i, entry) in list.accepted.iter().enumerate() {
        registry
            .check_rule_pattern(&entry.rule)
            .map_err(|e| fail(format!("accepted[{i}]: {e}")))?;
    }
    Ok(Acceptances {
        path: path.to_owned(),
        list,
    })
}
