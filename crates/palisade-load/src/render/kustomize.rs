//! Kustomizations through `kubectl kustomize DIR`.
//!
//! Read raw, a kustomization directory misleads: the `Kustomization` and
//! `Component` files count as objects, a strategic-merge patch reads as a whole
//! workload (a Deployment patch that only sets `replicas` lacks every security
//! setting), and resources the kustomization leaves out still count. Its
//! rendered output is what `kubectl apply -k DIR` sends.
//!
//! The output is read as one file named `DIR (rendered by kubectl kustomize)`:
//! a finding's line is the line of the object in the output of
//! `kubectl kustomize DIR`. Kustomize can record each object's source file
//! (`buildMetadata: [originAnnotations]`), but only when the kustomization asks
//! for it, so the name given is the directory's.

use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;

use super::{Failure, Part, kustomization_file, missing, run};
use crate::LoadError;

/// How a kustomization's output is named in positions.
pub(crate) fn rendered_name(dir: &Path) -> String {
    format!("{} (rendered by kubectl kustomize)", dir.display())
}

/// Renders the kustomization in `dir`.
pub(crate) fn kustomize(dir: &Path, max: u64) -> Result<Vec<Part>, LoadError> {
    let name = dir.display().to_string();
    let args: [&OsStr; 2] = [OsStr::new("kustomize"), dir.as_os_str()];
    match run("kubectl", &args, &name, max) {
        Ok(text) => Ok(vec![Part {
            name: Arc::from(rendered_name(dir)),
            text,
        }]),
        Err(Failure::Failed(err)) => Err(err),
        Err(Failure::NotInstalled(why)) => Err(missing(
            &name,
            format!(
                "this directory is a kustomization (it holds {}), and kubectl cannot be run to render it ({why}); install kubectl, or render it yourself: kubectl kustomize {name} | palisade scan -",
                kustomization_file(dir).unwrap_or("kustomization.yaml")
            ),
        )),
    }
}

/// Whether the kustomization in `dir` is a `kind: Component`: a set of changes
/// meant to be listed under another kustomization's `components:`, not a thing
/// deployed alone. An unreadable kustomization file is not one (rendering it
/// then reports the problem).
pub(crate) fn is_component(dir: &Path) -> bool {
    let Some(file) = kustomization_file(dir) else {
        return false;
    };
    let path = dir.join(file);
    let limits = crate::Limits {
        collect_notes: false,
        ..crate::Limits::default()
    };
    let Ok(bytes) = std::fs::File::open(&path)
        .map_err(|_| ())
        .and_then(|f| crate::walk::read_bounded(f, limits.max_file_bytes, file, 0).map_err(|_| ()))
    else {
        return false;
    };
    crate::load_bytes(Arc::from(file), &bytes, &limits).is_ok_and(|load| {
        load.objects
            .first()
            .is_some_and(|o| o.root().get("kind").and_then(|k| k.as_str()) == Some("Component"))
    })
}
