//! Runs np-guard's `connlist` cases (no focus options, single network) and
//! compares our JSON with the expected txt through the shared normaliser
//! (`normalize_npguard.py --compare`).
//!
//! NetworkPolicy-only cases must all agree. Cases with admin tiers are held to
//! a floor (the count measured when the engine was written), and cases with
//! Ingress/Route objects are only reported: the `{ingress-controller}` peer is
//! not modelled yet.

mod common;

use std::path::Path;
use std::process::Command;

const NETPOL_ONLY_TOTAL: usize = 30;
const ADMIN_FLOOR: usize = 40;

const FOCUS_OPTIONS: &[&str] = &[
    "focus_workloads",
    "focus_workload_peers",
    "focus_direction",
    "focus_conn",
    "explain",
    "explain_only",
    "exposure",
];

#[derive(Debug, PartialEq)]
enum Family {
    NetpolOnly,
    Admin,
    Other,
}

fn family(kinds: &[String]) -> Family {
    let netpol = ["NetworkPolicy", "Service"];
    let admin = ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy"];
    if kinds.iter().all(|k| netpol.contains(&k.as_str())) {
        Family::NetpolOnly
    } else if kinds
        .iter()
        .all(|k| netpol.contains(&k.as_str()) || admin.contains(&k.as_str()))
    {
        Family::Admin
    } else {
        Family::Other
    }
}

/// Runs one case; `Err` carries the normaliser's report.
fn run_case(suite: &Path, dir: &str, expected: &str, scratch: &Path) -> Result<(), String> {
    let inventory = common::load(suite, dir);
    let records = palisade_netpol::connlist(&inventory);
    let ours = scratch.join(format!("{}.json", dir.replace('/', "_")));
    std::fs::write(&ours, palisade_netpol::output::to_json(&records)).map_err(|e| e.to_string())?;
    let out = Command::new("python3")
        .arg(suite.join("normalize_npguard.py"))
        .arg("--compare")
        .arg(suite.join("np-guard").join(expected))
        .arg(&ours)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let report = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = report.lines().take(8).collect();
    Err(format!(
        "{} ({}){}",
        lines.join("\n    "),
        String::from_utf8_lossy(&out.stderr).trim(),
        if report.lines().count() > 8 {
            "\n    ..."
        } else {
            ""
        }
    ))
}

#[test]
fn npguard_connlist_cases_agree() {
    let Some(suite) = common::suite() else { return };
    let index = common::cases(&suite);
    let scratch = std::env::temp_dir().join(format!(
        "palisade-netpol-conformance-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&scratch).unwrap_or_else(|e| panic!("{e}"));
    let (mut totals, mut passed) = ([0usize; 3], [0usize; 3]);
    let mut failures = Vec::new();
    for case in index["cases"].as_array().into_iter().flatten() {
        let options = &case["options"];
        if case["kind"] != "connlist"
            || options["multiple_networks"] == true
            || FOCUS_OPTIONS.iter().any(|k| {
                options[*k].as_bool() == Some(true)
                    || options[*k].is_string()
                    || options[*k].is_array()
            })
        {
            continue;
        }
        let Some(dir) = case["dirs"][0].as_str() else {
            continue;
        };
        let expected: Vec<&str> = case["expected"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.as_str())
            .collect();
        let Some(expected) = expected
            .iter()
            .find(|e| e.ends_with(".txt"))
            .or(expected.first())
        else {
            continue;
        };
        let fam = family(&common::kinds(&index, case));
        let slot = match fam {
            Family::NetpolOnly => 0,
            Family::Admin => 1,
            Family::Other => 2,
        };
        totals[slot] += 1;
        match run_case(&suite, dir, expected, &scratch) {
            Ok(()) => passed[slot] += 1,
            Err(report) => failures.push(format!("[{fam:?}] {dir}:\n    {report}")),
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    for f in &failures {
        eprintln!("{f}");
    }
    println!(
        "np-guard connlist: NetworkPolicy-only {}/{}, with ANP/BANP {}/{}, with Ingress/Route (not asserted) {}/{}",
        passed[0], totals[0], passed[1], totals[1], passed[2], totals[2]
    );
    assert_eq!(
        totals[0], NETPOL_ONLY_TOTAL,
        "the suite's NetworkPolicy-only case count changed"
    );
    assert_eq!(
        passed[0], totals[0],
        "every NetworkPolicy-only case must agree"
    );
    assert!(
        passed[1] >= ADMIN_FLOOR,
        "ANP/BANP cases regressed: {} < {ADMIN_FLOOR}",
        passed[1]
    );
}
