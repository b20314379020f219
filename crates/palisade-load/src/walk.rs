//! Expanding inputs into sources and reading them, in parallel, in a fixed order.
//!
//! Directories are walked with the `ignore` crate (ripgrep's walker): entries in
//! lexical order, subdirectories visited where they sort, `.gitignore`,
//! `.ignore` and `.git/info/exclude` rules honoured (in a git checkout or not),
//! hidden files and directories (`.git/`, `.github/`) and `node_modules/` left
//! out, `--exclude` globs applied, symbolic links not followed (a link cycle
//! cannot loop). Only `.yaml`, `.yml` and `.json` files are kept from a walk; a
//! file named explicitly is read whatever its extension.
//!
//! A directory holding `Chart.yaml` is a Helm chart: it becomes one source,
//! rendered, and nothing under it is read raw (templates are not manifests;
//! subcharts render with their parent). A directory holding a kustomization file
//! becomes one rendered source too; files under it are not read raw either
//! (they are its resources, patches and components), but a nested directory
//! that is itself a kustomization is rendered on its own, as kube-linter does:
//! a base is then reported once through itself and once per overlay that
//! includes it, each under its own directory's name. A kustomize `Component`
//! met while walking is the exception: it is a set of changes, not a thing
//! deployed alone, so it is left out with a note and read only through the
//! kustomizations that list it (given as an input, it is rendered as asked).
//!
//! Sizes are checked before reading, and reads are bounded, so a huge or
//! growing file cannot exhaust memory.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ignore::overrides::{Override, OverrideBuilder};
use rayon::prelude::*;

use super::render::{self, KUSTOMIZATION_FILES};
use super::{FileLoad, HelmOptions, Input, Limits, LoadError, Skipped, load_bytes};
use palisade_core::node::Pos;

/// One thing to read, or a failure found while listing.
pub(crate) enum Source {
    /// A file; `named` when given as an input rather than found by a walk.
    File {
        path: PathBuf,
        named: bool,
    },
    Stdin,
    /// A Helm chart directory, rendered with `helm template`.
    Chart(PathBuf),
    /// A kustomization directory, rendered with `kubectl kustomize`.
    Kustomization(PathBuf),
    /// A kustomize Component found by a walk: left out with a note.
    Component(PathBuf),
    Failed(LoadError),
}

/// What reading one file (or one rendered part) came to.
pub(crate) enum Got {
    Loaded(FileLoad),
    Failed(LoadError),
    Skipped(Skipped),
}

/// One file's outcome: `read` when bytes were read (counted in the run's files).
pub(crate) struct Outcome {
    pub(crate) bytes: u64,
    pub(crate) read: bool,
    pub(crate) result: Got,
}

pub(crate) fn error(file: &str, message: String) -> LoadError {
    LoadError {
        file: Arc::from(file),
        pos: Pos::default(),
        message,
        kubectl_may_accept: false,
        renderer_missing: false,
    }
}

/// The `--exclude` globs as an ignore-crate override rooted at `root`: each
/// glob is added negated, which makes it exclude (an override with only
/// negated globs excludes what they match and leaves everything else alone).
pub(crate) fn excludes(root: &Path, globs: &[String]) -> Result<Override, ignore::Error> {
    let mut builder = OverrideBuilder::new(root);
    for glob in globs {
        builder.add(&format!("!{glob}"))?;
    }
    builder.build()
}

/// Lists the sources in order: inputs as given, directory contents sorted.
pub(crate) fn expand(inputs: &[Input], exclude: &[String], raw: bool) -> Vec<Source> {
    let mut out = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin => out.push(Source::Stdin),
            Input::Path(path) => match fs::metadata(path) {
                Ok(meta) if meta.is_dir() => walk_dir(path, exclude, raw, &mut out),
                Ok(_) if !raw && names_its_directory(path) => {
                    let dir = path.parent().map_or_else(|| PathBuf::from("."), dir_or_dot);
                    walk_dir(&dir, exclude, raw, &mut out);
                }
                Ok(_) => out.push(Source::File {
                    path: path.clone(),
                    named: true,
                }),
                Err(err) => out.push(Source::Failed(error(
                    &path.display().to_string(),
                    err.to_string(),
                ))),
            },
        }
    }
    out
}

