//! Rendering the inputs that are not manifests yet: Helm charts through
//! `helm template` and kustomizations through `kubectl kustomize`, each run as
//! its own process found on `PATH`, with its output read instead of the files.
//!
//! Palisade does not render in-process: Helm's template functions and
//! kustomize's transformers are large and keep changing, and a scanner that
//! renders differently from the user's tools would check other objects than
//! the ones deployed. Without the tool a chart or kustomization is an error
//! that cannot be skipped (`LoadError::renderer_missing`), never a silent pass.
//!
//! Output is bounded like a file (`max_file_bytes`): past it the process is
//! killed and the input refused. Standard input is closed for the tools, so they
//! never compete with `palisade scan -` for it.

mod helm;
mod kustomize;

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

pub(crate) use helm::helm;
pub(crate) use kustomize::{is_component, kustomize};

use super::LoadError;
use super::walk::{error, read_bounded};

/// The file that makes a directory a Helm chart.
pub(crate) const CHART_FILE: &str = "Chart.yaml";

/// The names kustomize accepts for a kustomization, in the order it looks.
pub(crate) const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of a directory, if it has one.
pub(crate) fn kustomization_file(dir: &Path) -> Option<&'static str> {
    KUSTOMIZATION_FILES
        .into_iter()
        .find(|name| dir.join(name).is_file())
}

/// One piece of rendered output, read as a file of that name.
pub(crate) struct Part {
    pub(crate) name: Arc<str>,
    pub(crate) text: Vec<u8>,
}

/// How much of a failing tool's standard error goes into the message.
const MAX_STDERR: u64 = 16 * 1024;

/// Why a tool gave no output.
pub(crate) enum Failure {
    /// The program is not on `PATH` (or cannot be run at all).
    NotInstalled(String),
    /// It ran and failed, or its output broke a limit.
    Failed(LoadError),
}

/// Runs `program args`, returning its standard output (at most `max` bytes).
/// `name` is how errors name the input being rendered.
pub(crate) fn run(
    program: &str,
    args: &[&OsStr],
    name: &str,
    max: u64,
) -> Result<Vec<u8>, Failure> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::NotInstalled(e.to_string()))?;
    // Standard error is drained on its own thread so that a tool writing much
    // to both streams cannot block on a full pipe; only its start is kept.
    let stderr = child.stderr.take().map(|mut stream| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let _ = (&mut stream).take(MAX_STDERR).read_to_end(&mut kept);
            let _ = std::io::copy(&mut stream, &mut std::io::sink());
            kept
        })
    });
    let stdout = match child.stdout.take() {
        Some(stream) => read_bounded(stream, max, name, 0),
        None => Err(error(name, format!("{program}: no output stream"))),
    };
    if stdout.is_err() {
        // Past the limit: stop the tool rather than wait for the rest.
        let _ = child.kill();
    }
    let status = child.wait();
    let stderr = stderr
        .and_then(|t| t.join().ok())
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let stdout = stdout.map_err(Failure::Failed)?;
    match status {
        Ok(status) if status.success() => Ok(stdout),
        Ok(status) => Err(Failure::Failed(error(
            name,
            format!(
                "{program} failed ({status}){}",
                if stderr.is_empty() {
                    String::new()
                } else {
                    format!(": {stderr}")
                }
            ),
        ))),
        Err(e) => Err(Failure::Failed(error(name, format!("{program}: {e}")))),
    }
}

/// The error for a chart or kustomization whose tool is missing.
pub(crate) fn missing(name: &str, message: String) -> LoadError {
    LoadError {
        renderer_missing: true,
        ..error(name, message)
    }
}
