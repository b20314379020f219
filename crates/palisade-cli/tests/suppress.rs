//! Suppressions end to end: annotations on objects, pod templates and
//! containers, `.palisade.yaml` (found upward, strict, exemptions, severity,
//! ignored paths, rule choice), baselines, expiry, strict mode, and the
//! `suppress/*` findings about suppressions themselves. Each test scans files
//! in its own temporary folder with one analyzer or rule selected, and compares
//! runs with and without a suppression rather than fixed counts.

mod common;

use std::path::Path;

use common::{json_of, palisade, tempdir};
use serde_json::Value;

/// A Deployment whose two containers each lack `readOnlyRootFilesystem`
/// (one `workload/read-only-root-filesystem` finding per container) and run as
/// root (Pod Security `runAsNonRoot`). `ANNOTATIONS` and `TEMPLATE_ANNOTATIONS`
/// are replaced by each test.
const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    owner: team-a
ANNOTATIONS
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        note: x
TEMPLATE_ANNOTATIONS
    spec:
      containers:
      - name: app
        image: registry.example/app:1.0
      - name: sidecar
        image: registry.example/sidecar:1.0
";

fn manifest(object_annotations: &[&str], template_annotations: &[&str]) -> String {
    let indent = |lines: &[&str], by: usize| {
        lines
            .iter()
            .map(|l| format!("{}{l}", " ".repeat(by)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    DEPLOYMENT
        .replace(
            "TEMPLATE_ANNOTATIONS\n",
            &format!("{}\n", indent(template_annotations, 8)),
        )
        .replace(
            "ANNOTATIONS\n",
            &format!("{}\n", indent(object_annotations, 4)),
        )
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// `palisade scan -o json --fail-on never ARGS` and its JSON.
fn scan(args: &[&str]) -> Value {
    let mut all = vec!["scan", "-o", "json", "--fail-on", "never"];
    all.extend(args);
    let output = palisade(&all);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{all:?}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_of(&output)
}

fn findings(report: &Value) -> Vec<Value> {
    report["findings"].as_array().cloned().unwrap_or_default()
}

fn rules_of(report: &Value) -> Vec<String> {
    findings(report)
        .iter()
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .collect()
}

fn count(report: &Value, rule: &str) -> usize {
    rules_of(report).iter().filter(|r| *r == rule).count()
}

fn suppressed(report: &Value) -> u64 {
    report["summary"]["suppressed"].as_u64().unwrap_or(u64::MAX)
}

const RORF: &str = "workload/read-only-root-filesystem";

#[test]
fn an_object_annotation_suppresses_its_rule_and_is_counted() {
    let dir = tempdir("suppress", "object");
    let plain = write(&dir, "plain.yaml", &manifest(&[], &[]));
    let before = scan(&[&plain, "--analyzers", "pss"]);
    let root = count(&before, "pss/runAsNonRoot");
    assert!(root > 0, "the fixture runs as root: {before}");
    let annotated = write(
        &dir,
        "annotated.yaml",
        &manifest(
            &["ignore.palisade.dev/pss.runAsNonRoot: \"image needs root until OPS-12\""],
            &[],
        ),
    );
    let after = scan(&[&annotated, "--analyzers", "pss"]);
    assert_eq!(count(&after, "pss/runAsNonRoot"), 0, "{after}");
    assert_eq!(suppressed(&after), root as u64);
    assert_eq!(findings(&after).len() + root, findings(&before).len());

    let shown = scan(&[&annotated, "--analyzers", "pss", "--show-suppressed"]);
    let marked: Vec<Value> = findings(&shown)
        .into_iter()
        .filter(|f| f["rule"] == "pss/runAsNonRoot")
        .collect();
    assert_eq!(marked.len(), root);
    for f in &marked {
        assert_eq!(f["suppressed"]["by"], "annotation");
        assert_eq!(f["suppressed"]["reason"], "image needs root until OPS-12");
    }
    assert_eq!(shown["summary"]["findings"], after["summary"]["findings"]);
}

#[test]
fn an_analyzer_prefix_annotation_covers_all_its_rules() {
    let dir = tempdir("suppress", "prefix");
    let file = write(
        &dir,
        "a.yaml",
        &manifest(&["ignore.palisade.dev/pss: \"legacy image\""], &[]),
    );
    let report = scan(&[&file, "--analyzers", "pss"]);
    assert!(
        rules_of(&report).iter().all(|r| !r.starts_with("pss/")),
        "{report}"
    );
    assert!(suppressed(&report) > 0);
}

#[test]
fn container_annotations_cover_only_their_container() {
    let dir = tempdir("suppress", "container");
    let plain = write(&dir, "plain.yaml", &manifest(&[], &[]));
    assert_eq!(count(&scan(&[&plain, "--analyzers", RORF]), RORF), 2);
    let file = write(
        &dir,
        "a.yaml",
        &manifest(
            &[],
            &[
                "container.ignore.palisade.dev/sidecar.workload.read-only-root-filesystem: \"writes its socket\"",
            ],
        ),
    );
    let report = scan(&[&file, "--analyzers", RORF]);
    let left = findings(&report);
    assert_eq!(left.len(), 1, "{report}");
    assert!(
        left[0]["message"].as_str().unwrap_or("").contains("app"),
        "{report}"
    );
    assert_eq!(suppressed(&report), 1);
}

#[test]
fn a_template_annotation_covers_the_template() {
    let dir = tempdir("suppress", "template");
    let file = write(
        &dir,
        "a.yaml",
        &manifest(
            &[],
            &["ignore.palisade.dev/workload.read-only-root-filesystem: \"both write /tmp\""],
        ),
    );
    let report = scan(&[&file, "--analyzers", RORF]);
    assert_eq!(count(&report, RORF), 0, "{report}");
    assert_eq!(suppressed(&report), 2);
}

#[test]
fn wrong_annotations_suppress_nothing_and_are_reported() {
    let dir = tempdir("suppress", "wrong");
    let cases = [
        (
            "ignore.palisade.dev/workload.read-only-root-filesystem: \"\"",
            "suppress/missing-reason",
        ),
        (
            "ignore.palisade.dev/workload.read-only-root-filesystem: \"expires=2999-01-01\"",
            "suppress/missing-reason",
        ),
        (
            "ignore.palisade.dev/workload.read-only-rootfs: \"typo\"",
            "suppress/unknown-rule",
        ),
        (
            "ignore.palisade.dev/workload.read-only-root-filesystem: \"x; expires=2027-02-30\"",
            "suppress/invalid-expiry",
        ),
        (
            "ignore.palisade.dev/workload.read-only-root-filesystem: \"old; expires=2000-01-01\"",
            "suppress/expired",
        ),
    ];
    for (i, (annotation, rule)) in cases.iter().enumerate() {
        let file = write(&dir, &format!("{i}.yaml"), &manifest(&[annotation], &[]));
        let report = scan(&[&file, "--analyzers", RORF]);
        assert_eq!(count(&report, RORF), 2, "{annotation}: {report}");
        assert_eq!(count(&report, rule), 1, "{annotation}: {report}");
        assert_eq!(suppressed(&report), 0);
        let note = findings(&report)
            .into_iter()
            .find(|f| f["rule"] == *rule)
            .unwrap_or_default();
        assert_eq!(note["line"], 8, "the note points at the annotation: {note}");
    }
    let future = write(
        &dir,
        "future.yaml",
        &manifest(
            &[
                "ignore.palisade.dev/workload.read-only-root-filesystem: \"new; expires=2999-12-31\"",
            ],
            &[],
        ),
    );
    assert_eq!(suppressed(&scan(&[&future, "--analyzers", RORF])), 2);
}

#[test]
fn an_annotation_that_suppresses_nothing_is_reported_unused() {
    let dir = tempdir("suppress", "unused");
    let file = write(
        &dir,
        "a.yaml",
        &manifest(&["ignore.palisade.dev/pss.privileged: \"GPU driver\""], &[]),
    );
    let report = scan(&[&file, "--analyzers", "pss"]);
    assert_eq!(count(&report, "suppress/unused"), 1, "{report}");
    // Not judged when its rule is not selected.
    let other = scan(&[&file, "--analyzers", RORF]);
    assert_eq!(count(&other, "suppress/unused"), 0, "{other}");
}

#[test]
fn strict_mode_ignores_annotations_and_reports_them() {
    let dir = tempdir("suppress", "strict");
    let file = write(
        &dir,
        "a.yaml",
        &manifest(
            &["ignore.palisade.dev/workload.read-only-root-filesystem: \"writes /tmp\""],
            &[],
        ),
    );
    let report = scan(&[&file, "--analyzers", RORF, "--strict"]);
    assert_eq!(count(&report, RORF), 2, "{report}");
    assert_eq!(count(&report, "suppress/not-allowed"), 1);
    assert_eq!(suppressed(&report), 0);

    write(&dir, ".palisade.yaml", "strict: [workload/*]\n");
    let report = scan(&[&file, "--analyzers", RORF]);
    assert_eq!(count(&report, RORF), 2, "{report}");
    assert_eq!(count(&report, "suppress/not-allowed"), 1);
    write(&dir, ".palisade.yaml", "strict: [pss/*]\n");
    assert_eq!(suppressed(&scan(&[&file, "--analyzers", RORF])), 2);
}

#[test]
fn the_config_file_is_found_upward_and_its_exemptions_apply() {
    let dir = tempdir("suppress", "config");
    std::fs::create_dir_all(dir.join(".git")).expect("git folder");
    write(
        &dir,
        ".palisade.yaml",
        "exemptions:\n  - rules: [workload/read-only-root-filesystem]\n    kind: Deployment\n    namespace: shop\n    name: w*\n    container: side*\n    reason: the sidecar writes its socket\n  - rules: [pss/privileged]\n    name: gone\n    reason: removed workload\n",
    );
    let file = write(&dir, "apps/web/a.yaml", &manifest(&[], &[]));
    let report = scan(&[&file, "--analyzers", &format!("{RORF},pss/privileged")]);
    assert_eq!(count(&report, RORF), 1, "{report}");
    assert_eq!(suppressed(&report), 1);
    let unused: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["rule"] == "suppress/unused")
        .collect();
    assert_eq!(unused.len(), 1, "{report}");
    assert_eq!(
        unused[0]["line"], 8,
        "the unused exemption's line: {}",
        unused[0]
    );
    assert!(
        unused[0]["file"]
            .as_str()
            .unwrap_or("")
            .ends_with(".palisade.yaml")
    );

    let without = scan(&[&file, "--analyzers", RORF, "--no-config"]);
    assert_eq!(count(&without, RORF), 2, "{without}");
    // A folder with `.git` ends the search: a config above it is not read.
    let inner = dir.join("apps");
    std::fs::create_dir_all(inner.join(".git")).expect("git folder");
    assert_eq!(count(&scan(&[&file, "--analyzers", RORF]), RORF), 2);
    // --config names one explicitly.
    let config = dir.join(".palisade.yaml").display().to_string();
    assert_eq!(
        count(
            &scan(&[&file, "--analyzers", RORF, "--config", &config]),
            RORF
        ),
        1
    );
}

#[test]
fn config_rules_severity_and_ignored_paths() {
    let dir = tempdir("suppress", "config-rules");
    let kept = write(&dir, "apps/a.yaml", &manifest(&[], &[]));
    let vendored = write(&dir, "vendor/chart/b.yaml", &manifest(&[], &[]));
    write(
        &dir,
        ".palisade.yaml",
        "rules:\n  disable: [pss/*]\nseverity:\n  workload/read-only-root-filesystem: critical\nignore-paths: [\"vendor/**\", \"nothing/**\"]\n",
    );
    let report = scan(&[&kept, &vendored, "--analyzers", &format!("pss,{RORF}")]);
    assert!(
        rules_of(&report).iter().all(|r| !r.starts_with("pss/")),
        "{report}"
    );
    let rorf: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["rule"] == RORF)
        .collect();
    assert_eq!(rorf.len(), 2, "only apps/a.yaml's: {report}");
    assert!(
        rorf.iter()
            .all(|f| f["severity"] == "critical" && f["file"] == kept.as_str())
    );
    assert_eq!(suppressed(&report), 2, "vendor/chart/b.yaml's two");
    assert_eq!(
        count(&report, "suppress/unused"),
        1,
        "nothing/** is unused: {report}"
    );
    // --rules names a disabled rule: the command line wins over the file.
    let named = scan(&[&kept, "--rules", "pss/runAsNonRoot"]);
    assert!(count(&named, "pss/runAsNonRoot") > 0, "{named}");
    assert!(
        rules_of(&named).iter().all(|r| r == "pss/runAsNonRoot"),
        "{named}"
    );
}

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = tempdir("suppress", "config-errors");
    let file = write(&dir, "a.yaml", &manifest(&[], &[]));
    for (text, line) in [
        (
            "rules:\n  enable: [pss/*]\n  disabel: [pss/privileged]\n",
            3,
        ),
        (
            "exemptions:\n  - rules: [pss/privileged]\n    reason: \"\"\n",
            2,
        ),
        ("severity:\n  pss/nope: high\n", 2),
    ] {
        let config = write(&dir, ".palisade.yaml", text);
        let output = palisade(&["scan", &file, "--analyzers", "pss"]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{config}:{line}")),
            "{text}\n{stderr}"
        );
    }
}

#[test]
fn rule_flags_are_checked_against_the_registry_and_compose() {
    let dir = tempdir("suppress", "rule-flags");
    let file = write(&dir, "a.yaml", &manifest(&[], &[]));
    for flag in ["--rules", "--skip-rules"] {
        let output = palisade(&["scan", &file, flag, "pss/runAsNonroot"]);
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(flag) && stderr.contains("pss/runAsNonroot"),
            "{stderr}"
        );
    }
    let all = scan(&[&file, "--analyzers", "pss"]);
    let skipped = scan(&[
        &file,
        "--analyzers",
        "pss",
        "--skip-rules",
        "pss/runAsNonRoot",
    ]);
    assert_eq!(count(&skipped, "pss/runAsNonRoot"), 0);
    assert_eq!(
        findings(&skipped).len() + count(&all, "pss/runAsNonRoot"),
        findings(&all).len()
    );
    // --rules narrows within --analyzers: a rule of an analyzer not run is not reported.
    let narrowed = scan(&[&file, "--analyzers", "pss", "--rules", RORF]);
    assert!(findings(&narrowed).is_empty(), "{narrowed}");
    let analyzer_name = scan(&[&file, "--rules", "pss"]);
    assert_eq!(rules_of(&analyzer_name), rules_of(&all));
}

