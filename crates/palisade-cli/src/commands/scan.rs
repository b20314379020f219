//! `palisade scan`: every analyzer's findings over the input: Pod Security
//! Standards for every workload, NetworkPolicy lint, RBAC risks, and what reading the
//! manifests revealed.

use std::io::{self, Write};

use palisade_core::Inventory;
use palisade_pss::LevelVersion;
use palisade_report::{Report, json, table};

use crate::cli::{Analyzer, ScanArgs, ScanFormat, colour_wanted};
use crate::{CliError, Outcome, inputs};

pub fn run(args: &ScanArgs) -> Result<Outcome, CliError> {
    let loaded = inputs::load(&args.paths, &args.input)?;
    let target = LevelVersion {
        level: args.pss_level.into(),
        version: args.pss_version,
    };
    let files = loaded.files;
    let inventory = Inventory::new(loaded.objects);
    let runs = |analyzer| args.analyzers.contains(&analyzer);
    let mut findings = if runs(Analyzer::Yaml) {
        loaded.findings
    } else {
        Vec::new()
    };
    if runs(Analyzer::Pss) {
        findings.extend(palisade_pss::findings::scan(&inventory, target));
    }
    if runs(Analyzer::Netpol) {
        let model = palisade_netpol::Model::from_inventory(&inventory);
        findings.extend(palisade_netpol::lint(&palisade_netpol::Engine::new(&model)));
    }
    if runs(Analyzer::Rbac) {
        let policy = palisade_rbac::Policy::from_inventory(&inventory);
        findings.extend(palisade_rbac::analyze(
            &policy,
            &palisade_rbac::RiskOptions::default(),
        ));
    }
    let report = Report::new(
        findings,
        files,
        inventory.len(),
        Some(target.to_string()),
        args.fail_on,
    );

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.output {
        ScanFormat::Json => json::write(&report, &mut out)?,
        ScanFormat::Table => table::write(&report, colour_wanted(args.color), &mut out)?,
    }
    out.flush()?;
    // The process ends right after this: freeing a large tree node by node would
    // cost about a quarter of the load time for nothing (measured with the
    // scan_throughput bench), so the inventory is left to the operating system.
    std::mem::forget(inventory);
    Ok(if report.summary.failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
