//! `palisade scan`: every analyzer's findings over the input: Pod Security
//! Standards for every workload, NetworkPolicy lint, RBAC risks, and what reading the
//! manifests revealed.

use palisade_core::Inventory;
use palisade_pss::LevelVersion;

use crate::cli::{Analyzer, ScanArgs, ScanFormat, colour_wanted};
use crate::report_findings::{Emit, emit};
use crate::{CliError, Outcome, inputs};

pub fn run(args: &ScanArgs) -> Result<Outcome, CliError> {
    let runs = |analyzer| args.analyzers.contains(&analyzer);
    let loaded = inputs::load_with_notes(&args.paths, &args.input, runs(Analyzer::Yaml))?;
    let target = LevelVersion {
        level: args.pss_level.into(),
        version: args.pss_version,
    };
    let files = loaded.files;
    let inventory = Inventory::new(loaded.objects);
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
    let objects = inventory.len();
    let outcome = emit(
        findings,
        files,
        objects,
        Emit {
            json: args.output == ScanFormat::Json,
            colour: colour_wanted(args.color),
            fail_on: args.fail_on,
            accept: &args.accept,
            pss_policy: Some(target.to_string()),
        },
    )?;
    // The process ends right after this: freeing a large tree node by node would
    // cost about a quarter of the load time for nothing (measured with the
    // scan_throughput bench), so the inventory is left to the operating system.
    std::mem::forget(inventory);
    Ok(outcome)
}
