//! `palisade scan`: Pod Security Standards findings (plus what reading the
//! manifests revealed) for every workload in the input.

use std::io::{self, IsTerminal, Write};

use palisade_core::Inventory;
use palisade_pss::LevelVersion;
use palisade_report::{Report, json, table};

use crate::cli::{ColourChoice, ScanArgs, ScanFormat};
use crate::{CliError, Outcome, inputs};

pub fn run(args: &ScanArgs) -> Result<Outcome, CliError> {
    let loaded = inputs::load(&args.paths, &args.input.filenames)?;
    let target = LevelVersion {
        level: args.pss_level.into(),
        version: args.pss_version,
    };
    let files = loaded.files;
    let inventory = Inventory::new(loaded.objects);
    let mut findings = loaded.findings;
    findings.extend(palisade_pss::findings::scan(&inventory, target));
    let report = Report::new(
        findings,
        files,
        inventory.len(),
        target.to_string(),
        args.fail_on,
    );

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.output {
        ScanFormat::Json => json::write(&report, &mut out)?,
        ScanFormat::Table => {
            let colour = match args.color {
                ColourChoice::Always => true,
                ColourChoice::Never => false,
                ColourChoice::Auto => {
                    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            table::write(&report, colour, &mut out)?;
        }
    }
    out.flush()?;
    Ok(if report.summary.failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
