//! The common tail of every command that reports findings (scan, rbac risks,
//! netpol lint): drop accepted findings, order and summarize, print, and turn the
//! result into an exit status. The accept file is read and checked against the
//! rule registry before any input is, so a typo in it costs no scan.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use palisade_core::{AcceptList, Fact, Finding, Registry};
use palisade_report::{FailOn, Format, Report, json, table};

use crate::cli::FindingsArgs;
use crate::output::Output;
use crate::{CliError, Outcome};

/// An accept file, read and checked.
pub struct Acceptances {
    path: PathBuf,
    list: AcceptList,
}

/// How to print a findings report.
pub struct Emit {
    pub format: Format,
    pub fail_on: FailOn,
    pub accept: Option<Acceptances>,
    pub facts: Vec<Fact>,
    /// Findings the suppression pass left out (`scan` only).
    pub suppressed: usize,
}

impl Emit {
    /// Reads `--accept` (rejecting rule ids no analyzer declares) and settles
    /// `--fail-on` (`default` when not given).
    pub fn prepare(
        args: &FindingsArgs,
        format: Format,
        default_fail_on: FailOn,
        registry: &Registry,
    ) -> Result<Emit, CliError> {
        let accept = match &args.accept {
            Some(path) => Some(read_accept_list(path, registry)?),
            None => None,
        };
        Ok(Emit {
            format,
            fail_on: args.fail_on.unwrap_or(default_fail_on),
            accept,
            facts: Vec::new(),
            suppressed: 0,
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
    let style = table::Style {
        colour: out.colour,
        width: out.width,
    };
    match how.format {
        Format::Json => json::write(&report, out.writer())?,
        _ => table::write(&report, style, out.writer())?,
    }
    Ok(if report.summary.failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
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
