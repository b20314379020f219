//! The Kyverno policy library's `kyverno test` files (the shared copy),
//! every validate-only test, scored strictly (see `verify`): the folders
//! `pod-security*`, `best-practices*` and `psa` must pass in full, and the
//! whole set must pass at least 98% of its cases. Prints the count per
//! folder and every failed case, which is what the README reports.

use std::collections::BTreeMap;
use std::path::Path;

use palisade_core::shared_data::shared_dir;
use palisade_kyverno::verify::{find_tests, run_test};

/// Folders that must pass every case.
const MUST_PASS_ALL: [&str; 7] = [
    "pod-security",
    "pod-security-cel",
    "pod-security-vpol",
    "best-practices",
    "best-practices-cel",
    "best-practices-vpol",
    "psa",
];

#[derive(Default)]
struct Tally {
    tests: usize,
    unsupported: usize,
    cases: usize,
    passed: usize,
}

#[test]
fn library_tests_pass() {
    let Some(dir) = shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/kyverno",
        "policies",
    ) else {
        return;
    };
    let root = dir.join("policies");
    let tests = find_tests(std::slice::from_ref(&root));
    assert_eq!(tests.len(), 290, "the shared copy holds 290 test files");
    let mut by_folder: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut errors = Vec::new();
    for test in &tests {
        let folder = folder_of(&root, test);
        let tally = by_folder.entry(folder.clone()).or_default();
        tally.tests += 1;
        match run_test(test) {
            Err(e) => {
                errors.push(e.to_string());
            }
            Ok(outcome) => {
                if let Some(reason) = outcome.unsupported {
                    tally.unsupported += 1;
                    eprintln!("unsupported {}: {reason}", test.display());
                    continue;
                }
                for case in outcome.cases {
                    tally.cases += 1;
                    match case.failure {
                        None => tally.passed += 1,
                        Some(why) => failures.push((
                            folder.clone(),
                            format!("{} :: {} :: {}: {why}", case.suite, case.test, case.case),
                        )),
                    }
                }
            }
        }
    }
    let (mut cases, mut passed, mut unsupported) = (0, 0, 0);
    eprintln!("folder                 tests  unsupported  cases  passed");
    for (folder, t) in &by_folder {
        eprintln!(
            "{folder:<22} {:>5} {:>12} {:>6} {:>7}",
            t.tests, t.unsupported, t.cases, t.passed
        );
        cases += t.cases;
        passed += t.passed;
        unsupported += t.unsupported;
    }
    eprintln!("total: {cases} cases, {passed} passed, {unsupported} tests unsupported");
    for (_, f) in &failures {
        eprintln!("FAIL {f}");
    }
    for e in &errors {
        eprintln!("ERROR {e}");
    }
    assert!(
        errors.is_empty(),
        "{} test files could not be run",
        errors.len()
    );
    // Only mutate and generate tests may be unsupported: 28 in the shared copy.
    assert_eq!(unsupported, 28, "validate-only tests must all run");
    let must_pass: Vec<&String> = failures
        .iter()
        .filter(|(folder, _)| MUST_PASS_ALL.contains(&folder.as_str()))
        .map(|(_, f)| f)
        .collect();
    assert!(
        must_pass.is_empty(),
        "{} failed cases in pod-security*, best-practices* and psa",
        must_pass.len()
    );
    assert!(
        passed * 100 >= cases * 98,
        "{passed} of {cases} cases passed, under 98%"
    );
}

/// The top-level folder of a test (`pod-security`, `other-cel`, ...).
fn folder_of(root: &Path, test: &Path) -> String {
    test.strip_prefix(root)
        .ok()
        .and_then(|p| p.components().next())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default()
}
