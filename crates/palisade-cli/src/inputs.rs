//! Turning path arguments into loader inputs, loading them, and placing the
//! objects in namespaces as kubectl's `-n` would (`--namespace-labels` too).

use std::collections::BTreeMap;
use std::path::PathBuf;

use palisade_core::{Finding, Inventory, Object, Placement};
use palisade_load::{Input, Limits, Loaded, load_inputs_with};

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

/// [`load_in_namespace`] without a release namespace for Helm charts.
pub fn load_with_notes(
    paths: &[PathBuf],
    input: &InputArgs,
    collect_notes: bool,
) -> Result<Loaded, CliError> {
    load_in_namespace(paths, input, None, collect_notes)
}

/// Loads every input; `namespace` (the command's `-n`) is the release
/// namespace Helm charts are rendered in. An unreadable file is an input error
/// naming it, or with `--ignore-invalid` a warning on standard error (its
/// objects are left out whole). A run over its input budget, a file kubectl may
/// read in a way Palisade cannot tell, or a chart or kustomization nothing can
/// render is always an error: skipping it could hide objects. Walked files that
/// are plainly not manifests are left out with a note; an input that yields no
/// object at all is an error, never an empty, passing report.
pub fn load_in_namespace(
    paths: &[PathBuf],
    input: &InputArgs,
    namespace: Option<&str>,
    collect_notes: bool,
) -> Result<Loaded, CliError> {
    let inputs = collect(paths, &input.filenames)?;
    let limits = Limits {
        max_total_bytes: input.max_input_bytes,
        collect_notes,
        ..Limits::default()
    };
    let options = crate::render_args::input_options(input, namespace);
    let loaded = load_inputs_with(&inputs, &limits, &options);
    if let Some(message) = &loaded.run_error {
        return Err(CliError::Input(vec![format!(
            "{message} (--max-input-bytes raises it)"
        )]));
    }
    let mut stderr = std::io::stderr().lock();
    for skipped in &loaded.skipped {
        writeln!(stderr, "note: skipped {}: {}", skipped.file, skipped.reason)?;
    }
    if loaded.notes_dropped > 0 {
        writeln!(
            stderr,
            "warning: {} more reading findings (duplicate keys, overriding merges, YAML 1.1 coercions) were counted but not reported: a file may report at most max_notes = {}",
            loaded.notes_dropped, limits.max_notes
        )?;
    }
    if !loaded.errors.is_empty() {
        if !input.ignore_invalid || loaded.errors.iter().any(|e| !e.may_skip()) {
            return Err(CliError::Input(
                loaded.errors.iter().map(ToString::to_string).collect(),
            ));
        }
        for error in &loaded.errors {
            writeln!(stderr, "warning: skipped: {error}")?;
        }
    }
    if loaded.objects.is_empty() {
        return Err(CliError::Input(vec![no_objects(&loaded)]));
    }
    Ok(loaded)
}

/// The summary's count of walked files left out as not manifests, when any were.
pub fn skipped_fact(loaded: &Loaded) -> Option<palisade_core::Fact> {
    (!loaded.skipped.is_empty()).then(|| palisade_core::Fact {
        key: "skippedFiles",
        label: "skipped files, not manifests:",
        value: loaded.skipped.len().to_string(),
    })
}

/// The error for an input without a single object, saying what was read.
fn no_objects(loaded: &Loaded) -> String {
    let mut read = vec![format!(
        "{} {} read",
        loaded.files,
        if loaded.files == 1 { "file" } else { "files" }
    )];
    if !loaded.skipped.is_empty() {
        read.push(format!("{} skipped as not manifests", loaded.skipped.len()));
    }
    if !loaded.errors.is_empty() {
        read.push(format!("{} unreadable", loaded.errors.len()));
    }
    format!(
        "no Kubernetes object found in the input ({})",
        read.join(", ")
    )
}

/// A namespace's labels, as `--namespace-labels` declares them.
pub type Labels = BTreeMap<String, String>;

