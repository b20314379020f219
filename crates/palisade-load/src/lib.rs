//! Reading manifests exactly as kubectl reads them: the file source of
//! Palisade's objects. It turns bytes into `palisade_core` [`Object`]s with the
//! file, line and column of every value, and notes where kubectl and another
//! reader of the same file could disagree. It sits beside the object model, not
//! in it, so that other sources (a live cluster, the webhook's AdmissionReview)
//! can sit beside it too.
//!
//! CONTRACT: the rest of the workspace relies on the names and signatures in this
//! file (`Input`, `InputOptions`, `HelmOptions`, `Limits`, `LoadError`,
//! `FileLoad`, `Loaded`, `Skipped`, `load_bytes`, `load_inputs`,
//! `load_inputs_with`, `check_exclude`).
//!
//! The pipeline for one file, each stage in its own module:
//! 1. [`decode`]: BOM handling, UTF-16, UTF-8 validation.
//! 2. [`split`]: JSON sniffing, else kubectl's line-based `---` splitting.
//! 3. [`build`] (YAML: the hand-written [`fast`] reader for the common subset,
//!    else the go-yaml v2 [`scanner`] and [`parser`]) or [`json`]: the positioned
//!    tree, with go-yaml v2
//!    semantics ([`scalar`] resolves plain scalars) and limits.
//! 4. [`objects`]: null documents skipped, lists flattened, `kind` required.
//! 5. [`findings`]: duplicate keys, overriding merges and YAML 1.1 coercions.
//!
//! [`walk`] expands inputs (honouring `.gitignore` files and `--exclude` globs)
//! and loads files in parallel; [`render`] runs `helm template` and `kubectl
//! kustomize` on the charts and kustomizations it finds, whose output is read
//! instead of their files; [`plain`] tells a walked file that is plainly not a
//! manifest (`package.json`, `values.yaml`) from a broken one.

mod build;
mod decode;
mod fast;
mod findings;
mod json;
mod objects;
mod parser;
mod plain;
mod render;
mod scalar;
mod scanner;
mod split;
mod walk;

use std::path::PathBuf;
use std::sync::Arc;

use palisade_core::finding::Finding;
use palisade_core::node::Pos;
use palisade_core::object::Object;

/// Where to read manifests from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A file (read whatever its extension) or a directory (walked recursively for
    /// `.yaml`, `.yml` and `.json` files, in sorted order). A directory holding
    /// `Chart.yaml` is a Helm chart and one holding a kustomization file is a
    /// kustomization, found as given or while walking: each is rendered (see
    /// [`InputOptions`]), never read raw. A file named `Chart.yaml` or
    /// `kustomization.yaml` given as an input stands for its directory.
    Path(PathBuf),
    /// Standard input, shown as `<stdin>` in messages.
    Stdin,
}

/// Bounds against hostile input, and what to collect. Each bound, when hit, is a
/// `LoadError` naming it (or, for the run-wide ones, [`Loaded::run_error`]).
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_file_bytes: u64,
    /// Input bytes one run may read, all files together.
    pub max_total_bytes: u64,
    pub max_depth: usize,
    pub max_documents: usize,
    /// Nodes that alias expansion may add to one file, all its documents together.
    pub max_alias_nodes: usize,
    /// Nodes that alias expansion may add in one run, all files together.
    pub max_total_alias_nodes: usize,
    /// Reading notes (duplicate keys, overriding merges, YAML 1.1 coercions) kept
    /// per file; further ones are only counted ([`FileLoad::notes_dropped`]).
    pub max_notes: usize,
    /// Whether to collect reading notes at all. Off when nothing reports them, so
    /// a file of a million duplicate keys costs no memory for them.
    pub collect_notes: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_total_bytes: 128 * 1024 * 1024,
            max_depth: 1000,
            max_documents: 100_000,
            max_alias_nodes: 1_000_000,
            max_total_alias_nodes: 4_000_000,
            max_notes: 1000,
            collect_notes: true,
        }
    }
}