/// `Chart.yaml` and kustomization files stand for their directory: read alone,
/// a chart's metadata or a kustomization is not a manifest.
fn names_its_directory(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == render::CHART_FILE || KUSTOMIZATION_FILES.contains(&n))
}

/// `Path::parent` of a bare file name is the empty path; it means `.`.
fn dir_or_dot(parent: &Path) -> PathBuf {
    if parent.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parent.to_path_buf()
    }
}

fn wanted(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Walks one directory tree (the ignore crate's walker is iterative: no
/// recursion on hostile depth).
/// With `raw`, charts and kustomizations are walked as plain directories.
fn walk_dir(root: &Path, exclude: &[String], raw: bool, out: &mut Vec<Source>) {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .standard_filters(true)
        // Honour .gitignore files in a plain directory too (an unpacked archive,
        // a CI workspace without .git), not only inside a git checkout.
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|entry| entry.file_name() != "node_modules");
    if !exclude.is_empty() {
        match excludes(root, exclude) {
            Ok(overrides) => {
                builder.overrides(overrides);
            }
            Err(err) => {
                out.push(Source::Failed(error("--exclude", err.to_string())));
                return;
            }
        }
    }
    // The chart being skipped, and the kustomizations whose plain files are
    // theirs (innermost last); entries come depth-first, so a stack suffices.
    let mut chart: Option<PathBuf> = None;
    let mut kustomizations: Vec<PathBuf> = Vec::new();
    for entry in builder.build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                out.push(Source::Failed(walk_error(root, &err)));
                continue;
            }
        };
        let path = entry.path();
        if chart.as_ref().is_some_and(|c| path.starts_with(c)) {
            continue;
        }
        chart = None;
        while kustomizations.last().is_some_and(|k| !path.starts_with(k)) {
            kustomizations.pop();
        }
        // file_type() does not follow symlinks: a link to a directory is not walked.
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir && !raw {
            if path.join(render::CHART_FILE).is_file() {
                out.push(Source::Chart(path.to_path_buf()));
                chart = Some(path.to_path_buf());
            } else if render::kustomization_file(path).is_some() {
                // A Component given as the input is rendered as asked; one met
                // while walking is used only through the kustomizations that list
                // it, so a commented-out `components:` entry yields nothing.
                if entry.depth() > 0 && render::is_component(path) {
                    out.push(Source::Component(path.to_path_buf()));
                } else {
                    out.push(Source::Kustomization(path.to_path_buf()));
                }
                kustomizations.push(path.to_path_buf());
            }
        } else if !is_dir && kustomizations.is_empty() && wanted(path) {
            out.push(Source::File {
                path: path.to_path_buf(),
                named: false,
            });
        }
    }
}

/// A walk failure as a load error naming the path it happened on.
fn walk_error(root: &Path, err: &ignore::Error) -> LoadError {
    fn path_of(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path.as_path()),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            ignore::Error::Loop { child, .. } => Some(child.as_path()),
            _ => None,
        }
    }
    let file = path_of(err).unwrap_or(root).display().to_string();
    error(&file, err.to_string())
}

