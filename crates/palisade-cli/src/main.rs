//! `palisade`: Kubernetes security analysis from the command line.
//!
//! This binary only parses arguments, calls the analyzer crates and hands their
//! results to a reporter. Exit codes follow kubectl-style tools: 0 clean,
//! 1 findings at or above `--fail-on`, 2 usage or input error.

mod allocator;
mod cli;
mod commands;
mod destinations;
mod inputs;
mod output;
mod progress;
mod registry;
mod render_args;
mod report_findings;
mod suppress;

use std::io::{self, Write};

/// mimalloc instead of the system allocator: the webhook's request path builds and
/// frees a tree of small allocations per request, and glibc's free of such trees
/// (chunk consolidation) showed up in profiles of `palisade serve` under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// Exit status of a run that found nothing to fail on.
const EXIT_CLEAN: u8 = 0;
/// Exit status when findings reach `--fail-on`.
const EXIT_FINDINGS: u8 = 1;
/// Exit status for usage and input errors (clap uses 2 for usage errors too).
const EXIT_ERROR: u8 = 2;

/// How a command ended, when it did not fail outright.
pub enum Outcome {
    Clean,
    Findings,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        allocator::lean();
    }
    let global = &cli.global;
    let result = match &cli.command {
        Command::Scan(args) => commands::scan::run(args, global),
        Command::Fix(args) => commands::fix::run(args, global),
        Command::Inventory(args) => commands::inventory::run(args, global),
        Command::Rules(args) => commands::rules::list(args, global),
        Command::Explain(args) => commands::rules::explain(args, global),
        Command::Netpol(args) => commands::netpol::run(args, global),
        Command::Rbac(args) => commands::rbac::run(args, global),
        Command::Serve(args) => commands::serve::run(args, global),
        Command::Admit(args) => commands::admit::run(args, global),
        Command::Certs(args) => commands::certs::run(args, global),
        Command::Policy(args) => commands::policy::run(args, global),
        Command::Harden(args) => commands::harden::run(args, global),
        Command::Test(args) => commands::test::run(args, global),
        Command::Simulate(args) => commands::simulate::run(args, global),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::from(EXIT_CLEAN),
        Ok(Outcome::Findings) => ExitCode::from(EXIT_FINDINGS),
        Err(error) => {
            // A reader that closed the pipe (`palisade scan ... | head`) is not an error.
            if error.kind() == Some(io::ErrorKind::BrokenPipe) {
                return ExitCode::from(EXIT_CLEAN);
            }
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "{error}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Why a command could not finish. Printed to standard error; exit status 2.
#[derive(Debug)]
pub enum CliError {
    /// Arguments that parse but make no sense together.
    Usage(String),
    /// Input files that could not be read, one line each.
    Input(Vec<String>),
    Io(io::Error),
}

impl CliError {
    fn kind(&self) -> Option<io::ErrorKind> {
        match self {
            CliError::Io(e) => Some(e.kind()),
            _ => None,
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Usage(message) => write!(f, "error: {message}"),
            CliError::Input(errors) => {
                let lines: Vec<String> = errors.iter().map(|e| format!("error: {e}")).collect();
                f.write_str(&lines.join("\n"))
            }
            CliError::Io(e) => write!(f, "error: writing output: {e}"),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        CliError::Io(e)
    }
}
