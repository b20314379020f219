//! Property tests on random small clusters and policies:
//! * adding a policy that selects a pod never widens that pod's ingress beyond
//!   (what it allowed before, if it was already isolated) ∪ (what the new
//!   policy's rules allow), and equals exactly that;
//! * a policy with `ingress: [{}]` allows all ingress from every peer;
//! * `reach` and the connection list agree on every pair.

use palisade_core::{Inventory, Node, Object, Pos, SourceRef};
use palisade_netpol::{ConnSet, Connectivity, Direction, Engine, Model, Peer};
use proptest::prelude::*;
use serde_json::{Value, json};

const NAMESPACES: [&str; 2] = ["ns-a", "ns-b"];
const APPS: [&str; 3] = ["a", "b", "c"];

fn object(value: Value) -> Object {
    Object::new(
        Node::from_json(&value),
        SourceRef {
            file: "prop.json".into(),
            pos: Pos::new(1, 1),
        },
    )
}

fn pod(i: usize, ns: usize, app: usize, port: u16) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": format!("p{i}"), "namespace": NAMESPACES[ns], "labels": {"app": APPS[app]}},
           "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": port}]}]}})
}

fn pods() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(
        (
            0..2usize,
            0..3usize,
            prop_oneof![Just(80u16), Just(8080u16)],
        ),
        1..6,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (ns, app, port))| pod(i, ns, app, port))
            .collect()
    })
}

fn peer() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0..3usize).prop_map(|a| json!({"podSelector": {"matchLabels": {"app": APPS[a]}}})),
        (0..2usize).prop_map(|n| json!({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": NAMESPACES[n]}}})),
        (0..2usize, 0..3usize).prop_map(|(n, a)| json!({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": NAMESPACES[n]}}, "podSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": [APPS[a]]}]}})),
        Just(json!({"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}})),
    ]
}

fn port() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"port": 80})),
        Just(json!({"port": "http"})),
        Just(json!({"port": 1000, "endPort": 2000, "protocol": "UDP"})),
        Just(json!({"protocol": "SCTP"})),
    ]
}

fn rule() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop::collection::vec(peer(), 0..3)),
        prop::option::of(prop::collection::vec(port(), 0..3)),
    )
        .prop_map(|(from, ports)| {
            let mut r = serde_json::Map::new();
            if let Some(f) = from {
                r.insert("from".into(), Value::Array(f));
            }
            if let Some(p) = ports {
                r.insert("ports".into(), Value::Array(p));
            }
            Value::Object(r)
        })
}

fn policy(name: String) -> impl Strategy<Value = Value> {
    (
        0..2usize,
        prop::option::of(0..3usize),
        prop::collection::vec(rule(), 0..3),
    )
        .prop_map(move |(ns, app, rules)| {
            let selector = match app {
                Some(a) => json!({"matchLabels": {"app": APPS[a]}}),
                None => json!({}),
            };
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
               "metadata": {"name": name, "namespace": NAMESPACES[ns]},
               "spec": {"podSelector": selector, "policyTypes": ["Ingress"], "ingress": rules}})
        })
}

fn policies() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(0..1u8, 0..4).prop_flat_map(|v| {
        v.iter()
            .enumerate()
            .map(|(i, _)| policy(format!("p{i}")))
            .collect::<Vec<_>>()
    })
}

fn inventory(values: &[Value]) -> Inventory {
    Inventory::new(values.iter().cloned().map(object).collect())
}

/// Ingress of every workload from every workload and external piece, keyed
/// by names so that two models can be compared.
fn ingress_by_name(model: &Model) -> Vec<(String, String, ConnSet)> {
    let engine = Engine::new(model);
    let mut out = Vec::new();
    for (d, w) in model.workloads.iter().enumerate() {
        let cd = engine.class_of[d];
        for (s, src) in model.workloads.iter().enumerate() {
            let v = engine.direction(
                cd,
                Direction::Ingress,
                Peer::Class(engine.class_of[s]),
                false,
            );
            out.push((w.id(), src.id(), v.allowed));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn adding_a_policy_only_adds_its_own_allows(pods in pods(), before in policies(), added in policy("added".into())) {
        let base: Vec<Value> = pods.iter().chain(&before).cloned().collect();
        let with: Vec<Value> = base.iter().cloned().chain(std::iter::once(added.clone())).collect();
        let (m0, m1) = (Model::from_inventory(&inventory(&base)), Model::from_inventory(&inventory(&with)));
        // What the added policy alone allows, on a cluster where it is the only policy.
        let alone: Vec<Value> = pods.iter().cloned().chain(std::iter::once(added)).collect();
        let m2 = Model::from_inventory(&inventory(&alone));
        let e2 = Engine::new(&m2);
        let (i0, i1, i2) = (ingress_by_name(&m0), ingress_by_name(&m1), ingress_by_name(&m2));
        for ((dst, src, after), ((_, _, before), (_, _, only))) in i1.iter().zip(i0.iter().zip(&i2)) {
            let d = m2.workloads.iter().position(|w| w.id() == *dst).unwrap_or_default();
            let selected = m2.policies.iter().any(|p| e2.in_pod_set(p.subject, e2.class_of[d]));
            if !selected {
                prop_assert_eq!(after, before, "{} <- {}: a pod the new policy does not select is unaffected", dst, src);
                continue;
            }
            let was_isolated = !before.is_all() || m0.policies.iter().any(|p| {
                let e0 = Engine::new(&m0);
                let i = m0.workloads.iter().position(|w| w.id() == *dst).unwrap_or_default();
                e0.in_pod_set(p.subject, e0.class_of[i])
            });
            let expected = if was_isolated { before.union(only) } else { only.clone() };
            prop_assert_eq!(after, &expected, "{} <- {}", dst, src);
        }
    }

    #[test]
    fn ingress_allow_all_rule_opens_everything(pods in pods(), others in policies(), ns in 0..2usize) {
        let open = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                          "metadata": {"name": "open", "namespace": NAMESPACES[ns]},
                          "spec": {"podSelector": {}, "ingress": [{}]}});
        let all: Vec<Value> = pods.iter().chain(&others).cloned().chain(std::iter::once(open)).collect();
        let model = Model::from_inventory(&inventory(&all));
        let engine = Engine::new(&model);
        for (d, w) in model.workloads.iter().enumerate() {
            if w.namespace != NAMESPACES[ns] {
                continue;
            }
            for peer in engine.peers(Direction::Ingress) {
                let v = engine.direction(engine.class_of[d], Direction::Ingress, peer, false);
                prop_assert!(v.allowed.is_all(), "{} from {:?}: {}", w.id(), peer, v.allowed);
            }
        }
    }

    #[test]
    fn reach_agrees_with_the_connection_list(pods in pods(), policies in policies()) {
        let all: Vec<Value> = pods.iter().chain(&policies).cloned().collect();
        let model = Model::from_inventory(&inventory(&all));
        let engine = Engine::new(&model);
        let connectivity = Connectivity::compute(&engine);
        for a in 0..model.workloads.len() {
            for b in 0..model.workloads.len() {
                let answer = palisade_netpol::reach(&engine, palisade_netpol::Endpoint::Workload(a), palisade_netpol::Endpoint::Workload(b), None)
                    .map_err(TestCaseError::fail)?;
                prop_assert_eq!(&answer.conn, connectivity.between(a, b));
            }
        }
    }
}
