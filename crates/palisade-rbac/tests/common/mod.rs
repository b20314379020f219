//! Helpers shared by the integration tests: objects from JSON, the bootstrap
//! policy from the shared kit (when present).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_core::{Node, Object, Pos, SourceRef};
use serde_json::Value;

/// An object from JSON, with a made-up position so findings have a location.
pub fn obj(json: Value) -> Object {
    let mut json = json;
    if let Some(map) = json.as_object_mut()
        && !map.contains_key("apiVersion")
    {
        let v = if map.get("kind").and_then(Value::as_str) == Some("ServiceAccount") {
            "v1"
        } else {
            "rbac.authorization.k8s.io/v1"
        };
        map.insert("apiVersion".into(), Value::from(v));
    }
    Object::new(
        Node::from_json(&json),
        SourceRef {
            file: Arc::from("test.yaml"),
            pos: Pos::new(1, 1),
        },
    )
}

pub fn kit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/rbac")
}

/// The bootstrap policy objects, or `None` when the shared kit is absent.
pub fn bootstrap() -> Option<Vec<Object>> {
    let dir = kit_dir().join("bootstrap");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).ok()?;
        let options = serde_saphyr::options! { strict_booleans: true };
        let doc: Value = serde_saphyr::from_str_with_options(&text, options).ok()?;
        for item in doc["items"].as_array().into_iter().flatten() {
            out.push(obj(item.clone()));
        }
    }
    Some(out)
}