/// How inputs are walked and rendered, beside the [`Limits`].
#[derive(Clone, Debug, Default)]
pub struct InputOptions {
    /// Gitignore-style globs ([`check_exclude`] validates one): walked files and
    /// directories they match are left out. Files named as inputs are always read.
    pub exclude: Vec<String>,
    /// What `helm template` is given for every chart.
    pub helm: HelmOptions,
    /// Read chart and kustomization directories file by file, as plain
    /// directories, instead of rendering them (their templates are then errors
    /// and their patches whole objects: for trees that cannot render, such as a
    /// snapshot of some files of several repositories).
    pub raw: bool,
}

/// Arguments passed through to `helm template` for every chart rendered.
#[derive(Clone, Debug, Default)]
pub struct HelmOptions {
    /// The release name (helm's default, `release-name`, when not given).
    pub release: Option<String>,
    /// `--namespace`: the release namespace (`.Release.Namespace`).
    pub namespace: Option<String>,
    /// `--values FILE`, in order.
    pub values: Vec<PathBuf>,
    /// `--set KEY=VALUE`, in order.
    pub set: Vec<String>,
}

/// A walked file left out because it is plainly not a Kubernetes manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub file: Arc<str>,
    pub reason: String,
}

/// Checks an `--exclude` glob as the walk will read it (gitignore syntax).
pub fn check_exclude(glob: &str) -> Result<String, String> {
    walk::excludes(std::path::Path::new("."), &[glob.to_owned()])
        .map(|_| glob.to_owned())
        .map_err(|e| format!("{glob:?} is not a valid glob: {e}"))
}

/// A file that could not be read, with the place (when there is one: a missing
/// or oversized file has none) and the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", pos.place())]
pub struct LoadError {
    pub file: Arc<str>,
    pub pos: Pos,
    pub message: String,
    /// kubectl may well read this file, and Palisade cannot tell what it would
    /// read. Skipping such a file (`--ignore-invalid`) would hide objects the
    /// cluster may receive, so callers must not skip it.
    pub kubectl_may_accept: bool,
    /// A Helm chart or kustomization whose renderer (`helm`, `kubectl`) is not
    /// installed. Skipping it would count its templates as clean.
    pub renderer_missing: bool,
}

/// What one file yielded: its objects in document order, and findings about
/// suspicious constructs (duplicate keys, overriding merges, YAML 1.1 coercions).
#[derive(Clone, Debug, Default)]
pub struct FileLoad {
    pub objects: Vec<Object>,
    pub findings: Vec<Finding>,
    /// Documents that held a value (including `null` ones and lists), i.e. what a
    /// YAML or JSON stream reader would count; empty and comment-only chunks excluded.
    pub documents: usize,
    /// Reading notes past `Limits::max_notes`, counted and not kept.
    pub notes_dropped: usize,
    /// Nodes alias expansion copied in this file (for the run's budget).
    pub alias_nodes: usize,
}

/// Everything read from a set of inputs. A file with an error contributes no
/// objects at all (kubectl would refuse it whole); its error is in `errors`.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub findings: Vec<Finding>,
    pub errors: Vec<LoadError>,
    /// Files read (a rendered template or kustomization counts as one), and
    /// their total size in bytes.
    pub files: usize,
    pub bytes: u64,
    /// Reading notes past `Limits::max_notes`, all files together.
    pub notes_dropped: usize,
    /// A run-wide budget was exceeded (`max_total_bytes`): nothing was loaded.
    /// Unlike a file's error this cannot be skipped, because skipping it would
    /// skip everything.
    pub run_error: Option<String>,
    /// Walked files left out as plainly not manifests, in walk order.
    pub skipped: Vec<Skipped>,
}

