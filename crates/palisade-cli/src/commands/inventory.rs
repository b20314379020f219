//! `palisade inventory`: the objects exactly as loaded, the debugging view of what
//! every analyzer sees (with `-n`, namespace-less objects of namespaced kinds
//! carry that namespace, as kubectl sends them). The output matches `kubectl ... -o json`: one object
//! prints as itself, several as a `List`.

use std::io::{self, Write};

use palisade_report::inventory;

use crate::cli::{GlobalArgs, InventoryArgs};
use crate::output::Output;
use crate::{CliError, Outcome, inputs};

pub fn run(args: &InventoryArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let loaded = inputs::load_in_namespace(
        &args.paths,
        &args.input,
        args.namespace.namespace.as_deref(),
        true,
    )?;
    let mut stderr = io::stderr().lock();
    for finding in &loaded.findings {
        let at = finding
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        writeln!(
            stderr,
            "warning: {at}{} [{}]",
            finding.message, finding.rule
        )?;
    }
    // As kubectl would send them: with `-n`, namespace-less objects carry it.
    let objects = inputs::place(
        loaded.objects,
        inputs::required(args.namespace.namespace.as_deref()).as_ref(),
    )?;
    let mut out = Output::new(global);
    inventory::write_json(&objects, out.writer())?;
    out.finish()?;
    Ok(Outcome::Clean)
}
