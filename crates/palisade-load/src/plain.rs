//! Telling a walked file that is plainly not a Kubernetes manifest (a
//! `package.json`, a chart's `values.yaml`, a CI config) from a broken manifest.
//!
//! The test is deliberately narrow: the file must read as YAML or JSON, and no
//! document in it may be a mapping with an `apiVersion` or `kind` key. A file
//! that does not parse (a template with `{{ }}`, a truncated manifest) or that
//! has one such key anywhere at the top of a document stays an error: it may be
//! a manifest gone wrong, and skipping it would count it as clean.

use super::build::{self, FileState};
use super::{Limits, decode, json, split};
use palisade_core::node::{Node, Value};

/// True when `bytes` parse and no document looks like a Kubernetes object.
pub(crate) fn plainly_not_kubernetes(bytes: &[u8], limits: &Limits) -> bool {
    let Ok(text) = decode::decode(bytes) else {
        return false;
    };
    let mut state = FileState::default();
    let mut looks_like_an_object = false;
    let mut see = |root: &Node| {
        if let Value::Map(map) = &root.value {
            looks_like_an_object |= map.contains_key("apiVersion") || map.contains_key("kind");
        }
    };
    if split::is_json(&text) {
        let parsed = json::parse_stream(&text, limits, &mut state, |root, _| {
            see(&root);
            Ok(())
        });
        return parsed.is_ok() && !looks_like_an_object;
    }
    for chunk in split::Splitter::new(&text) {
        let Ok(chunk) = chunk else {
            return false;
        };
        match build::build_yaml(chunk.text, chunk.first_line, limits, &mut state) {
            Ok(Some(root)) => see(&root),
            Ok(None) => {}
            Err(_) => return false,
        }
        state.notes.clear();
    }
    !looks_like_an_object
}