impl LoadError {
    fn at(file: &Arc<str>, pos: Pos, message: impl Into<String>) -> LoadError {
        LoadError {
            file: file.clone(),
            pos,
            message: message.into(),
            kubectl_may_accept: false,
            renderer_missing: false,
        }
    }

    /// Whether `--ignore-invalid` may leave this input out: not when kubectl may
    /// read it differently, nor when it is a chart or kustomization nothing could
    /// render (both would hide objects the cluster may receive).
    pub fn may_skip(&self) -> bool {
        !self.kubectl_may_accept && !self.renderer_missing
    }
}

/// Parses one file's bytes. `file` is the name used in positions and errors.
pub fn load_bytes(file: Arc<str>, bytes: &[u8], limits: &Limits) -> Result<FileLoad, LoadError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(walk::too_big(&file, limits.max_file_bytes));
    }
    let text = decode::decode(bytes).map_err(|e| LoadError::at(&file, e.pos, e.message))?;
    let mut load = FileLoad::default();
    let to_load_error = |e: build::BuildError| LoadError {
        kubectl_may_accept: e.kubectl_may_accept,
        ..LoadError::at(&file, e.pos, e.message)
    };
    let mut state = build::FileState::default();
    if split::is_json(&text) {
        let documents = json::parse_stream(&text, limits, &mut state, |root, state| {
            add_document(&file, root, &mut state.notes, &mut load)
        })
        .map_err(to_load_error)?;
        load.documents = documents;
        load.notes_dropped = state.dropped;
        return Ok(load);
    }
    for (n, chunk) in split::Splitter::new(&text).enumerate() {
        let chunk = chunk.map_err(|bad| {
            LoadError::at(
                &file,
                Pos::new(bad.line, 1),
                format!("invalid Yaml document separator: {}", bad.rest),
            )
        })?;
        if n >= limits.max_documents {
            return Err(LoadError::at(
                &file,
                Pos::new(chunk.first_line, 1),
                format!(
                    "more than max_documents = {} documents in one file",
                    limits.max_documents
                ),
            ));
        }
        state.notes.clear();
        let root = build::build_yaml(chunk.text, chunk.first_line, limits, &mut state)
            .map_err(to_load_error)?;
        if let Some(root) = root {
            load.documents += 1;
            add_document(&file, root, &mut state.notes, &mut load).map_err(to_load_error)?;
        }
    }
    load.notes_dropped = state.dropped;
    load.alias_nodes = state.copied;
    Ok(load)
}

/// Turns one document's root into objects and its notes into findings.
fn add_document(
    file: &Arc<str>,
    root: palisade_core::node::Node,
    notes: &mut Vec<build::Note>,
    load: &mut FileLoad,
) -> Result<(), build::BuildError> {
    let first = load.objects.len();
    objects::expand(root, file, &mut load.objects)?;
    findings::convert(notes, file, &load.objects[first..], &mut load.findings);
    Ok(())
}

/// Reads every input (directories expanded), files in parallel, results in a
/// deterministic order (inputs in the order given, directory entries sorted),
/// with the default [`InputOptions`].
pub fn load_inputs(inputs: &[Input], limits: &Limits) -> Loaded {
    load_inputs_with(inputs, limits, &InputOptions::default())
}

