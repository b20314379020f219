//! Every analyzer over the shared corpus of real manifests (1,300 files from nine
//! public projects), through `palisade scan`. It must read every manifest, skip
//! only the non-manifest files, and report from each analyzer. Without the shared
//! data the test says it is skipped; with `PALISADE_REQUIRE_CONFORMANCE=1` (CI) it fails.
//! Every rule id the scan emits must be registered (`palisade rules`), and the
//! count of findings by rule is kept as a snapshot.

use std::process::Command;

use serde_json::Value;

#[test]
fn scan_reads_the_whole_corpus_and_every_analyzer_reports() {
    let Some(corpus) =
        palisade_core::shared_data::shared_dir(env!("CARGO_MANIFEST_DIR"), "corpus", "index.jsonl")
    else {
        return;
    };
    let output = Command::new(env!("CARGO_BIN_EXE_palisade"))
        // The corpus is a selection of files, not whole repositories: its
        // kustomizations name bases and resources it left out, so they cannot
        // render. It is read file by file, as it is indexed.
        .args(["scan", "--ignore-invalid", "--no-render", "-o", "json"])
        .arg(&corpus)
        .output()
        .expect("palisade runs");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The only files skipped are the corpus's own metadata, not manifests.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let skipped: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning: skipped: "))
        .collect();
    assert!(
        skipped.iter().all(|l| l.contains("stats.json")),
        "unexpected skipped files: {skipped:#?}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("scan prints JSON");
    // Objects per the corpus index (2,741) plus one document the index skipped
    // because it lacks apiVersion, which kubectl accepts (see the loader's corpus test).
    assert_eq!(report["summary"]["objects"], 2742);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    // Every id the scan emits is one `palisade rules` lists (and so documents).
    let listed = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["rules", "-o", "json"])
        .output()
        .expect("palisade runs");
    let listed: Value = serde_json::from_slice(&listed.stdout).expect("rules prints JSON");
    let registered: std::collections::BTreeSet<&str> = listed["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    // A rule id ending in `*` is a family (`policy/*`, `vap/*`): its findings
    // name one member each.
    let in_family = |id: &str| {
        registered.iter().any(|r| {
            r.strip_suffix('*')
                .is_some_and(|family| id.starts_with(family))
        })
    };
    let unregistered: std::collections::BTreeSet<&&str> = rules
        .iter()
        .filter(|id| !registered.contains(**id) && !in_family(id))
        .collect();
    assert!(
        unregistered.is_empty(),
        "the corpus scan emits unregistered ids: {unregistered:?}"
    );
    for analyzer in ["pss/", "netpol/", "rbac/", "yaml/"] {
        assert!(
            rules.iter().any(|r| r.starts_with(analyzer)),
            "no {analyzer} finding on the corpus"
        );
    }
    // What fires on real manifests, by rule: a change in these counts is a
    // change in what users see, so it is reviewed as a snapshot.
    let mut by_rule = std::collections::BTreeMap::<&str, usize>::new();
    for rule in &rules {
        *by_rule.entry(rule).or_default() += 1;
    }
    insta::assert_json_snapshot!("corpus_findings_by_rule", by_rule);
    println!(
        "corpus scan: {} findings over {} objects",
        rules.len(),
        report["summary"]["objects"]
    );
}
