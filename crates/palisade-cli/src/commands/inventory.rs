//! `palisade inventory`: the objects exactly as loaded, the debugging view of what
//! every analyzer sees. The output matches `kubectl ... -o json`: one object
//! prints as itself, several as a `List`.

use std::io::{self, Write};

use palisade_core::Node;
use serde_json::json;

use crate::cli::{GlobalArgs, InventoryArgs};
use crate::output::Output;
use crate::{CliError, Outcome, inputs};

pub fn run(args: &InventoryArgs, global: &GlobalArgs) -> Result<Outcome, CliError> {
    let loaded = inputs::load(&args.paths, &args.input)?;
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
    // `-o` takes only json today; the one format is written whatever it says.
    let _ = args.output;
    let mut out = Output::new(global);
    let roots: Vec<&Node> = loaded.objects.iter().map(|o| o.root()).collect();
    match roots.as_slice() {
        [single] => serde_json::to_writer_pretty(out.writer(), single),
        many => serde_json::to_writer_pretty(
            out.writer(),
            &json!({"apiVersion": "v1", "kind": "List", "items": many, "metadata": {"resourceVersion": ""}}),
        ),
    }
    .map_err(io::Error::other)?;
    writeln!(out.writer())?;
    out.finish()?;
    Ok(Outcome::Clean)
}
