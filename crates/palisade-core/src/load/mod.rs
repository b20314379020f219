//! Reading manifests exactly as kubectl reads them.
//!
//! CONTRACT (owned by the loader work; the rest of the workspace relies on these
//! names and signatures; the bodies below are placeholders to be replaced).

use std::path::PathBuf;
use std::sync::Arc;

use crate::finding::Finding;
use crate::node::Pos;
use crate::object::Object;

/// Where to read manifests from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A file (read whatever its extension) or a directory (walked recursively for
    /// `.yaml`, `.yml` and `.json` files, in sorted order).
    Path(PathBuf),
    /// Standard input, shown as `<stdin>` in messages.
    Stdin,
}

/// Bounds against hostile input. Each one, when hit, is a `LoadError` naming it.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_depth: usize,
    pub max_documents: usize,
    /// Nodes that alias expansion may add to one document.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_depth: 1000,
            max_documents: 100_000,
            max_alias_nodes: 1_000_000,
        }
    }
}

/// A file that could not be read, with the place and the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{}:{}: {message}", pos.line, pos.col)]
pub struct LoadError {
    pub file: Arc<str>,
    pub pos: Pos,
    pub message: String,
}

/// What one file yielded: its objects in document order, and findings about
/// suspicious constructs (duplicate keys, overriding merges, YAML 1.1 coercions).
#[derive(Clone, Debug, Default)]
pub struct FileLoad {
    pub objects: Vec<Object>,
    pub findings: Vec<Finding>,
}

/// Everything read from a set of inputs. A file with an error contributes no
/// objects at all (kubectl would refuse it whole); its error is in `errors`.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub findings: Vec<Finding>,
    pub errors: Vec<LoadError>,
    /// Files read, and their total size in bytes.
    pub files: usize,
    pub bytes: u64,
}

/// Parses one file's bytes. `file` is the name used in positions and errors.
pub fn load_bytes(file: Arc<str>, bytes: &[u8], limits: &Limits) -> Result<FileLoad, LoadError> {
    let _ = (file, bytes, limits);
    unimplemented!("loader placeholder")
}

/// Reads every input (directories expanded), files in parallel, results in a
/// deterministic order (inputs in the order given, directory entries sorted).
pub fn load_inputs(inputs: &[Input], limits: &Limits) -> Loaded {
    let _ = (inputs, limits);
    unimplemented!("loader placeholder")
}
