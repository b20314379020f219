//! Turning path arguments into loader inputs, and loading them.

use std::path::PathBuf;

use palisade_load::{Input, Limits, Loaded, load_inputs};

use std::io::Write;

use crate::CliError;
use crate::cli::InputArgs;

/// Positional paths first, then `-f` paths, in the order given; `-` is stdin.
pub fn collect(paths: &[PathBuf], filenames: &[PathBuf]) -> Result<Vec<Input>, CliError> {
    let inputs: Vec<Input> = paths
        .iter()
        .chain(filenames)
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(p.clone())
            }
        })
        .collect();
    if inputs.is_empty() {
        return Err(CliError::Usage(
            "no input: give a file or directory, or -f - to read standard input".to_owned(),
        ));
    }
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        return Err(CliError::Usage(
            "standard input (-) can be read only once".to_owned(),
        ));
    }
    Ok(inputs)
}

/// A byte count with an optional binary suffix: `1048576`, `512K`, `256M`, `2G`.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => {
            return Err(format!(
                "'{text}' is not a size: use bytes or a K, M or G suffix"
            ));
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("'{text}' is not a size: use bytes or a K, M or G suffix"))
}

/// Loads every input, without collecting reading notes (duplicate keys and the
/// like): only `scan` reports them, through [`load_with_notes`].
pub fn load(paths: &[PathBuf], input: &InputArgs) -> Result<Loaded, CliError> {
    load_with_notes(paths, input, false)
}

/// Loads every input. An unreadable file is an input error naming it, or with
/// `--ignore-invalid` a warning on standard error (its objects are left out
/// whole). A run over its input budget, or a file kubectl may read in a way
/// Palisade cannot tell, is always an error: skipping it could hide objects.
pub fn load_with_notes(
    paths: &[PathBuf],
    input: &InputArgs,
    collect_notes: bool,
) -> Result<Loaded, CliError> {
    let inputs = collect(paths, &input.filenames)?;
    let limits = Limits {
        max_total_bytes: input.max_input_bytes,
        collect_notes,
        ..Limits::default()
    };
    let loaded = load_inputs(&inputs, &limits);
    if let Some(message) = &loaded.run_error {
        return Err(CliError::Input(vec![format!(
            "{message} (--max-input-bytes raises it)"
        )]));
    }
    if loaded.notes_dropped > 0 {
        writeln!(
            std::io::stderr().lock(),
            "warning: {} more reading findings (duplicate keys, overriding merges, YAML 1.1 coercions) were counted but not reported: a file may report at most max_notes = {}",
            loaded.notes_dropped,
            limits.max_notes
        )?;
    }
    if loaded.errors.is_empty() {
        return Ok(loaded);
    }
    // A file kubectl may read but Palisade cannot tell how is never skipped:
    // skipping it would hide objects the cluster may receive.
    if !input.ignore_invalid || loaded.errors.iter().any(|e| e.kubectl_may_accept) {
        return Err(CliError::Input(
            loaded.errors.iter().map(ToString::to_string).collect(),
        ));
    }
    let mut stderr = std::io::stderr().lock();
    for error in &loaded.errors {
        writeln!(stderr, "warning: skipped: {error}")?;
    }
    Ok(loaded)
}
