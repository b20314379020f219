//! Expanding inputs into files and reading them, in parallel, in a fixed order.
//!
//! Directories are walked like kubectl's `-f DIR -R`: entries in lexical order,
//! subdirectories visited where they sort, only `.yaml`, `.yml` and `.json` files
//! kept, symbolic links to directories not followed (a link cycle cannot loop). A
//! file named explicitly is read whatever its extension. Sizes are checked before
//! reading, and reads are bounded, so a huge or growing file cannot exhaust memory.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{FileLoad, Input, Limits, LoadError, load_bytes};
use palisade_core::node::Pos;

/// One thing to read, or a failure found while listing.
pub(crate) enum Source {
    File(PathBuf),
    Stdin,
    Failed(LoadError),
}

fn error(file: &str, message: String) -> LoadError {
    LoadError {
        file: Arc::from(file),
        pos: Pos::default(),
        message,
        kubectl_may_accept: false,
    }
}

/// Lists the sources in order: inputs as given, directory contents sorted.
pub(crate) fn expand(inputs: &[Input]) -> Vec<Source> {
    let mut out = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin => out.push(Source::Stdin),
            Input::Path(path) => match fs::metadata(path) {
                Ok(meta) if meta.is_dir() => walk_dir(path, &mut out),
                Ok(_) => out.push(Source::File(path.clone())),
                Err(err) => out.push(Source::Failed(error(
                    &path.display().to_string(),
                    err.to_string(),
                ))),
            },
        }
    }
    out
}

fn wanted(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Walks one directory tree iteratively (no recursion on hostile depth).
fn walk_dir(root: &Path, out: &mut Vec<Source>) {
    // A stack of pending directory listings; each listing is consumed in order.
    let mut stack: Vec<std::vec::IntoIter<(PathBuf, bool)>> = Vec::new();
    match list(root) {
        Ok(entries) => stack.push(entries.into_iter()),
        Err(err) => out.push(Source::Failed(err)),
    }
    while let Some(top) = stack.last_mut() {
        let Some((path, is_dir)) = top.next() else {
            stack.pop();
            continue;
        };
        if is_dir {
            match list(&path) {
                Ok(entries) => stack.push(entries.into_iter()),
                Err(err) => out.push(Source::Failed(err)),
            }
        } else if wanted(&path) {
            out.push(Source::File(path));
        }
    }
}

/// A directory's entries sorted by name, each with "is a real directory".
fn list(dir: &Path) -> Result<Vec<(PathBuf, bool)>, LoadError> {
    let name = dir.display().to_string();
    let reader = fs::read_dir(dir).map_err(|e| error(&name, e.to_string()))?;
    let mut entries = Vec::new();
    for entry in reader {
        let entry = entry.map_err(|e| error(&name, e.to_string()))?;
        // file_type() does not follow symlinks: a link to a directory is not walked.
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        entries.push((entry.path(), is_dir));
    }
    entries.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    Ok(entries)
}

/// Reads at most `max` bytes; more than that is an error naming the limit.
/// `expected` (the file's size, when known) sizes the buffer up front: growing it
/// by doubling costs a reallocation and a copy per step, and large reallocations
/// make glibc consolidate its free lists.
fn read_bounded(
    reader: impl Read,
    max: u64,
    name: &str,
    expected: u64,
) -> Result<Vec<u8>, LoadError> {
    let capacity = usize::try_from(expected.min(max).saturating_add(1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| error(name, e.to_string()))?;
    if bytes.len() as u64 > max {
        return Err(too_big(name, max));
    }
    Ok(bytes)
}

pub(crate) fn too_big(name: &str, max: u64) -> LoadError {
    error(
        name,
        format!("input is larger than the limit max_file_bytes = {max} bytes"),
    )
}

/// Reads and parses one source. Returns the bytes read with the outcome.
pub(crate) fn load_source(source: &Source, limits: &Limits) -> (u64, Result<FileLoad, LoadError>) {
    let name = source_name(source);
    let bytes = match source {
        Source::Failed(err) => return (0, Err(err.clone())),
        Source::Stdin => read_bounded(std::io::stdin().lock(), limits.max_file_bytes, &name, 0),
        Source::File(path) => fs::File::open(path)
            .map_err(|e| error(&name, e.to_string()))
            .and_then(|file| {
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                if size > limits.max_file_bytes {
                    return Err(too_big(&name, limits.max_file_bytes));
                }
                read_bounded(file, limits.max_file_bytes, &name, size)
            }),
    };
    match bytes {
        Ok(bytes) => {
            let len = bytes.len() as u64;
            (len, load_bytes(Arc::from(name.as_str()), &bytes, limits))
        }
        Err(err) => (0, Err(err)),
    }
}

/// Loads every source in parallel; results come back in source order.
/// Loads every source in parallel. Alias expansion also has a run-wide budget:
/// a file whose copies push the run past `max_total_alias_nodes` is refused
/// whole, so many files cannot add up what one file may not.
pub(crate) fn load_all(
    sources: &[Source],
    limits: &Limits,
) -> Vec<(u64, Result<FileLoad, LoadError>)> {
    let copied = AtomicUsize::new(0);
    sources
        .par_iter()
        .map(|s| {
            let (bytes, result) = load_source(s, limits);
            let result = result.and_then(|file| {
                let before = copied.fetch_add(file.alias_nodes, Ordering::Relaxed);
                if file.alias_nodes > 0
                    && before.saturating_add(file.alias_nodes) > limits.max_total_alias_nodes
                {
                    return Err(error(
                        &source_name(s),
                        format!(
                            "expanding anchors and aliases in this run's files would copy more than max_total_alias_nodes = {} nodes",
                            limits.max_total_alias_nodes
                        ),
                    ));
                }
                Ok(file)
            });
            (bytes, result)
        })
        .collect()
}

/// How a source is named in positions and errors.
fn source_name(source: &Source) -> String {
    match source {
        Source::File(path) => path.display().to_string(),
        Source::Stdin => "<stdin>".to_owned(),
        Source::Failed(err) => err.file.to_string(),
    }
}

/// The sizes of all files about to be read (standard input is unknown: 0).
pub(crate) fn total_size(sources: &[Source]) -> u64 {
    sources
        .iter()
        .map(|s| match s {
            Source::File(path) => fs::metadata(path).map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}
