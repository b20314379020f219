//! Turning path arguments into loader inputs, and loading them.

use std::path::PathBuf;

use palisade_core::{Input, Limits, LoadError, Loaded, load_inputs};

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

/// Loads every input. An unreadable file is an input error naming it, or with
/// `--ignore-invalid` a warning on standard error (its objects are left out whole).
pub fn load(paths: &[PathBuf], input: &InputArgs) -> Result<Loaded, CliError> {
    let inputs = collect(paths, &input.filenames)?;
    let loaded = load_inputs(&inputs, &Limits::default());
    if loaded.errors.is_empty() {
        return Ok(loaded);
    }
    if !input.ignore_invalid {
        return Err(CliError::Input(
            loaded.errors.iter().map(describe).collect(),
        ));
    }
    let mut stderr = std::io::stderr().lock();
    for error in &loaded.errors {
        writeln!(stderr, "warning: skipped: {}", describe(error))?;
    }
    Ok(loaded)
}

/// `file:line:column: message`, or `file: message` when the error is about the
/// file as a whole (it does not exist, cannot be read): no made-up `:0:0`.
pub fn describe(error: &LoadError) -> String {
    if error.pos.is_known() {
        error.to_string()
    } else {
        format!("{}: {}", error.file, error.message)
    }
}
