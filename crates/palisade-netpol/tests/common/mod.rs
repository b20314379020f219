//! Shared helpers for the np-guard conformance tests: locating the shared
//! suite, reading `cases.json`, and loading an input folder the way the CLI will.

#![allow(dead_code)]

use std::path::PathBuf;

use palisade_core::Inventory;
use palisade_load::{Input, Limits, load_inputs};

/// The shared conformance folder, or `None` (after printing why) when it is
/// absent and not required. With `PALISADE_REQUIRE_CONFORMANCE=1` absence fails.
pub fn suite() -> Option<PathBuf> {
    palisade_core::shared_data::shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/netpol",
        "np-guard/cases.json",
    )
}

pub fn cases(suite: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(suite.join("np-guard/cases.json"))
        .unwrap_or_else(|e| panic!("cases.json: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cases.json: {e}"))
}

/// The policy and network kinds present in a case's input folders.
pub fn kinds(index: &serde_json::Value, case: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for dir in case["dirs"].as_array().into_iter().flatten() {
        let dir = dir.as_str().unwrap_or_default();
        for k in index["dirs"][dir]["kinds"].as_array().into_iter().flatten() {
            if let Some(k) = k.as_str()
                && !out.iter().any(|o| o == k)
            {
                out.push(k.to_owned());
            }
        }
    }
    out
}

/// Loads a test input folder with the kubectl-exact loader. Files that are not
/// Kubernetes objects fail to load and are skipped, as np-guard skips them.
pub fn load(suite: &std::path::Path, dir: &str) -> Inventory {
    load_with_errors(suite, dir).0
}

/// Like [`load`], also returning how many files failed to load.
pub fn load_with_errors(suite: &std::path::Path, dir: &str) -> (Inventory, usize) {
    let loaded = load_inputs(
        &[Input::Path(suite.join("np-guard/tests").join(dir))],
        &Limits::default(),
    );
    (Inventory::new(loaded.objects), loaded.errors.len())
}
