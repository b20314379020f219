//! The Gatekeeper policy library's `gator verify` suites, every case, run
//! twice as upstream's CI runs them: Rego only, and with CEL preferred for the
//! templates that carry both engines.

use palisade_core::shared_data::shared_dir;
use palisade_policy::evaluate::EnginePreference;
use palisade_policy::suite::{VerifyOptions, find_suites, run_suite};

fn run_library(engine: EnginePreference) {
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
        let outcome = run_suite(suite, &VerifyOptions { engine }).expect("suite runs");
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
    for f in &failed {
        eprintln!("FAIL {f}");
    }
    assert_eq!(suites.len(), 49);
    // The CEL run is a different run only if templates carry CEL.
    let with_cel = suites
        .iter()
        .filter(|suite| {
            let template = suite.with_file_name("template.yaml");
            palisade_policy::suite::read_objects(&template)
                .ok()
                .and_then(|objects| objects.into_iter().next())
                .and_then(|o| palisade_policy::template::Template::from_object(&o).ok())
                .is_some_and(|t| t.cel.is_some())
        })
        .count();
    assert_eq!(with_cel, 16);
    assert_eq!(cases, 270);
    assert!(
        failed.is_empty(),
        "{engine:?}: {} of {cases} cases failed",
        failed.len()
    );
}

#[test]
fn library_suites_pass_with_rego() {
    run_library(EnginePreference::Rego);
}

#[test]
fn library_suites_pass_with_cel_preferred() {
    run_library(EnginePreference::Cel);
}
