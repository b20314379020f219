//! The Gatekeeper policy library's `gator verify` suites, every case, with Rego.

use palisade_core::shared_data::shared_dir;
use palisade_policy::suite::{VerifyOptions, find_suites, run_suite};

#[test]
fn library_suites_pass() {
    let Some(dir) = shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/gatekeeper-library",
        "library",
    ) else {
        return;
    };
    let suites = find_suites(&[dir.join("library")]).expect("library readable");
    let mut cases = 0;
    let mut failed = Vec::new();
    for suite in &suites {
        let outcome = run_suite(suite, &VerifyOptions::default()).expect("suite runs");
        for case in outcome.cases {
            cases += 1;
            if let Some(why) = case.failure {
                failed.push(format!(
                    "{} :: {} :: {}: {why}",
                    case.suite, case.test, case.case
                ));
            }
        }
    }
    eprintln!(
        "{} suites, {cases} cases, {} failed",
        suites.len(),
        failed.len()
    );
    for f in &failed {
        eprintln!("FAIL {f}");
    }
    assert_eq!(cases, 270);
    assert!(
        failed.is_empty(),
        "{} of {cases} cases failed",
        failed.len()
    );
}