#[test]
fn a_baseline_accepts_todays_findings_and_survives_edits_above_them() {
    let dir = tempdir("suppress", "baseline");
    let file = write(&dir, "a.yaml", &manifest(&[], &[]));
    let baseline = dir.join("baseline.json").display().to_string();
    let before = scan(&[&file, "--analyzers", "pss"]);
    let written = scan(&[&file, "--analyzers", "pss", "--write-baseline", &baseline]);
    assert!(findings(&written).is_empty(), "{written}");
    assert_eq!(suppressed(&written), findings(&before).len() as u64);

    // Lines added above move every finding; the baseline still matches.
    let moved = format!("# a comment\n# another\n{}", manifest(&[], &[]));
    std::fs::write(&file, &moved).expect("write");
    let after = scan(&[&file, "--analyzers", "pss", "--baseline", &baseline]);
    assert!(findings(&after).is_empty(), "{after}");
    assert_eq!(suppressed(&after), findings(&before).len() as u64);

    // A new problem is reported; an entry that no longer matches is unused.
    let changed = moved.replace("name: web", "name: api");
    std::fs::write(&file, changed).expect("write");
    let report = scan(&[&file, "--analyzers", "pss", "--baseline", &baseline]);
    assert_eq!(suppressed(&report), 0);
    let pss = rules_of(&report)
        .iter()
        .filter(|r| r.starts_with("pss/"))
        .count();
    assert_eq!(pss, findings(&before).len());
    assert_eq!(
        count(&report, "suppress/unused"),
        findings(&before).len(),
        "{report}"
    );
}

