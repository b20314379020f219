//! Upstream's Pod Security Admission fixtures, judged through `palisade scan`.
//!
//! Every fixture under `../shared/conformance/pss/testdata/<level>/<version>/<outcome>/`
//! is scanned at exactly that level and version (one CLI run per folder). A `pass`
//! file must get no `pss/` finding; a `fail` file must get findings whose text
//! contains the substring upstream's own test expects (from `manifest.json`).
//! Without the shared data (a clone outside this workspace) the test says it is
//! skipped; with `PALISADE_REQUIRE_CONFORMANCE=1` (CI) missing data is a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn conformance_dir() -> Option<PathBuf> {
    palisade_core::shared_data::shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/pss",
        "manifest.json",
    )
}

struct Expectation {
    expect_fail: bool,
    substring: Option<String>,
}

#[test]
fn every_upstream_fixture_gets_upstream_s_verdict_through_the_cli() {
    let Some(dir) = conformance_dir() else { return };
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(dir.join("manifest.json")).expect("manifest.json is readable"),
    )
    .expect("manifest.json is JSON");
    let mut expected: BTreeMap<String, Expectation> = BTreeMap::new();
    let mut folders: BTreeSet<(String, String, String)> = BTreeSet::new();
    for fixture in manifest["fixtures"]
        .as_array()
        .expect("fixtures is an array")
    {
        let file = fixture["file"]
            .as_str()
            .expect("file is a string")
            .to_owned();
        let level = fixture["level"].as_str().expect("level").to_owned();
        let version = fixture["version"].as_str().expect("version").to_owned();
        let outcome = fixture["expect"].as_str().expect("expect").to_owned();
        folders.insert((level, version, outcome.clone()));
        expected.insert(
            file,
            Expectation {
                expect_fail: outcome == "fail",
                substring: fixture["expect_substring"].as_str().map(str::to_owned),
            },
        );
    }
    assert_eq!(
        expected.len(),
        4537,
        "the manifest lists every upstream fixture"
    );

    let testdata = dir.join("testdata");
    let mut agree = 0usize;
    let mut disagreements = Vec::new();
    for (level, version, outcome) in &folders {
        let folder = testdata.join(level).join(version).join(outcome);
        let output = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args([
                "scan",
                "--pss-level",
                level,
                "--pss-version",
                version,
                "-o",
                "json",
            ])
            .arg(&folder)
            .output()
            .expect("palisade runs");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}: exit {:?}: {}",
            folder.display(),
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
        let report: Value = serde_json::from_slice(&output.stdout).expect("scan prints JSON");
        // The text of every pss finding, per fixture file.
        let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for finding in report["findings"].as_array().expect("findings") {
            if !finding["rule"]
                .as_str()
                .unwrap_or_default()
                .starts_with("pss/")
            {
                continue;
            }
            let file = finding["file"].as_str().unwrap_or_default();
            let relative = Path::new(file)
                .strip_prefix(&testdata)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| file.to_owned());
            messages
                .entry(relative)
                .or_default()
                .push(finding["message"].as_str().unwrap_or_default().to_owned());
        }
        let prefix = format!("{level}/{version}/{outcome}/");
        for (file, expectation) in expected
            .range(prefix.clone()..)
            .take_while(|(f, _)| f.starts_with(&prefix))
        {
            let text = messages.get(file).map(|m| m.join(", ")).unwrap_or_default();
            let verdict_ok = if expectation.expect_fail {
                !text.is_empty()
                    && !text.contains("unknown forbidden reason")
                    && expectation
                        .substring
                        .as_deref()
                        .is_none_or(|s| text.contains(s))
            } else {
                text.is_empty()
            };
            if verdict_ok {
                agree += 1;
            } else {
                disagreements.push(format!(
                    "{file}: got {text:?}, expected substring {:?}",
                    expectation.substring
                ));
            }
        }
    }
    println!(
        "pss conformance through the CLI: {agree}/{} upstream verdicts agree",
        expected.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} fixtures disagree:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(agree, 4537);
}
