//! Runs np-guard's `connlist` cases (no focus options, single network) through
//! `palisade netpol connlist -o json --ignore-invalid` and compares the output with
//! the expected txt through the shared normaliser (`normalize_npguard.py --compare`).
//! Input folders hold some files that are not Kubernetes objects; np-guard skips
//! them with a warning, and so does `--ignore-invalid`.
//!
//! NetworkPolicy-only cases must all agree. Cases with admin tiers are held to
//! a floor (the count measured when the engine was written), and cases with
//! Ingress/Route objects (the `{ingress-controller}` peer) must all agree.

use std::path::{Path, PathBuf};
use std::process::Command;

const NETPOL_ONLY_TOTAL: usize = 30;
const ADMIN_FLOOR: usize = 40;
const INGRESS_ROUTE_TOTAL: usize = 6;

const FOCUS_OPTIONS: &[&str] = &[
    "focus_workloads",
    "focus_workload_peers",
    "focus_direction",
    "focus_conn",
    "explain",
    "explain_only",
    "exposure",
];

/// The shared conformance folder, or `None` (after printing why) when it is
/// absent and not required. With `PALISADE_REQUIRE_CONFORMANCE=1` absence fails.
fn suite() -> Option<PathBuf> {
    palisade_core::shared_data::shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/netpol",
        "np-guard/cases.json",
    )
}

fn cases(suite: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(suite.join("np-guard/cases.json"))
        .unwrap_or_else(|e| panic!("cases.json: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cases.json: {e}"))
}

/// The policy and network kinds present in a case's input folders.
fn kinds(index: &serde_json::Value, case: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for dir in case["dirs"].as_array().into_iter().flatten() {
        let dir = dir.as_str().unwrap_or_default();
        for kind in index["dirs"][dir]["kinds"].as_array().into_iter().flatten() {
            if let Some(kind) = kind.as_str()
                && !out.iter().any(|o| o == kind)
            {
                out.push(kind.to_owned());
            }
        }
    }
    out
}

#[derive(Debug, PartialEq)]
enum Family {
    NetpolOnly,
    Admin,
    IngressRoute,
    Other,
}

fn family(kinds: &[String]) -> Family {
    let netpol = ["NetworkPolicy", "Service"];
    let admin = ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy"];
    let ingress = ["Ingress", "Route"];
    let only = |allowed: &[&[&str]]| {
        kinds
            .iter()
            .all(|k| allowed.iter().any(|set| set.contains(&k.as_str())))
    };
    if only(&[&netpol]) {
        Family::NetpolOnly
    } else if only(&[&netpol, &admin]) {
        Family::Admin
    } else if only(&[&netpol, &ingress]) {
        Family::IngressRoute
    } else {
        Family::Other
    }
}

/// Runs one case; `Err` carries the normaliser's report.
fn run_case(suite: &Path, dir: &str, expected: &str, scratch: &Path) -> Result<(), String> {
    let run = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["netpol", "connlist", "-o", "json", "--ignore-invalid", "-f"])
        .arg(suite.join("np-guard/tests").join(dir))
        .output()
        .map_err(|e| format!("cannot run palisade: {e}"))?;
    if run.status.code() != Some(0) {
        return Err(format!(
            "palisade exited {:?}: {}",
            run.status.code(),
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    let ours = scratch.join(format!("{}.json", dir.replace('/', "_")));
    std::fs::write(&ours, &run.stdout).map_err(|e| e.to_string())?;
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
    let Some(suite) = suite() else { return };
    let index = cases(&suite);
    let scratch = std::env::temp_dir().join(format!(
        "palisade-netpol-conformance-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&scratch).unwrap_or_else(|e| panic!("{e}"));
    let (mut totals, mut passed) = ([0usize; 4], [0usize; 4]);
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
        let fam = family(&kinds(&index, case));
        let slot = match fam {
            Family::NetpolOnly => 0,
            Family::Admin => 1,
            Family::IngressRoute => 2,
            Family::Other => 3,
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
        "np-guard connlist: NetworkPolicy-only {}/{}, with ANP/BANP {}/{}, with Ingress/Route {}/{}, other (not asserted) {}/{}",
        passed[0], totals[0], passed[1], totals[1], passed[2], totals[2], passed[3], totals[3]
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
    assert_eq!(
        totals[2], INGRESS_ROUTE_TOTAL,
        "the suite's Ingress/Route case count changed"
    );
    assert_eq!(passed[2], totals[2], "every Ingress/Route case must agree");
}
