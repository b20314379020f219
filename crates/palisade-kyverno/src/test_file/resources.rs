//! Resource files as `kyverno test` loads them (`processor`, `resource`
//! loaders and `test.go`):
//!
//! * every document is an object (a `List` is flattened into its items);
//! * an object without `metadata.namespace` (or with an empty one) is put in
//!   `default`, cluster-scoped kinds included;
//! * `null` under a key named `annotations`, `labels`, `matchLabels`,
//!   `nodeSelector`, `data` or `stringData`, at any depth, becomes `{}`;
//! * every number becomes a float64, as Go's JSON decoding into `interface{}`
//!   gives;
//! * objects with the same (API group, kind, namespace, name) are loaded
//!   once: the first wins.

use std::path::PathBuf;

use super::LoadError;
use super::document::read_nodes;
use crate::Json;

/// Keys whose `null` value Kyverno's loader turns into an empty map.
const MAP_KEYS: [&str; 6] = [
    "annotations",
    "labels",
    "matchLabels",
    "nodeSelector",
    "data",
    "stringData",
];

/// Every object of every file, normalised and de-duplicated.
pub fn read_resources(paths: &[PathBuf]) -> Result<Vec<Json>, LoadError> {
    let mut seen: Vec<(String, String, String, String)> = Vec::new();
    let mut out = Vec::new();
    for path in paths {
        for node in read_nodes(path)? {
            let mut object = normalise(node.to_json());
            set_default_namespace(&mut object);
            let identity = identity(&object);
            if !seen.contains(&identity) {
                seen.push(identity);
                out.push(object);
            }
        }
    }
    Ok(out)
}

/// Numbers to float64 and `null` maps to `{}`, at every depth.
pub(super) fn normalise(value: Json) -> Json {
    match value {
        Json::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Json::Number(n), Json::Number),
        Json::Array(items) => Json::Array(items.into_iter().map(normalise).collect()),
        Json::Object(map) => Json::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if value.is_null() && MAP_KEYS.contains(&key.as_str()) {
                        Json::Object(Default::default())
                    } else {
                        normalise(value)
                    };
                    (key, value)
                })
                .collect(),
        ),
        other => other,
    }
}

fn set_default_namespace(object: &mut Json) {
    let Some(root) = object.as_object_mut() else {
        return;
    };
    let metadata = root
        .entry("metadata")
        .or_insert_with(|| Json::Object(Default::default()));
    if !metadata.is_object() {
        *metadata = Json::Object(Default::default());
    }
    if let Some(metadata) = metadata.as_object_mut() {
        let empty = metadata
            .get("namespace")
            .and_then(Json::as_str)
            .is_none_or(str::is_empty);
        if empty {
            metadata.insert("namespace".to_owned(), Json::String("default".to_owned()));
        }
    }
}

/// (API group, kind, namespace, name).
fn identity(object: &Json) -> (String, String, String, String) {
    let text = |pointer: &str| {
        object
            .pointer(pointer)
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let api_version = text("/apiVersion");
    let group = api_version
        .rsplit_once('/')
        .map_or("", |(group, _)| group)
        .to_owned();
    (
        group,
        text("/kind"),
        text("/metadata/namespace"),
        text("/metadata/name"),
    )
}
