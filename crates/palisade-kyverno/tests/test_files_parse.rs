//! Every `kyverno test` file of the shared conformance data, with the values,
//! user-info, context, policy and resource files it names, loads without
//! error. Skipped when the shared data is absent.

use std::path::Path;

use palisade_kyverno::test_file::{
    find_tests, read_context, read_documents, read_resources, read_test, read_user_info,
    read_values,
};

const POLICIES: &str = "/work/shared/conformance/kyverno/policies";

#[test]
fn every_shared_test_file_and_its_inputs_load() {
    let root = Path::new(POLICIES);
    if !root.exists() {
        eprintln!("skipped: {POLICIES} is absent");
        return;
    }
    let tests = find_tests(root);
    assert!(tests.len() >= 290, "found {} test files", tests.len());
    let (mut values, mut users, mut contexts, mut entries) = (0, 0, 0, 0);
    for path in &tests {
        let test = read_test(path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!test.name.is_empty(), "{}", path.display());
        assert!(!test.policies.is_empty(), "{}", path.display());
        for policy in &test.policies {
            read_documents(policy).unwrap_or_else(|e| panic!("{e}"));
        }
        let resources = read_resources(&test.resources).unwrap_or_else(|e| panic!("{e}"));
        assert!(!resources.is_empty(), "{}", path.display());
        if let Some(file) = &test.variables {
            read_values(file).unwrap_or_else(|e| panic!("{e}"));
            values += 1;
        }
        if let Some(file) = &test.userinfo {
            read_user_info(file).unwrap_or_else(|e| panic!("{e}"));
            users += 1;
        }
        if let Some(file) = &test.context {
            read_context(file).unwrap_or_else(|e| panic!("{e}"));
            contexts += 1;
        }
        entries += test.results.len();
    }
    // The README's counts for the shared part.
    assert_eq!(tests.len(), 290);
    assert_eq!(entries, 979);
    assert_eq!((values, users, contexts), (28, 1, 5));
}
