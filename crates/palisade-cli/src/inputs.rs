//! Turning path arguments into loader inputs, and loading them.

use std::path::PathBuf;

use palisade_core::{Input, Limits, Loaded, load_inputs};

use crate::CliError;

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

/// Loads every input; any unreadable file is an input error naming it.
pub fn load(paths: &[PathBuf], filenames: &[PathBuf]) -> Result<Loaded, CliError> {
    let inputs = collect(paths, filenames)?;
    let loaded = load_inputs(&inputs, &Limits::default());
    if !loaded.errors.is_empty() {
        return Err(CliError::Input(
            loaded.errors.iter().map(ToString::to_string).collect(),
        ));
    }
    Ok(loaded)
}
