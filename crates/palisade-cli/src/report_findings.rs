//! The common tail of every command that reports findings (scan, rbac risks,
//! netpol lint): drop accepted findings, order and summarize, print, and turn the
//! result into an exit status.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use palisade_core::{AcceptList, Finding, Severity};
use palisade_report::{Report, json, table};

use crate::{CliError, Outcome};

/// `--accept FILE`: findings the team has reviewed and accepted.
#[derive(Args, Debug, Default)]
pub struct AcceptArgs {
    /// A YAML file of accepted findings: `accepted: [{rule, object?, match?, reason}]`.
    #[arg(long, value_name = "FILE")]
    pub accept: Option<PathBuf>,
}

/// How to print a findings report.
pub struct Emit<'a> {
    pub json: bool,
    pub colour: bool,
    pub fail_on: Severity,
    pub accept: &'a AcceptArgs,
    pub pss_policy: Option<String>,
}

/// Applies the accept list, prints the report and says how the run ended.
pub fn emit(
    findings: Vec<Finding>,
    files: usize,
    objects: usize,
    how: Emit<'_>,
) -> Result<Outcome, CliError> {
    let (findings, accepted) = match &how.accept.accept {
        Some(path) => {
            let list = read_accept_list(path)?;
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
    let mut report = Report::new(findings, files, objects, how.pss_policy, how.fail_on);
    report.summary.accepted = accepted;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if how.json {
        json::write(&report, &mut out)?;
    } else {
        table::write(&report, how.colour, &mut out)?;
    }
    out.flush()?;
    Ok(if report.summary.failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Reads and checks an accept file; any problem is an input error naming the file.
fn read_accept_list(path: &Path) -> Result<AcceptList, CliError> {
    let fail = |message: String| CliError::Input(vec![format!("{}: {message}", path.display())]);
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let list: AcceptList = serde_saphyr::from_str(&text).map_err(|e| fail(e.to_string()))?;
    list.validate().map_err(fail)?;
    Ok(list)
}
