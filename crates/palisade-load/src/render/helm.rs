//! Helm charts through `helm template`.
//!
//! The arguments are `template [--namespace NS] [--values FILE]... [--set
//! KEY=VALUE]... -- [RELEASE] DIR`: flags first and `--` before the positional
//! ones, so a directory or release name starting with `-` cannot be taken for a
//! flag.
//!
//! Helm prints each rendered manifest as `---`, `# Source: CHART/PATH`, then
//! the manifest. Its output is cut at those headers and the pieces grouped by
//! template, in order of first appearance; each template's group is read as one
//! file named `DIR/PATH (rendered by helm)` (the chart's name, which Helm puts
//! first, replaced by the directory it was found in, so a renamed chart
//! directory or a subchart under `charts/` still names a real template). A
//! finding's line is then the line in what that template rendered to, headers
//! included: the output of `helm template ... --show-only PATH`.

use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;

use super::{CHART_FILE, Failure, Part, missing, run};
use crate::{HelmOptions, LoadError};

/// The header line Helm writes before each manifest, after `---`.
const SOURCE: &str = "# Source: ";

/// The command line, without the program.
pub(crate) fn arguments<'a>(dir: &'a Path, options: &'a HelmOptions) -> Vec<&'a OsStr> {
    let mut args: Vec<&OsStr> = vec![OsStr::new("template")];
    if let Some(namespace) = &options.namespace {
        args.extend([OsStr::new("--namespace"), OsStr::new(namespace)]);
    }
    for values in &options.values {
        args.extend([OsStr::new("--values"), values.as_os_str()]);
    }
    for set in &options.set {
        args.extend([OsStr::new("--set"), OsStr::new(set)]);
    }
    args.push(OsStr::new("--"));
    if let Some(release) = &options.release {
        args.push(OsStr::new(release));
    }
    args.push(dir.as_os_str());
    args
}

/// Renders the chart in `dir`.
pub(crate) fn helm(dir: &Path, options: &HelmOptions, max: u64) -> Result<Vec<Part>, LoadError> {
    let name = dir.display().to_string();
    match run("helm", &arguments(dir, options), &name, max) {
        Ok(text) => Ok(split(dir, &text)),
        Err(Failure::Failed(err)) => Err(err),
        Err(Failure::NotInstalled(why)) => Err(missing(
            &name,
            format!(
                "this directory is a Helm chart (it holds {CHART_FILE}), and helm cannot be run to render it ({why}); install helm, or render it yourself: helm template NAME {name} | palisade scan -"
            ),
        )),
    }
}

/// Cuts Helm's output into one part per template (see the module comment).
pub(crate) fn split(dir: &Path, text: &[u8]) -> Vec<Part> {
    // (source path as Helm wrote it, the lines rendered from it)
    let mut groups: Vec<(String, Vec<u8>)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut lines = text.split_inclusive(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let source = if trim_eol(line) == b"---" {
            lines.peek().and_then(|next| source_of(next))
        } else {
            None
        };
        if let Some(source) = source {
            let at = match groups.iter().position(|(s, _)| *s == source) {
                Some(at) => at,
                None => {
                    groups.push((source, Vec::new()));
                    groups.len() - 1
                }
            };
            current = Some(at);
        }
        let at = match current {
            Some(at) => at,
            None => {
                // Output before any header (Helm writes none): kept under the chart's own name.
                groups.push((String::new(), Vec::new()));
                let at = groups.len() - 1;
                current = Some(at);
                at
            }
        };
        if let Some((_, group)) = groups.get_mut(at) {
            group.extend_from_slice(line);
        }
    }
    groups
        .into_iter()
        .map(|(source, text)| Part {
            name: Arc::from(rendered_name(dir, &source)),
            text,
        })
        .collect()
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The path of a `# Source: CHART/PATH` line.
fn source_of(line: &[u8]) -> Option<String> {
    let rest = trim_eol(line).strip_prefix(SOURCE.as_bytes())?;
    let source = String::from_utf8_lossy(rest).trim().to_owned();
    (!source.is_empty()).then_some(source)
}

/// `DIR/PATH (rendered by helm)` for Helm's `CHART/PATH`.
pub(crate) fn rendered_name(dir: &Path, source: &str) -> String {
    let within = source.split_once('/').map_or(source, |(_, rest)| rest);
    let within = within.trim_start_matches('/');
    if within.is_empty() {
        format!("{} (rendered by helm)", dir.display())
    } else {
        format!("{} (rendered by helm)", dir.join(within).display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_and_texts(text: &str) -> Vec<(String, String)> {
        split(Path::new("charts/web"), text.as_bytes())
            .into_iter()
            .map(|p| {
                (
                    p.name.to_string(),
                    String::from_utf8_lossy(&p.text).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn output_is_grouped_by_template_in_order_of_first_appearance() {
        let out = "---\n# Source: web/templates/sa.yaml\nkind: ServiceAccount\n---\n# Source: web/templates/deploy.yaml\nkind: Deployment\n---\n# Source: web/templates/sa.yaml\nkind: Secret\n";
        assert_eq!(
            names_and_texts(out),
            [
                (
                    "charts/web/templates/sa.yaml (rendered by helm)".to_owned(),
                    "---\n# Source: web/templates/sa.yaml\nkind: ServiceAccount\n---\n# Source: web/templates/sa.yaml\nkind: Secret\n".to_owned()
                ),
                (
                    "charts/web/templates/deploy.yaml (rendered by helm)".to_owned(),
                    "---\n# Source: web/templates/deploy.yaml\nkind: Deployment\n".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_separator_without_a_header_stays_in_its_template() {
        let out = "---\n# Source: web/templates/two.yaml\nkind: A\n---\nkind: B\n";
        let parts = names_and_texts(out);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].1, out);
    }

    #[test]
    fn subcharts_and_text_before_any_header_are_named() {
        let out =
            "kind: Early\n---\n# Source: web/charts/db/templates/sts.yaml\nkind: StatefulSet\n";
        let names: Vec<String> = names_and_texts(out).into_iter().map(|p| p.0).collect();
        assert_eq!(
            names,
            [
                "charts/web (rendered by helm)",
                "charts/web/charts/db/templates/sts.yaml (rendered by helm)"
            ]
        );
    }

    #[test]
    fn flags_come_before_the_positional_arguments() {
        let options = HelmOptions {
            release: Some("rel".into()),
            namespace: Some("ns".into()),
            values: vec!["v1.yaml".into(), "v2.yaml".into()],
            set: vec!["a=b".into()],
        };
        let args: Vec<String> = arguments(Path::new("-odd"), &options)
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "template",
                "--namespace",
                "ns",
                "--values",
                "v1.yaml",
                "--values",
                "v2.yaml",
                "--set",
                "a=b",
                "--",
                "rel",
                "-odd"
            ]
        );
    }
}
