//! np-guard's `fatal_error` cases: inputs on which np-guard stops with an error.
//! Palisade does not stop; it must report the same inputs as broken: a file
//! that cannot be read, or a policy the API server would refuse (a model issue,
//! which `lint` reports as `netpol/invalid-policy` and which leaves the policy
//! out whole).
//!
//! Twelve cases are np-guard's own rules rather than the API server's, and are
//! listed here with the reason they are not flagged; the test fails if one of
//! them starts being flagged too, or if any other case is not.

mod common;

use palisade_netpol::Model;

/// Cases np-guard refuses that the cluster accepts, or that use kinds Palisade
/// does not model.
const NOT_REFUSED_BY_THE_CLUSTER: &[(&str, &str)] = &[
    // kubectl apply of two objects with one identity: the later one replaces the earlier.
    ("np_bad_path_test_1", "two NetworkPolicies with one name"),
    (
        "anp_bad_path_test_3",
        "two AdminNetworkPolicies with one name",
    ),
    (
        "bad_path_namespace_with_same_name",
        "two Namespaces with one name",
    ),
    // np-guard groups pods by owner and refuses owners whose pods' labels differ.
    (
        "example_pods_w_same_owner_and_labels_gap_with_bad_match_expression",
        "np-guard's owner grouping",
    ),
    (
        "example_w_err_pods_w_same_owner_and_labels_gap_anp",
        "np-guard's owner grouping",
    ),
    // User-defined networks are not modelled.
    ("udn_bad_path_test_2", "UserDefinedNetwork"),
    ("udn_bad_path_test_3", "UserDefinedNetwork"),
    ("udn_bad_path_test_4", "UserDefinedNetwork"),
    ("udn_bad_path_test_5", "UserDefinedNetwork"),
    ("udn_bad_path_test_6", "UserDefinedNetwork"),
    ("udn_bad_path_test_7", "UserDefinedNetwork"),
    ("cudn_bad_test_1", "ClusterUserDefinedNetwork"),
];

#[test]
fn npguard_fatal_error_inputs_are_reported_as_broken() {
    let Some(suite) = common::suite() else { return };
    let index = common::cases(&suite);
    let (mut flagged, mut wrong) = (0, Vec::new());
    for case in index["cases"].as_array().into_iter().flatten() {
        if case["kind"] != "fatal_error" {
            continue;
        }
        let dir = case["dirs"][0].as_str().unwrap_or_default();
        let (inventory, load_errors) = common::load_with_errors(&suite, dir);
        let model = Model::from_inventory(&inventory);
        let broken = load_errors > 0 || !model.issues.is_empty();
        let excused = NOT_REFUSED_BY_THE_CLUSTER.iter().find(|(d, _)| *d == dir);
        match (broken, excused) {
            (true, None) => flagged += 1,
            (false, Some(_)) => {}
            (true, Some((_, why))) => {
                wrong.push(format!("{dir}: now flagged, drop the excuse ({why})"))
            }
            (false, None) => wrong.push(format!(
                "{dir}: not flagged ({})",
                case["description"].as_str().unwrap_or_default()
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    eprintln!(
        "np-guard fatal_error: {flagged} flagged, {} not refused by the cluster",
        NOT_REFUSED_BY_THE_CLUSTER.len()
    );
    assert_eq!(flagged, 25);
}
