//! `palisade inventory`: the objects exactly as loaded, the debugging view of what
//! every analyzer sees. The output matches `kubectl ... -o json`: one object
//! prints as itself, several as a `List`.

use std::io::{self, Write};

use palisade_core::Node;
use serde_json::json;

use crate::cli::{InventoryArgs, InventoryFormat};
use crate::{CliError, Outcome, inputs};

pub fn run(args: &InventoryArgs) -> Result<Outcome, CliError> {
    let loaded = inputs::load_with_notes(&args.paths, &args.input, true)?;
    let mut stderr = io::stderr().lock();
    for finding in &loaded.findings {
        writeln!(
            stderr,
            "warning: {}:{}:{}: {} [{}]",
            finding.file, finding.line, finding.column, finding.message, finding.rule
        )?;
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.output {
        InventoryFormat::Json => {
            let roots: Vec<&Node> = loaded.objects.iter().map(|o| o.root()).collect();
            match roots.as_slice() {
                [single] => serde_json::to_writer_pretty(&mut out, single),
                many => serde_json::to_writer_pretty(
                    &mut out,
                    &json!({"apiVersion": "v1", "kind": "List", "items": many, "metadata": {"resourceVersion": ""}}),
                ),
            }
            .map_err(io::Error::other)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Clean)
}
