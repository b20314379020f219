//! The machine formats of findings commands end to end: `-o sarif`, `-o junit`,
//! `-o policyreport`, several outputs in one run (`-o FORMAT=FILE`), and the
//! rules about them (one report on standard output, files written whole, exit
//! statuses unchanged, standard error clean when it is not a terminal).
//! `--analyzers pss,netpol,rbac` keeps the findings stable as checks are added.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{json_of, repo_root, tempdir};
use serde_json::Value;

const ANALYZERS: &str = "pss,netpol,rbac";

/// `palisade scan examples/ --analyzers pss,netpol,rbac ARGS` from the
/// repository root, with a fixed `SOURCE_DATE_EPOCH`. The hardening
/// challenge is left out: it has its own tests (`harden.rs`).
fn scan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["scan", "examples/", "--exclude", "challenge"])
        .args(["--analyzers", ANALYZERS])
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(repo_root())
        .output()
        .unwrap_or_else(|e| panic!("the palisade binary runs: {e}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn findings_of(json: &Value) -> &Vec<Value> {
    json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("findings: {json}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn sarif_has_a_result_with_file_line_and_rule_for_every_finding() {
    let json = scan(&["-o", "json"]);
    let sarif = scan(&["-o", "sarif"]);
    assert_eq!(sarif.status.code(), Some(1), "{}", stderr(&sarif));
    assert_eq!(stderr(&sarif), "", "stderr stays clean without a terminal");
    let findings = findings_of(&json_of(&json)).clone();
    let log = json_of(&sarif);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "palisade");
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("{run}"));
    // Only the selected analyzers' rules are listed, and the suppression
    // rules, which every scan can report (an expired or unused suppression).
    assert!(rules.iter().all(|r| {
        r["id"].as_str().is_some_and(|id| {
            ["pss/", "netpol/", "rbac/", "suppress/"]
                .iter()
                .any(|p| id.starts_with(p))
        })
    }));
    assert!(rules.iter().any(|r| r["id"] == "pss/privileged"));
    let results = run["results"].as_array().unwrap_or_else(|| panic!("{run}"));
    assert_eq!(results.len(), findings.len());
    assert!(!results.is_empty());
    for (result, finding) in results.iter().zip(&findings) {
        assert_eq!(result["ruleId"], finding["rule"]);
        assert_eq!(result["message"]["text"], finding["message"]);
        let index = result["ruleIndex"]
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .unwrap_or_else(|| panic!("ruleIndex: {result}"));
        assert_eq!(rules[index]["id"], result["ruleId"]);
        if finding.get("file").is_some() {
            let physical = &result["locations"][0]["physicalLocation"];
            assert_eq!(physical["artifactLocation"]["uri"], finding["file"]);
            assert_eq!(physical["region"]["startLine"], finding["line"]);
            assert_eq!(physical["region"]["startColumn"], finding["column"]);
        }
        let level = match finding["severity"].as_str() {
            Some("critical" | "high") => "error",
            Some("medium") => "warning",
            _ => "note",
        };
        assert_eq!(result["level"], level);
    }
    // The same input gives the same log: fingerprints are stable.
    assert_eq!(stdout(&scan(&["-o", "sarif"])), stdout(&sarif));
}

/// The shared copies of the SARIF schema and PolicyReport CRDs, when present.
fn schemas() -> Option<std::path::PathBuf> {
    palisade_core::shared_data::shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "schemas",
        "sarif-schema-2.1.0.json",
    )
}

fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let validator = jsonschema::validator_for(schema)
        .unwrap_or_else(|e| panic!("the {what} schema compiles: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn the_examples_report_validates_against_the_published_schemas() {
    let Some(dir) = schemas() else { return };
    let sarif_schema: Value = serde_json::from_str(&read(&dir.join("sarif-schema-2.1.0.json")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_valid(&sarif_schema, &json_of(&scan(&["-o", "sarif"])), "SARIF");
    let crd_schema = |file: &str| -> Value {
        let crd: Value =
            serde_saphyr::from_str(&read(&dir.join(file))).unwrap_or_else(|e| panic!("{e}"));
        crd["spec"]["versions"]
            .as_array()
            .and_then(|versions| versions.iter().find(|v| v["name"] == "v1alpha2"))
            .map(|v| v["schema"]["openAPIV3Schema"].clone())
            .unwrap_or_else(|| panic!("{file}: no v1alpha2"))
    };
    let namespaced = crd_schema("wgpolicyk8s.io_policyreports.yaml");
    let cluster = crd_schema("wgpolicyk8s.io_clusterpolicyreports.yaml");
    let yaml = stdout(&scan(&["-o", "policyreport"]));
    let documents: Vec<Value> =
        serde_saphyr::from_multiple(&yaml).unwrap_or_else(|e| panic!("{e}"));
    assert!(documents.len() >= 2, "{yaml}");
    for document in &documents {
        let schema = if document["kind"] == "ClusterPolicyReport" {
            &cluster
        } else {
            &namespaced
        };
        assert_valid(schema, document, "PolicyReport");
    }
}

#[test]
fn junit_reads_as_reviewed() {
    let output = scan(&["-o", "junit"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let xml = stdout(&output);
    // Well-formed: every element closes, in order.
    let mut reader = quick_xml::Reader::from_str(&xml);
    reader.config_mut().check_end_names = true;
    let mut failures = 0;
    let mut suites = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == b"failure" => {
                failures += 1;
            }
            Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == b"testsuite" => {
                suites += 1;
            }
            Ok(_) => {}
            Err(e) => panic!("JUnit is XML: {e}\n{xml}"),
        }
    }
    assert!(failures > 0 && suites > failures / 10, "{xml}");
    insta::assert_snapshot!("scan_examples_junit", xml);
}

#[test]
fn policy_reports_hold_every_finding_once_split_by_namespace() {
    let json = json_of(&scan(&["-o", "json"]));
    let findings = findings_of(&json);
    let output = scan(&["-o", "policyreport"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let yaml = stdout(&output);
    let documents: Vec<Value> = serde_saphyr::from_multiple(&yaml)
        .unwrap_or_else(|e| panic!("the reports are YAML: {e}\n{yaml}"));
    let mut results = 0;
    for document in &documents {
        assert_eq!(document["apiVersion"], "wgpolicyk8s.io/v1alpha2");
        let rows = document["results"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        results += rows.len();
        match document["kind"].as_str() {
            Some("PolicyReport") => {
                let namespace = document["metadata"]["namespace"].as_str().unwrap_or("");
                assert_eq!(
                    document["metadata"]["name"],
                    format!("palisade-{namespace}")
                );
                for row in rows {
                    assert_eq!(row["resources"][0]["namespace"], namespace, "{row}");
                }
            }
            Some("ClusterPolicyReport") => {
                assert_eq!(document["metadata"]["name"], "palisade");
                assert!(document["metadata"].get("namespace").is_none());
            }
            other => panic!("unexpected kind {other:?}"),
        }
        for row in rows {
            assert_eq!(row["timestamp"]["seconds"], 1_700_000_000);
        }
        let summary = &document["summary"];
        let fail = summary["fail"].as_u64().unwrap_or(0);
        let warn = summary["warn"].as_u64().unwrap_or(0);
        assert_eq!(usize::try_from(fail + warn).ok(), Some(rows.len()));
    }
    assert_eq!(results, findings.len());
    // Messages survive the YAML (folded long lines, quotes) exactly.
    let mut written: Vec<&str> = documents
        .iter()
        .filter_map(|d| d["results"].as_array())
        .flatten()
        .filter_map(|r| r["message"].as_str())
        .collect();
    let mut found: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    written.sort_unstable();
    found.sort_unstable();
    assert_eq!(written, found);
    assert_eq!(
        documents.last().map(|d| &d["kind"]),
        Some(&Value::from("ClusterPolicyReport"))
    );
    insta::assert_snapshot!("scan_examples_policyreport", yaml);
}

#[test]
fn several_outputs_in_one_run_write_the_same_findings() {
    let dir = tempdir("palisade-outputs", "several");
    let json_file = dir.join("report.json");
    let sarif_file = dir.join("nested-name.sarif");
    let junit_file = dir.join("junit.xml");
    let output = scan(&[
        "-o",
        &format!("json={}", json_file.display()),
        "-o",
        &format!("sarif={}", sarif_file.display()),
        "-o",
        "table",
        "-o",
        &format!("junit={}", junit_file.display()),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    // The table went to standard output, the same as a table-only run.
    assert_eq!(stdout(&output), stdout(&scan(&[])));
    let json: Value = serde_json::from_str(&read(&json_file)).unwrap_or_else(|e| panic!("{e}"));
    let sarif: Value = serde_json::from_str(&read(&sarif_file)).unwrap_or_else(|e| panic!("{e}"));
    let results = sarif["runs"][0]["results"].as_array().map_or(0, Vec::len);
    assert_eq!(results, findings_of(&json).len());
    assert!(read(&junit_file).starts_with("<?xml"));
    // The files are the ones a single-format run prints.
    assert_eq!(read(&json_file), stdout(&scan(&["-o", "json"])));
    // Nothing else was left in the directory (no temporary files).
    let mut entries: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    entries.sort();
    assert_eq!(entries, ["junit.xml", "nested-name.sarif", "report.json"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fail_on_and_quiet_work_with_every_format() {
    let dir = tempdir("palisade-outputs", "quiet");
    let sarif_file = dir.join("r.sarif");
    for format in ["table", "json", "sarif", "junit", "policyreport"] {
        let never = scan(&["-o", format, "--fail-on", "never"]);
        assert_eq!(never.status.code(), Some(0), "{format}: {}", stderr(&never));
        assert!(!never.stdout.is_empty(), "{format}");
    }
    let quiet = scan(&[
        "-q",
        "-o",
        "table",
        "-o",
        &format!("sarif={}", sarif_file.display()),
    ]);
    assert_eq!(quiet.status.code(), Some(1));
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty());
    // --quiet silences standard output, not the files asked for.
    assert!(read(&sarif_file).contains("\"2.1.0\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn destinations_are_checked_before_anything_is_read_or_written() {
    let dir = tempdir("palisade-outputs", "usage");
    let file = dir.join("r.json");
    let file_arg = format!("json={}", file.display());
    let cases: [(&[&str], &str); 4] = [
        (&["-o", "json", "-o", "sarif"], "standard output"),
        (&["-o", &file_arg, "-o", &file_arg], "named twice"),
        (&["-o", "csv"], "csv"),
        (&["-o", "json="], "empty"),
    ];
    for (args, says) in cases {
        let output = scan(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(says),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
    assert!(!file.exists());
    // A file that cannot be written is an error naming it.
    let missing = dir.join("no/such/dir/r.sarif");
    let output = scan(&["-o", &format!("sarif={}", missing.display())]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no/such/dir/r.sarif"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rbac_risks_and_netpol_lint_write_the_machine_formats_too() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(args)
            .current_dir(repo_root())
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let risks = run(&["rbac", "risks", "-f", "examples/", "-o", "sarif"]);
    assert!(
        matches!(risks.status.code(), Some(0 | 1)),
        "{}",
        stderr(&risks)
    );
    let log = json_of(&risks);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    assert!(!rules.is_empty());
    assert!(
        rules
            .iter()
            .all(|r| r["id"].as_str().is_some_and(|id| id.starts_with("rbac/")))
    );
    let lint = run(&["netpol", "lint", "-f", "examples/", "-o", "junit"]);
    assert!(
        matches!(lint.status.code(), Some(0 | 1)),
        "{}",
        stderr(&lint)
    );
    let xml = stdout(&lint);
    assert!(xml.contains("<testsuite name=\"netpol/"), "{xml}");
    assert!(!xml.contains("name=\"pss/"), "{xml}");
}
