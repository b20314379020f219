//! The test file (`cli.kyverno.io/v1alpha1`, kind `Test`; Kyverno's
//! `apis/v1alpha1/test.go` and `test_result.go`, loaded by `test/load.go`).
//!
//! Decoded strictly: an unknown field is an error. A file without
//! `apiVersion`/`kind`, or with the old top-level `name:`, is the deprecated
//! schema, which Kyverno refuses. Deprecated result fields are folded into
//! the current ones (`status` → `result`, `resource` → `resources`,
//! `patchedResource` → `patchedResources`).

use std::path::Path;

use palisade_core::Node;

use super::document::{Decoder, read_single, resolve};
use super::{Expectation, LoadError, TestFile};
use crate::Status;

const TEST_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "policies",
    "resources",
    "jsonPayload",
    "jsonPayloads",
    "targetResources",
    "variables",
    "paramResources",
    "userinfo",
    "results",
    "checks",
    "values",
    "exceptions",
    "context",
    "clusterResources",
];

const RESULT_FIELDS: &[&str] = &[
    "policy",
    "rule",
    "result",
    "kind",
    "resources",
    "patchedResource",
    "patchedResources",
    "generatedResource",
    "cloneSourceResource",
    "status",
    "resource",
    "namespace",
];

/// Reads and checks one test file.
pub fn read_test(path: &Path) -> Result<TestFile, LoadError> {
    let root = read_single(path)?;
    let decoder = Decoder { file: path };
    let map = root
        .as_map()
        .ok_or_else(|| decoder.error(&root, "a test file must be an object"))?;
    let api_version = decoder
        .string(map, "apiVersion", "test")?
        .unwrap_or_default();
    let kind = decoder.string(map, "kind", "test")?.unwrap_or_default();
    if api_version.is_empty() || kind.is_empty() || map.contains_key("name") {
        return Err(decoder.error(
            &root,
            "test file uses the deprecated schema (needs apiVersion and kind, and metadata.name instead of name)",
        ));
    }
    if !api_version.starts_with("cli.kyverno.io/") || kind != "Test" {
        return Err(decoder.error(
            &root,
            format!("not a test file: apiVersion {api_version:?}, kind {kind:?} (expected cli.kyverno.io/*, Test)"),
        ));
    }
    decoder.object(&root, "test", TEST_FIELDS)?;
    let name = match map.get("metadata") {
        Some(metadata) if !metadata.is_null() => {
            let metadata = decoder.object(
                metadata,
                "metadata",
                &[
                    "name",
                    "namespace",
                    "labels",
                    "annotations",
                    "generateName",
                    "uid",
                    "resourceVersion",
                    "generation",
                    "creationTimestamp",
                ],
            )?;
            decoder
                .string(metadata, "name", "metadata")?
                .unwrap_or_default()
        }
        _ => String::new(),
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    let paths = |key: &str| -> Result<Vec<std::path::PathBuf>, LoadError> {
        let mut out = Vec::new();
        for entry in decoder.strings(map, key, "test")? {
            let resolved = resolve(folder, &entry);
            if !out.contains(&resolved) {
                out.push(resolved);
            }
        }
        Ok(out)
    };
    let single = |key: &str| -> Result<Option<std::path::PathBuf>, LoadError> {
        Ok(decoder
            .string(map, key, "test")?
            .filter(|s| !s.is_empty())
            .map(|s| resolve(folder, &s)))
    };
    let results = decoder
        .list(map, "results", "test")?
        .iter()
        .map(|item| expectation(&decoder, item, folder))
        .collect::<Result<_, _>>()?;
    Ok(TestFile {
        path: path.to_path_buf(),
        name,
        policies: paths("policies")?,
        resources: paths("resources")?,
        variables: single("variables")?,
        userinfo: single("userinfo")?,
        context: single("context")?,
        exceptions: paths("exceptions")?,
        results,
    })
}

/// A field name Kyverno uses to mark entries for a policy type other than
/// ClusterPolicy (`isValidatingPolicy`, `isValidatingAdmissionPolicy`, ...).
fn is_policy_type_flag(field: &str) -> bool {
    field.starts_with("is") && field.ends_with("Policy")
}

fn expectation(
    decoder: &Decoder<'_>,
    node: &Node,
    folder: &Path,
) -> Result<Expectation, LoadError> {
    let where_ = "results[]";
    let map = node.as_map().ok_or_else(|| {
        decoder.error(
            node,
            format!("{where_}: expected an object, found {}", node.type_name()),
        )
    })?;
    let mut is_validating_policy = false;
    for (key, _) in map.iter() {
        if is_policy_type_flag(&key.name) {
            is_validating_policy |= decoder.boolean(map, &key.name, where_)?;
        } else if !RESULT_FIELDS.contains(&key.name.as_str()) {
            return Err(decoder.error(node, format!("{where_}: unknown field \"{}\"", key.name)));
        }
    }
    let policy = decoder.string(map, "policy", where_)?.unwrap_or_default();
    let policy = policy.rsplit('/').next().unwrap_or_default().to_owned();
    let result_text = match decoder
        .string(map, "result", where_)?
        .filter(|s| !s.is_empty())
    {
        Some(text) => text,
        None => decoder.string(map, "status", where_)?.unwrap_or_default(),
    };
    let result = Status::parse(result_text.trim()).ok_or_else(|| {
        decoder.error(
            node,
            format!("{where_}.result: {result_text:?} is not one of pass, fail, warn, error, skip"),
        )
    })?;
    let mut resources = decoder.strings(map, "resources", where_)?;
    if let Some(resource) = decoder
        .string(map, "resource", where_)?
        .filter(|s| !s.is_empty())
    {
        resources.push(resource);
    }
    let file = |key: &str| -> Result<Option<std::path::PathBuf>, LoadError> {
        Ok(decoder
            .string(map, key, where_)?
            .filter(|s| !s.is_empty())
            .map(|s| resolve(folder, &s)))
    };
    Ok(Expectation {
        policy,
        rule: decoder
            .string(map, "rule", where_)?
            .filter(|s| !s.is_empty()),
        is_validating_policy,
        kind: decoder
            .string(map, "kind", where_)?
            .filter(|s| !s.is_empty()),
        resources,
        result,
        patched_resources: file("patchedResources")?.or(file("patchedResource")?),
        generated_resource: file("generatedResource")?,
        clone_source_resource: file("cloneSourceResource")?,
    })
}
