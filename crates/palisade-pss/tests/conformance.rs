//! Upstream conformance: every fixture of k8s.io/pod-security-admission's
//! `test/testdata` (copied into the shared workspace) evaluated at its folder's
//! level and version, checked against `manifest.json`.
//!
//! Authoritative: `expect` (pass/fail) and `expect_substring`. Cross-check:
//! `derived_detail` and `derived_failing_checks` (from an independent
//! implementation of SPEC.md); both must match exactly too.
//!
//! The fixtures are read with Palisade's own kubectl-exact loader, so positions
//! are real and the test exercises the same path as `palisade scan`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use palisade_core::Node;
use palisade_load::{Limits, load_bytes};
use palisade_pss::{LevelVersion, aggregate_message, evaluate};
use serde_json::Value;

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn upstream_fixtures_agree() {
    let Some(root) = palisade_core::shared_data::shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/pss",
        "manifest.json",
    ) else {
        return;
    };
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("manifest.json")).expect("read manifest.json"),
    )
    .expect("manifest.json is JSON");
    let entries: BTreeMap<&str, &Value> = manifest["fixtures"]
        .as_array()
        .expect("fixtures array")
        .iter()
        .map(|f| (f["file"].as_str().expect("file"), f))
        .collect();

    let testdata = root.join("testdata");
    let mut files = Vec::new();
    yaml_files(&testdata, &mut files);
    assert_eq!(
        files.len(),
        entries.len(),
        "files on disk vs manifest entries"
    );

    let (mut verdicts_ok, mut detail_ok, mut checks_ok) = (0, 0, 0);
    let mut problems = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(&testdata)
            .expect("under testdata")
            .to_string_lossy()
            .replace('\\', "/");
        let entry = entries
            .get(rel.as_str())
            .unwrap_or_else(|| panic!("{rel} not in manifest"));
        let bytes = std::fs::read(path).expect("read fixture");
        let loaded = load_bytes(rel.as_str().into(), &bytes, &Limits::default())
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        let [object] = loaded.objects.as_slice() else {
            panic!("{rel}: expected one object, got {}", loaded.objects.len());
        };
        let pod: &Node = object.root();
        let policy = LevelVersion {
            level: entry["level"]
                .as_str()
                .expect("level")
                .parse()
                .expect("valid level"),
            version: entry["version"]
                .as_str()
                .expect("version")
                .parse()
                .expect("valid version"),
        };
        let spec = pod.get("spec").unwrap_or_else(|| panic!("{rel}: no spec"));
        let failures = evaluate(pod.get("metadata"), spec, policy);
        let message = aggregate_message(&failures);

        match entry["expect"].as_str() {
            Some("pass") => {
                if failures.is_empty() {
                    verdicts_ok += 1;
                    // No derived detail for pass fixtures: the message must be empty.
                    detail_ok += 1;
                    checks_ok += 1;
                } else {
                    problems.push(format!("{rel}: expected pass, got: {message}"));
                }
            }
            Some("fail") => {
                let substring = entry["expect_substring"]
                    .as_str()
                    .expect("expect_substring");
                if !failures.is_empty()
                    && message.contains(substring)
                    && !message.contains("unknown forbidden reason")
                {
                    verdicts_ok += 1;
                } else {
                    problems.push(format!(
                        "{rel}: expected failure containing {substring:?}, got: {message:?}"
                    ));
                }
                if entry["derived_detail"].as_str() == Some(message.as_str()) {
                    detail_ok += 1;
                } else {
                    problems.push(format!(
                        "{rel}: derived_detail mismatch\n  want: {}\n  got:  {message}",
                        entry["derived_detail"]
                    ));
                }
                let want: Vec<&str> = entry["derived_failing_checks"]
                    .as_array()
                    .expect("derived_failing_checks")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                let got: Vec<&str> = failures.iter().map(|f| f.id).collect();
                if want == got {
                    checks_ok += 1;
                } else {
                    problems.push(format!("{rel}: failing checks {got:?}, derived {want:?}"));
                }
            }
            other => panic!("{rel}: bad expect {other:?}"),
        }
    }

    let total = files.len();
    println!(
        "pss conformance: {verdicts_ok}/{total} verdicts agree; {detail_ok}/{total} match derived detail; {checks_ok}/{total} match derived failing checks"
    );
    for p in &problems {
        println!("{p}");
    }
    assert_eq!(total, 4537, "fixture count");
    assert!(
        problems.is_empty(),
        "{} problems (see output)",
        problems.len()
    );
}