/// [`load_inputs`] with excludes and the arguments charts are rendered with.
pub fn load_inputs_with(inputs: &[Input], limits: &Limits, options: &InputOptions) -> Loaded {
    let sources = walk::expand(inputs, &options.exclude, options.raw);
    let mut loaded = Loaded::default();
    // The whole run's size is known before anything is read (standard input
    // and rendered output aside, which their per-file bound covers until they
    // are counted below).
    let planned = walk::total_size(&sources);
    if planned > limits.max_total_bytes {
        loaded.run_error = Some(total_bytes_error(planned, limits));
        return loaded;
    }
    let outcomes: Vec<_> = walk::load_all(&sources, limits, &options.helm)
        .into_iter()
        .flatten()
        .collect();
    // Sized once: growing the run's object list by doubling would hold the old
    // and the new list at once, a peak of up to three times its final size.
    let total: usize = outcomes
        .iter()
        .map(|outcome| match &outcome.result {
            walk::Got::Loaded(file) => file.objects.len(),
            _ => 0,
        })
        .sum();
    loaded.objects.reserve_exact(total);
    for outcome in outcomes {
        if outcome.read {
            loaded.files += 1;
            loaded.bytes += outcome.bytes;
        }
        match outcome.result {
            walk::Got::Loaded(file) => {
                loaded.notes_dropped += file.notes_dropped;
                loaded.objects.extend(file.objects);
                loaded.findings.extend(file.findings);
            }
            walk::Got::Failed(err) => loaded.errors.push(err),
            walk::Got::Skipped(skipped) => loaded.skipped.push(skipped),
        }
    }
    if loaded.bytes > limits.max_total_bytes {
        return Loaded {
            run_error: Some(total_bytes_error(loaded.bytes, limits)),
            ..Loaded::default()
        };
    }
    loaded
}

fn total_bytes_error(total: u64, limits: &Limits) -> String {
    format!(
        "the inputs hold {total} bytes, more than the run's limit max_total_bytes = {} bytes",
        limits.max_total_bytes
    )
}

/// What [`fast_path_differential`] saw in one input.
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct FastPathReport {
    /// YAML chunks read, and how many the fast reader accepted.
    pub chunks: usize,
    pub accepted_chunks: usize,
    /// Bytes in those chunks.
    pub bytes: usize,
    pub accepted_bytes: usize,
    /// Chunks where the fast reader accepted and disagreed with the full parser.
    pub divergences: Vec<String>,
    /// Declined chunks: the line of `palisade-load/src/fast.rs` that declined, and the bytes.
    pub declined: Vec<(u32, usize)>,
}

/// Testing support (the differential test and fuzz target): reads every YAML
/// chunk of `bytes` with both the fast reader and the go-yaml parser and compares. When
/// the fast reader accepts a chunk, the tree (with positions) and the notes must be
/// identical, and the full parser must not fail.
#[doc(hidden)]
pub fn fast_path_differential(bytes: &[u8], limits: &Limits) -> FastPathReport {
    let mut report = FastPathReport::default();
    let Ok(text) = decode::decode(bytes) else {
        return report;
    };
    if split::is_json(&text) {
        return report;
    }
    for chunk in split::Splitter::new(&text) {
        let Ok(chunk) = chunk else {
            break;
        };
        report.chunks += 1;
        report.bytes += chunk.text.len();
        let mut fast_state = build::FileState::default();
        let fast = fast::build_traced(chunk.text, chunk.first_line, limits, &mut fast_state);
        let fast_notes = fast_state.notes;
        let Ok(fast) = fast.map_err(|d| report.declined.push((d.at, chunk.text.len()))) else {
            if !fast_notes.is_empty() {
                report.divergences.push(format!(
                    "chunk at line {}: declined but left notes {fast_notes:?}",
                    chunk.first_line
                ));
            }
            continue;
        };
        report.accepted_chunks += 1;
        report.accepted_bytes += chunk.text.len();
        let mut full_state = build::FileState::default();
        let full = build::build_yaml_full(chunk.text, chunk.first_line, limits, &mut full_state);
        let full_notes = full_state.notes;
        // Debug text compares floats bit-exactly enough (NaN, -0.0) where `==` would not.
        let fast_seen = format!("{:?}", (&Ok::<_, build::BuildError>(fast), &fast_notes));
        let full_seen = format!("{:?}", (&full, &full_notes));
        if fast_seen != full_seen {
            report.divergences.push(format!(
                "chunk at line {}:\n--- chunk\n{}\n--- fast\n{fast_seen}\n--- full\n{full_seen}",
                chunk.first_line, chunk.text
            ));
        }
    }
    report
}