#[test]
fn the_table_shows_the_suppressed_count() {
    let dir = tempdir("suppress", "table");
    let file = write(
        &dir,
        "a.yaml",
        &manifest(&["ignore.palisade.dev/pss: \"legacy\""], &[]),
    );
    let output = palisade(&[
        "scan",
        &file,
        "--analyzers",
        "pss",
        "--fail-on",
        "never",
        "--show-suppressed",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("suppressed by annotation"), "{stdout}");
    assert!(stdout.contains(" suppressed"), "{stdout}");
}

#[test]
fn a_container_suppression_does_not_hide_a_finding_about_several_containers() {
    let dir = tempdir("suppress", "several");
    // Pod Security reports runAsNonRoot once, naming both containers.
    let file = write(
        &dir,
        "a.yaml",
        &manifest(
            &["container.ignore.palisade.dev/app.pss.runAsNonRoot: \"app needs root\""],
            &[],
        ),
    );
    let report = scan(&[&file, "--analyzers", "pss/runAsNonRoot"]);
    assert_eq!(count(&report, "pss/runAsNonRoot"), 1, "{report}");
    assert_eq!(suppressed(&report), 0);
    // With one container the same annotation covers it.
    let single = manifest(
        &["container.ignore.palisade.dev/app.pss.runAsNonRoot: \"app needs root\""],
        &[],
    )
    .replace(
        "      - name: sidecar\n        image: registry.example/sidecar:1.0\n",
        "",
    );
    let file = write(&dir, "b.yaml", &single);
    let report = scan(&[&file, "--analyzers", "pss/runAsNonRoot"]);
    assert_eq!(count(&report, "pss/runAsNonRoot"), 0, "{report}");
    assert_eq!(suppressed(&report), 1);
}

/// Every rule id, with `/` written as `.`, is a valid annotation key name
/// (apimachinery's `IsQualifiedName`: at most 63 characters of
/// `[A-Za-z0-9._-]`, alphanumeric at both ends), so every rule can be
/// suppressed by `ignore.palisade.dev/<id>`; families (`policy/*`) by their prefix.
#[test]
fn every_rule_id_fits_an_annotation_key() {
    let output = palisade(&["rules", "-o", "json"]);
    let rules = json_of(&output)["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(rules.len() > 10);
    for rule in rules {
        let id = rule["id"].as_str().unwrap_or("");
        let name = id.trim_end_matches("/*").replace('/', ".");
        let bytes = name.as_bytes();
        let valid = !name.is_empty()
            && name.len() <= 63
            && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        assert!(
            valid,
            "{id} cannot be written as an annotation key name: {name:?}"
        );
    }
}
