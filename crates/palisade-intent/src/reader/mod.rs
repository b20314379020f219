//! Reading an expectations file (`apiVersion: palisade.dev/v1alpha1`, `kind:
//! SecurityExpectations`) through the loader, as kubectl would read it, then
//! strictly: an unknown field, a wrong type or a missing field is an error
//! naming the file, line and column.

mod access;
mod admission;
mod fields;
mod network;

use std::path::Path;

use palisade_core::Node;
use palisade_load::{Limits, load_bytes};

use crate::model::{API_VERSION, Check, Expectation, Expectations, KIND};
pub use fields::ReadError;
use fields::{Fields, Source};

/// The keys that introduce an expectation, one per expectation.
const CHECK_KEYS: [&str; 7] = [
    "can", "cannot", "only", "reach", "isolated", "admitted", "rejected",
];

/// Reads the expectations file at `path`; `file:` references are relative to its folder.
pub fn read_path(path: &Path) -> Result<Expectations, ReadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ReadError {
        origin: name.clone(),
        message: format!("cannot read the expectations file: {e}"),
    })?;
    read(&name, &bytes, path.parent().unwrap_or(Path::new(".")))
}

/// Reads an expectations file's bytes; `file` names it in errors, `base` is
/// the folder `file:` references are relative to.
pub fn read(file: &str, bytes: &[u8], base: &Path) -> Result<Expectations, ReadError> {
    let root = single_document(file, bytes)?;
    let source = Source { file };
    let mut top = Fields::open(source, &root, "the expectations file")?;
    let api_version = source.string(top.required("apiVersion")?, "apiVersion")?;
    let kind = source.string(top.required("kind")?, "kind")?;
    if api_version != API_VERSION || kind != KIND {
        return Err(source.error(
            &root,
            format!(
                "expected apiVersion {API_VERSION} and kind {KIND}, found {api_version} {kind}"
            ),
        ));
    }
    // `metadata` is allowed (a name, labels) and not interpreted.
    top.optional("metadata");
    let list = top.required("expectations")?;
    top.finish()?;
    let items = list.as_seq().ok_or_else(|| {
        source.error(
            list,
            format!("expectations must be a list, not {}", list.type_name()),
        )
    })?;
    let context = Context { source, base };
    let items = items
        .iter()
        .map(|item| expectation(&context, item))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Expectations {
        file: file.to_owned(),
        items,
    })
}

/// What every part of the reader needs: the file, and where `file:` paths start.
pub(crate) struct Context<'a> {
    pub source: Source<'a>,
    pub base: &'a Path,
}

/// The one document of the file, read by the loader (go-yaml's reading, with
/// its error messages and positions).
fn single_document(file: &str, bytes: &[u8]) -> Result<Node, ReadError> {
    let load = load_bytes(file.into(), bytes, &Limits::default()).map_err(|e| ReadError {
        origin: format!("{}{}", e.file, e.pos.place()),
        message: e.message,
    })?;
    let mut objects = load.objects.into_iter();
    match (objects.next(), objects.next()) {
        (Some(object), None) => Ok(object.into_root()),
        (None, _) => Err(ReadError {
            origin: file.to_owned(),
            message: format!("no {KIND} document in the file"),
        }),
        (Some(_), Some(second)) => Err(ReadError {
            origin: second.source().origin(),
            message: format!("one {KIND} document per file: a second document starts here"),
        }),
    }
}

/// One item of `expectations`: an optional `name` and exactly one check.
fn expectation(context: &Context, node: &Node) -> Result<Expectation, ReadError> {
    let source = context.source;
    let mut fields = Fields::open(source, node, "an expectation")?;
    let name = fields.optional_string("name")?;
    let mut found: Vec<(&'static str, &Node)> = Vec::new();
    for key in CHECK_KEYS {
        if let Some(value) = fields.optional(key) {
            found.push((key, value));
        }
    }
    fields.finish()?;
    let (key, value) = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err(source.error(
                node,
                format!("an expectation needs one of {}", CHECK_KEYS.join(", ")),
            ));
        }
        [_, (second, value), ..] => {
            return Err(source.error(
                value,
                format!("an expectation has one check: {second} is a second one (write another expectation)"),
            ));
        }
    };
    let check = match key {
        "can" | "cannot" => access::access(context, value, key == "can")?,
        "only" => access::only(context, value)?,
        "reach" | "isolated" => network::flow(context, value, key == "reach")?,
        _ => admission::case(context, value, key == "admitted")?,
    };
    let name = name.unwrap_or_else(|| derived_name(&check));
    Ok(Expectation {
        name,
        at: source.at(node),
        check,
    })
}

/// A name for an expectation written without one, saying what it checks.
fn derived_name(check: &Check) -> String {
    use crate::model::Target;
    match check {
        Check::Access { question, .. } => {
            let target = match &question.target {
                Target::Resource {
                    resource,
                    namespace,
                    name,
                } => {
                    let named = name.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
                    let scope = namespace
                        .as_ref()
                        .map(|ns| format!(" in {ns}"))
                        .unwrap_or_else(|| " cluster-wide".to_owned());
                    format!("{resource}{named}{scope}")
                }
                Target::NonResource { url } => url.clone(),
            };
            format!(
                "{} {} {} {target}",
                question.subject.describe(),
                check.kind(),
                question.verb
            )
        }
        Check::Only { subject, .. } => {
            format!("{} holds only the listed permissions", subject.describe())
        }
        Check::Network { flow, .. } => {
            let port = flow
                .port
                .map(|(protocol, port)| format!(" on {protocol} {port}"))
                .unwrap_or_default();
            format!(
                "{} {} {}{port}",
                flow.from.describe(),
                if check.kind() == "reach" {
                    "reaches"
                } else {
                    "cannot reach"
                },
                flow.to.describe()
            )
        }
        Check::Admission { case, .. } => {
            let text = |path: &[&str]| case.object.path(path).and_then(Node::as_str).unwrap_or("");
            format!(
                "{} {} is {}",
                text(&["kind"]),
                text(&["metadata", "name"]),
                check.kind()
            )
        }
    }
}

#[cfg(test)]
mod tests;
