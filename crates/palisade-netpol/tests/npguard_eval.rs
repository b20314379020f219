//! np-guard's `eval` cases: single probes answered through `reach`.
//!
//! Cases on user-defined networks (UDN, CUDN, NAD) are skipped: multiple
//! networks are not modelled.

mod common;

use palisade_netpol::{Endpoint, Engine, Model, Protocol, reach};

const NETWORK_KINDS: &[&str] = &[
    "UserDefinedNetwork",
    "ClusterUserDefinedNetwork",
    "NetworkAttachmentDefinition",
    "MultiNetworkPolicy",
];

#[test]
fn npguard_eval_probes_agree() {
    let Some(suite) = common::suite() else { return };
    let index = common::cases(&suite);
    let (mut total, mut failures) = (0, Vec::new());
    for case in index["cases"].as_array().into_iter().flatten() {
        if case["kind"] != "eval"
            || common::kinds(&index, case)
                .iter()
                .any(|k| NETWORK_KINDS.contains(&k.as_str()))
        {
            continue;
        }
        total += 1;
        let dir = case["dirs"][0].as_str().unwrap_or_default();
        let probe = &case["probe"];
        let text = |k: &str| probe[k].as_str().unwrap_or_default().to_owned();
        let (inventory, load_errors) = common::load_with_errors(&suite, dir);
        let model = Model::from_inventory(&inventory);
        let engine = Engine::new(&model);
        let from = Endpoint::parse(&model, &format!("{}/{}", text("src_ns"), text("src")));
        let to = Endpoint::parse(&model, &format!("{}/{}", text("dst_ns"), text("dst")));
        let protocol = Protocol::parse_loose(&text("protocol"));
        let port: Option<u16> = text("port").parse().ok();
        let expected = case["expected_allowed"].as_bool();
        // A pod whose file is broken does not exist for np-guard either (its
        // "severe error" cases): the probe is then denied.
        if (from.is_err() || to.is_err()) && load_errors > 0 {
            if expected != Some(false) {
                failures.push(format!(
                    "{dir}: probe endpoint missing after a load error, but np-guard allows it"
                ));
            }
            continue;
        }
        let (Ok(from), Ok(to), Some(protocol), Some(port)) = (from, to, protocol, port) else {
            failures.push(format!("{dir}: cannot read probe {probe}"));
            continue;
        };
        let answer = reach(&engine, from, to, Some((protocol, port)))
            .unwrap_or_else(|e| panic!("{dir}: {e}"));
        if Some(answer.allowed) != expected {
            failures.push(format!(
                "{dir}: {probe} expected {expected:?}, got {} ({})",
                answer.allowed, answer.conn
            ));
        }
    }
    println!(
        "np-guard eval: {}/{total} probes agree",
        total - failures.len()
    );
    assert!(
        total >= 10,
        "expected at least 10 eval cases, found {total}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