/// A namespace name as the API server accepts one (an RFC 1123 label: at most 63
/// lowercase letters, digits and `-`, starting and ending with a letter or digit).
pub fn parse_namespace_name(text: &str) -> Result<String, String> {
    if palisade_core::names::is_dns1123_label(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not a namespace name: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
        ))
    }
}

/// One `--namespace-labels` value: `NS=key=value[,key=value...]` (`NS=` declares
/// a namespace with no labels but its name label).
pub fn parse_namespace_labels(value: &str) -> Result<(String, Labels), String> {
    let bad = || format!("{value:?}: expected NS=key=value[,key=value...]");
    let (namespace, rest) = value.split_once('=').ok_or_else(bad)?;
    let namespace = parse_namespace_name(namespace).map_err(|e| format!("{}: {e}", bad()))?;
    let mut labels = Labels::new();
    for pair in rest.split(',').filter(|p| !p.is_empty()) {
        let (key, label) = pair.split_once('=').ok_or_else(bad)?;
        if key.is_empty() {
            return Err(bad());
        }
        labels.insert(key.to_owned(), label.to_owned());
    }
    Ok((namespace, labels))
}

/// The objects placed as `kubectl -n` places them (see `palisade_core::placement`):
/// an object naming another namespace when one is required is an input error,
/// with the file and line of its namespace.
pub fn place(objects: Vec<Object>, placement: Option<&Placement>) -> Result<Vec<Object>, CliError> {
    match placement {
        None => Ok(objects),
        Some(placement) => palisade_core::place(objects, placement).map_err(|mismatches| {
            CliError::Input(mismatches.iter().map(ToString::to_string).collect())
        }),
    }
}

/// The Inventory every analyzer of the command reads: the loaded objects placed
/// in namespaces, with the reading notes and the declared namespaces.
pub fn inventory(
    objects: Vec<Object>,
    notes: Vec<Finding>,
    placement: Option<&Placement>,
    declared: &[(String, Labels)],
) -> Result<Inventory, CliError> {
    let objects = place(objects, placement)?;
    Ok(Inventory::with_reading_notes(objects, notes)
        .with_declared_namespaces(declared.iter().cloned()))
}

/// kubectl's `-n NS -f`: namespace-less objects go to NS, objects naming another
/// namespace are an error.
pub fn required(namespace: Option<&str>) -> Option<Placement> {
    namespace.map(|ns| Placement {
        namespace: ns.to_owned(),
        require: true,
    })
}

/// `-n` of a question (`rbac can-i`, `netpol matrix`): namespace-less objects go
/// to NS, objects naming another namespace keep it.
pub fn defaulted(namespace: Option<&str>) -> Option<Placement> {
    namespace.map(|ns| Placement {
        namespace: ns.to_owned(),
        require: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_labels_parse_and_refuse_garbage() {
        let (name, labels) =
            parse_namespace_labels("prod=pod-security.kubernetes.io/enforce=restricted,team=a")
                .expect("valid");
        assert_eq!(name, "prod");
        assert_eq!(labels.get("team").map(String::as_str), Some("a"));
        assert_eq!(
            labels
                .get("pod-security.kubernetes.io/enforce")
                .map(String::as_str),
            Some("restricted")
        );
        assert_eq!(
            parse_namespace_labels("bare="),
            Ok(("bare".to_owned(), Labels::new()))
        );
        for bad in ["prod", "=a=b", "p=novalue", "p==x", "Prod=a=b", "-p=a=b"] {
            assert!(parse_namespace_labels(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn namespace_names_are_rfc_1123_labels() {
        for good in ["argocd", "a", "kube-system", "ns1"] {
            assert_eq!(parse_namespace_name(good).as_deref(), Ok(good));
        }
        let long = "a".repeat(64);
        for bad in ["", "Argo", "a_b", "-a", "a-", "a.b", long.as_str()] {
            assert!(parse_namespace_name(bad).is_err(), "{bad:?}");
        }
    }
}
