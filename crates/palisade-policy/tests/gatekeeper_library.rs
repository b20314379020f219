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

/// One review by the whole library (many constraints, so evaluated in
/// parallel) gives exactly the results of each constraint reviewed alone, in
/// constraint order, on every object the library's suites use.
#[test]
fn whole_library_review_matches_each_constraint_alone() {
    use std::path::PathBuf;

    use palisade_policy::constraint::enforcement_point;
    use palisade_policy::inventory::inventory;
    use palisade_policy::policy_set::PolicySet;
    use palisade_policy::review::Review;
    use palisade_policy::suite::read_objects;

    let Some(dir) = shared_dir(
        env!("CARGO_MANIFEST_DIR"),
        "conformance/gatekeeper-library",
        "library",
    ) else {
        return;
    };
    let suites = find_suites(&[dir.join("library")]).expect("library readable");
    let policy_files = palisade_policy::suite::policy_files(&suites).expect("suites read");
    let mut object_files: Vec<PathBuf> = Vec::new();
    for suite in &suites {
        let suite_dir = suite.parent().expect("a suite is in a directory");
        for object in read_objects(suite).expect("suite reads") {
            for test in object
                .root()
                .get("tests")
                .map(|t| t.items())
                .into_iter()
                .flatten()
            {
                for case in test.get("cases").map(|c| c.items()).into_iter().flatten() {
                    if let Some(o) = case.get("object").and_then(|o| o.as_str()) {
                        object_files.push(suite_dir.join(o));
                    }
                }
            }
        }
    }
    object_files.sort();
    object_files.dedup();
    let policies: Vec<_> = policy_files
        .iter()
        .flat_map(|p| read_objects(p).expect("policy reads"))
        .collect();
    let set = PolicySet::build(policies.iter(), || inventory([]), Default::default());
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let alone: Vec<PolicySet> = set
        .constraints()
        .map(|c| {
            PolicySet::build(
                policies.iter().filter(|o| {
                    (o.kind() == "ConstraintTemplate"
                        && o.root()
                            .path(&["spec", "crd", "spec", "names", "kind"])
                            .and_then(|k| k.as_str())
                            == Some(c.kind.as_str()))
                        // Several sample directories define a constraint
                        // of the same kind and name: pick this one by origin.
                        || palisade_policy::template::origin_of(o) == c.origin
                }),
                || inventory([]),
                Default::default(),
            )
        })
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a thread pool");
    let mut reviews = 0;
    let mut results = 0;
    for file in &object_files {
        for object in read_objects(file).expect("object reads") {
            let review = Review::of_object(object.root());
            let key = |r: &palisade_policy::policy_set::PolicyResult<'_>| {
                (
                    r.constraint.kind.clone(),
                    r.constraint.name.clone(),
                    r.actions.clone(),
                    r.violation.clone(),
                )
            };
            let together: Vec<_> = pool
                .install(|| set.review(&review, None, enforcement_point::AUDIT, None))
                .iter()
                .map(key)
                .collect();
            let one_by_one: Vec<_> = alone
                .iter()
                .flat_map(|s| s.review(&review, None, enforcement_point::AUDIT, None))
                .map(|r| key(&r))
                .collect();
            assert_eq!(together, one_by_one, "{}", file.display());
            reviews += 1;
            results += together.len();
        }
    }
    eprintln!("{reviews} reviews, {results} results, identical");
    assert!(reviews > 100);
}