/// Reads at most `max` bytes; more than that is an error naming the limit.
/// `expected` (the file's size, when known) sizes the buffer up front: growing it
/// by doubling costs a reallocation and a copy per step, and large reallocations
/// make glibc consolidate its free lists.
pub(crate) fn read_bounded(
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

/// Reads and parses one source: one outcome for a file, one per rendered
/// template for a chart.
fn load_source(source: &Source, limits: &Limits, helm: &HelmOptions) -> Vec<Outcome> {
    let name = source_name(source);
    let bytes = match source {
        Source::Failed(err) => {
            return vec![Outcome {
                bytes: 0,
                read: false,
                result: Got::Failed(err.clone()),
            }];
        }
        Source::Chart(dir) => {
            return rendered(render::helm(dir, helm, limits.max_file_bytes), limits);
        }
        Source::Kustomization(dir) => {
            return rendered(render::kustomize(dir, limits.max_file_bytes), limits);
        }
        Source::Component(_) => {
            return vec![Outcome {
                bytes: 0,
                read: false,
                result: Got::Skipped(Skipped {
                    file: Arc::from(name.as_str()),
                    reason: "a kustomize Component: read only through the kustomizations that list it under components".to_owned(),
                }),
            }];
        }
        Source::Stdin => read_bounded(std::io::stdin().lock(), limits.max_file_bytes, &name, 0),
        Source::File { path, .. } => fs::File::open(path)
            .map_err(|e| error(&name, e.to_string()))
            .and_then(|file| {
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                if size > limits.max_file_bytes {
                    return Err(too_big(&name, limits.max_file_bytes));
                }
                read_bounded(file, limits.max_file_bytes, &name, size)
            }),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(err) => {
            return vec![Outcome {
                bytes: 0,
                read: true,
                result: Got::Failed(err),
            }];
        }
    };
    let walked = matches!(source, Source::File { named: false, .. });
    let result = match load_bytes(Arc::from(name.as_str()), &bytes, limits) {
        Ok(file) => Got::Loaded(file),
        // A walked file that reads as YAML or JSON but nowhere says apiVersion or
        // kind is some other tool's file; one named explicitly stays an error.
        Err(_) if walked && super::plain::plainly_not_kubernetes(&bytes, limits) => {
            Got::Skipped(Skipped {
                file: Arc::from(name.as_str()),
                reason: "no document has apiVersion or kind: not a Kubernetes manifest".to_owned(),
            })
        }
        Err(err) => Got::Failed(err),
    };
    vec![Outcome {
        bytes: bytes.len() as u64,
        read: true,
        result,
    }]
}

/// The outcomes of a rendered chart or kustomization: each part read as a file
/// named for what it came from, or the failure to render.
fn rendered(parts: Result<Vec<render::Part>, LoadError>, limits: &Limits) -> Vec<Outcome> {
    match parts {
        Err(err) => vec![Outcome {
            bytes: 0,
            read: false,
            result: Got::Failed(err),
        }],
        Ok(parts) => parts
            .into_iter()
            .map(|part| Outcome {
                bytes: part.text.len() as u64,
                read: true,
                result: match load_bytes(part.name, &part.text, limits) {
                    Ok(file) => Got::Loaded(file),
                    Err(err) => Got::Failed(err),
                },
            })
            .collect(),
    }
}

/// Loads every source in parallel; results come back in source order.
/// Alias expansion also has a run-wide budget: a file whose copies push the
/// run past `max_total_alias_nodes` is refused whole, so many files cannot add
/// up what one file may not.
pub(crate) fn load_all(
    sources: &[Source],
    limits: &Limits,
    helm: &HelmOptions,
) -> Vec<Vec<Outcome>> {
    let copied = AtomicUsize::new(0);
    sources
        .par_iter()
        .map(|s| {
            let mut outcomes = load_source(s, limits, helm);
            for outcome in &mut outcomes {
                let Got::Loaded(file) = &outcome.result else {
                    continue;
                };
                let before = copied.fetch_add(file.alias_nodes, Ordering::Relaxed);
                if file.alias_nodes > 0
                    && before.saturating_add(file.alias_nodes) > limits.max_total_alias_nodes
                {
                    let name = file
                        .objects
                        .first()
                        .map_or_else(|| source_name(s), |o| o.source().file.to_string());
                    outcome.result = Got::Failed(error(
                        &name,
                        format!(
                            "expanding anchors and aliases in this run's files would copy more than max_total_alias_nodes = {} nodes",
                            limits.max_total_alias_nodes
                        ),
                    ));
                }
            }
            outcomes
        })
        .collect()
}

/// How a source is named in positions and errors.
fn source_name(source: &Source) -> String {
    match source {
        Source::File { path, .. }
        | Source::Chart(path)
        | Source::Kustomization(path)
        | Source::Component(path) => path.display().to_string(),
        Source::Stdin => "<stdin>".to_owned(),
        Source::Failed(err) => err.file.to_string(),
    }
}

/// The sizes of all files about to be read (standard input and rendered
/// output are unknown: 0).
pub(crate) fn total_size(sources: &[Source]) -> u64 {
    sources
        .iter()
        .map(|s| match s {
            Source::File { path, .. } => fs::metadata(path).map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}
