//! Reading typed fields out of a `Node` with errors that name the field
//! (`spec.validations[2].expression: must be a string`), so a broken policy
//! says where it is broken. Nothing here panics on input.

use palisade_core::{LabelSelector, Node};

/// A policy or binding that cannot be used, and the field at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParseError {
    pub field: String,
    pub message: String,
}

pub(crate) fn error(field: &str, message: impl Into<String>) -> ParseError {
    ParseError {
        field: field.to_owned(),
        message: message.into(),
    }
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The member `key` of a mapping, absent when missing or null.
pub(crate) fn member<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key).filter(|n| !n.is_null())
}

pub(crate) fn opt_str(node: &Node, path: &str, key: &str) -> Result<Option<String>, ParseError> {
    match member(node, key) {
        None => Ok(None),
        Some(n) => n.as_str().map(|s| Some(s.to_owned())).ok_or_else(|| {
            error(
                &join(path, key),
                format!("must be a string, not a {}", n.type_name()),
            )
        }),
    }
}

pub(crate) fn req_str(node: &Node, path: &str, key: &str) -> Result<String, ParseError> {
    match opt_str(node, path, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(error(&join(path, key), "Required value")),
    }
}

pub(crate) fn seq<'a>(node: &'a Node, path: &str, key: &str) -> Result<&'a [Node], ParseError> {
    match member(node, key) {
        None => Ok(&[]),
        Some(n) => n.as_seq().ok_or_else(|| {
            error(
                &join(path, key),
                format!("must be a list, not a {}", n.type_name()),
            )
        }),
    }
}

pub(crate) fn strings(node: &Node, path: &str, key: &str) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    for (i, item) in seq(node, path, key)?.iter().enumerate() {
        match item.as_str() {
            Some(s) => out.push(s.to_owned()),
            None => {
                return Err(error(
                    &format!("{}[{i}]", join(path, key)),
                    format!("must be a string, not a {}", item.type_name()),
                ));
            }
        }
    }
    Ok(out)
}

/// A label selector field; absent means "everything".
pub(crate) fn selector(node: &Node, path: &str, key: &str) -> Result<LabelSelector, ParseError> {
    match member(node, key) {
        None => Ok(LabelSelector::everything()),
        Some(n) => LabelSelector::parse(n).map_err(|m| error(&join(path, key), m)),
    }
}
