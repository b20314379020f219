//! Finding test files under a folder, as `kyverno test <dir>` does: every
//! `kyverno-test.yaml`, and any other YAML file whose document is a
//! `cli.kyverno.io/*` `Test`. Hidden folders (`.kyverno-test`) are searched;
//! symbolic links to folders are not followed (no cycles).

use std::path::{Path, PathBuf};

/// Every test file under `root`, sorted.
pub fn find_tests(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                pending.push(path);
            } else if is_test_file(&path) {
                found.push(path);
            }
        }
    }
    if root.is_file() && is_test_file(root) {
        found.push(root.to_path_buf());
    }
    found.sort();
    found
}

/// Whether a file is a `kyverno test` file: named `kyverno-test.yaml`, or a
/// YAML file with a `cli.kyverno.io/*` `Test` document.
pub fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == "kyverno-test.yaml" {
        return true;
    }
    if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
        return false;
    }
    // Cheap text test first; parse only the candidates.
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    if !text.contains("cli.kyverno.io/") || !text.contains("Test") {
        return false;
    }
    super::document::read_nodes(path).is_ok_and(|nodes| {
        nodes.iter().any(|node| {
            node.get("kind").and_then(palisade_core::Node::as_str) == Some("Test")
                && node
                    .get("apiVersion")
                    .and_then(palisade_core::Node::as_str)
                    .is_some_and(|v| v.starts_with("cli.kyverno.io/"))
        })
    })
}
