//! One test per rule of SPEC.md, on small hand-written clusters. Each asserts
//! the exact connection set, through `reach` (which also exercises the
//! explanation) or through the connection list.

use palisade_core::Inventory;
use palisade_load::{Limits, load_bytes};
use palisade_netpol::{ConnSet, Endpoint, Engine, Model, Protocol, Tier, reach};

const PODS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {team: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: prod, labels: {app: db}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: dev, labels: {app: db}}
spec: {containers: [{name: c}]}
"#;

fn inventory(policies: &str) -> Inventory {
    let text = format!("{PODS}\n---\n{policies}");
    let load = load_bytes("test.yaml".into(), text.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    Inventory::new(load.objects)
}

/// The allowed connections from `from` to `to` (workload names or CIDRs).
fn conn(policies: &str, from: &str, to: &str) -> ConnSet {
    let inv = inventory(policies);
    let model = Model::from_inventory(&inv);
    assert!(model.issues.is_empty(), "{:?}", model.issues);
    let engine = Engine::new(&model);
    let f = Endpoint::parse(&model, from).unwrap_or_else(|e| panic!("{e}"));
    let t = Endpoint::parse(&model, to).unwrap_or_else(|e| panic!("{e}"));
    reach(&engine, f, t, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .conn
}

fn tcp(ports: &[u16]) -> ConnSet {
    ports.iter().fold(ConnSet::none(), |acc, &p| {
        acc.union(&ConnSet::single(Protocol::Tcp, p))
    })
}

const DENY_INGRESS_PROD: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: prod}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n";

#[test]
fn no_policy_allows_everything_and_external() {
    assert!(conn("", "dev/client", "prod/web").is_all());
    assert!(conn("", "0.0.0.0/0", "prod/web").is_all());
}

#[test]
fn default_deny_isolates_ingress_only() {
    assert!(conn(DENY_INGRESS_PROD, "dev/client", "prod/web").is_empty());
    assert!(conn(DENY_INGRESS_PROD, "1.2.3.4", "prod/web").is_empty());
    assert!(
        conn(DENY_INGRESS_PROD, "prod/web", "dev/client").is_all(),
        "egress stays open"
    );
}

#[test]
fn missing_policy_types_add_egress_only_for_nonempty_egress() {
    let with_rule = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, egress: [{ports: [{port: 53, protocol: UDP}]}]}\n";
    assert_eq!(
        conn(with_rule, "prod/web", "dev/client"),
        ConnSet::single(Protocol::Udp, 53)
    );
    assert!(
        conn(with_rule, "dev/client", "prod/web").is_empty(),
        "Ingress is always effective"
    );
    let empty = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, egress: [], ingress: [{}]}\n";
    assert!(
        conn(empty, "prod/web", "dev/client").is_all(),
        "egress: [] does not isolate"
    );
}

#[test]
fn rules_of_a_type_not_listed_are_ignored() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {}, policyTypes: [Egress], ingress: [{ports: [{port: 1}]}]}\n";
    assert!(conn(p, "dev/client", "prod/web").is_all());
    assert!(conn(p, "prod/web", "dev/client").is_empty());
}

#[test]
fn allows_of_several_policies_union() {
    let p = format!(
        "{DENY_INGRESS_PROD}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: a, namespace: prod}}\nspec: {{podSelector: {{}}, ingress: [{{ports: [{{port: 80}}]}}]}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: b, namespace: prod}}\nspec: {{podSelector: {{matchLabels: {{app: web}}}}, ingress: [{{ports: [{{port: 443}}]}}]}}\n"
    );
    assert_eq!(conn(&p, "dev/client", "prod/web"), tcp(&[80, 443]));
    assert_eq!(conn(&p, "dev/client", "prod/db"), tcp(&[80]));
}

#[test]
fn namespace_selector_all_matches_pods_but_not_external() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}\n";
    assert!(conn(p, "dev/client", "prod/web").is_all());
    assert!(conn(p, "8.8.8.8", "prod/web").is_empty());
}

#[test]
fn one_peer_with_both_selectors_is_an_and() {
    // ONE peer: namespace team=a AND app=db. dev/client has app=db but dev lacks team=a.
    let one = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}, podSelector: {matchLabels: {app: db}}}]}]}\n";
    assert!(conn(one, "dev/client", "prod/web").is_empty());
    assert!(conn(one, "prod/db", "prod/web").is_all());
    // TWO peers: namespace team=a OR app=db in the policy's namespace (prod only).
    let two = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dev}}}, {podSelector: {matchLabels: {app: db}}}]}]}\n";
    assert!(
        conn(two, "dev/client", "prod/web").is_all(),
        "via the implicit namespace label of a namespace without manifest"
    );
    assert!(conn(two, "prod/db", "prod/web").is_all());
}

#[test]
fn named_ports_resolve_on_the_destination() {
    let ingress = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {}, ingress: [{ports: [{port: http}]}]}\n";
    assert_eq!(conn(ingress, "dev/client", "prod/web"), tcp(&[8080]));
    assert_eq!(conn(ingress, "dev/client", "prod/db"), tcp(&[5432]));
    let egress = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: dev}\nspec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: http}]}]}\n";
    assert_eq!(conn(egress, "dev/client", "prod/web"), tcp(&[8080]));
    assert!(
        conn(egress, "dev/client", "1.1.1.1").is_empty(),
        "a named port never matches an external address"
    );
    let wrong_protocol = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {}, ingress: [{ports: [{port: dns, protocol: TCP}]}]}\n";
    assert!(conn(wrong_protocol, "dev/client", "prod/web").is_empty());
}

#[test]
fn end_port_is_an_inclusive_range() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {}, ingress: [{ports: [{port: 32000, endPort: 32768, protocol: SCTP}]}]}\n";
    let c = conn(p, "dev/client", "prod/web");
    assert_eq!(c.to_string(), "SCTP 32000-32768");
}

#[test]
fn ip_block_except_and_pods() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]}\n";
    assert!(conn(p, "10.2.3.4", "prod/web").is_all());
    assert!(conn(p, "10.1.3.4", "prod/web").is_empty());
    assert!(
        conn(p, "10.0.0.0/8", "prod/web").is_empty(),
        "not every address of the range is allowed"
    );
    assert!(
        conn(p, "dev/client", "prod/web").is_empty(),
        "an ipBlock never matches a pod"
    );
    assert!(
        conn(p, "fd00::1", "prod/web").is_empty(),
        "an IPv4 block never matches IPv6"
    );
}

#[test]
fn both_ends_must_agree() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: dev}\nspec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 80}, {port: 90}]}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: q, namespace: prod}\nspec: {podSelector: {}, ingress: [{ports: [{port: 90}, {port: 100}]}]}\n";
    assert_eq!(conn(p, "dev/client", "prod/web"), tcp(&[90]));
}

const ANP: &str = r#"
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: first}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {team: a}}}
  ingress:
  - {name: deny-80, action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 80}}]}
  - {name: pass-443, action: Pass, from: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 443}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: second}
spec:
  priority: 2
  subject: {namespaces: {}}
  ingress:
  - {name: allow-443, action: Allow, from: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 443}}]}
  - {name: allow-80, action: Allow, from: [{namespaces: {}}], ports: [{portRange: {protocol: TCP, start: 80, end: 81}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}
"#;

#[test]
fn admin_tiers_decide_per_port_in_priority_order() {
    // prod: 80 denied by `first`; 443 passed past `second` to the baseline,
    // which denies; 81 allowed by `second`; the rest denied by the baseline.
    assert_eq!(conn(ANP, "dev/client", "prod/web"), tcp(&[81]));
    // dev (no team=a): `second` allows 80, 81 and 443; the baseline denies the rest.
    assert_eq!(conn(ANP, "prod/web", "dev/client"), tcp(&[80, 81, 443]));
    // A NetworkPolicy isolating prod replaces the baseline for what reaches it.
    let with_np = format!(
        "{ANP}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: prod}}\nspec: {{podSelector: {{}}, ingress: [{{ports: [{{port: 80}}, {{port: 443}}, {{port: 9000}}]}}]}}\n"
    );
    assert_eq!(
        conn(&with_np, "dev/client", "prod/web"),
        tcp(&[81, 443, 9000])
    );
}

#[test]
fn reach_explains_which_rule_decides() {
    let inv = inventory(ANP);
    let model = Model::from_inventory(&inv);
    let engine = Engine::new(&model);
    let from = Endpoint::parse(&model, "dev/client").unwrap_or_else(|e| panic!("{e}"));
    let to = Endpoint::parse(&model, "prod/web[Pod]").unwrap_or_else(|e| panic!("{e}"));
    let answer =
        reach(&engine, from, to, Some((Protocol::Tcp, 80))).unwrap_or_else(|e| panic!("{e}"));
    assert!(!answer.allowed);
    let ingress = answer.ingress.unwrap_or_else(|| panic!("ingress verdict"));
    assert_eq!(ingress.admin_selecting, ["first", "second", "default"]);
    let deny = ingress
        .steps
        .iter()
        .find(|s| s.conn.contains(Protocol::Tcp, 80))
        .unwrap_or_else(|| panic!("a step for TCP 80"));
    assert_eq!(
        (deny.tier, deny.policy.as_str(), deny.rule.as_str()),
        (Tier::AdminNetworkPolicy, "first", "deny-80")
    );
    let egress = answer.egress.unwrap_or_else(|| panic!("egress verdict"));
    assert!(
        egress.steps.iter().all(|s| s.tier == Tier::Default),
        "nothing selects dev/client for egress"
    );
}

#[test]
fn workloads_are_named_by_owner() {
    let text = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: front}
spec: {template: {metadata: {labels: {app: f}}, spec: {containers: [{name: c}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: back-5f6d-abcde, namespace: x, ownerReferences: [{kind: ReplicaSet, name: back-5f6d, controller: true}], labels: {app: b}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: back-5f6d-fghij, namespace: x, ownerReferences: [{kind: ReplicaSet, name: back-5f6d, controller: true}], labels: {app: b}}
spec: {containers: [{name: c}]}
"#;
    let load = load_bytes("t.yaml".into(), text.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let records = palisade_netpol::connlist(&Inventory::new(load.objects));
    let lines: Vec<String> = records.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "0.0.0.0-255.255.255.255[External] => default/front[Deployment] : All Connections",
            "0.0.0.0-255.255.255.255[External] => x/back-5f6d[ReplicaSet] : All Connections",
            "default/front[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
            "default/front[Deployment] => x/back-5f6d[ReplicaSet] : All Connections",
            "x/back-5f6d[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : All Connections",
            "x/back-5f6d[ReplicaSet] => default/front[Deployment] : All Connections",
        ]
    );
}

/// A policy the API server would refuse (here `protocol: tcp`, lower case) is
/// never stored, so it isolates nothing: the model reports it and leaves the
/// whole policy out, instead of keeping the rest of it.
#[test]
fn a_policy_the_api_server_refuses_isolates_nothing() {
    let refused = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: prod}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 8080, protocol: tcp}]\n";
    let inv = inventory(refused);
    let model = Model::from_inventory(&inv);
    assert_eq!(model.issues.len(), 1, "{:?}", model.issues);
    assert!(
        model.issues[0].message.contains("protocol"),
        "{:?}",
        model.issues
    );
    assert!(model.policies.is_empty());
    let engine = Engine::new(&model);
    let from = Endpoint::parse(&model, "dev/client").unwrap_or_else(|e| panic!("{e}"));
    let to = Endpoint::parse(&model, "prod/db").unwrap_or_else(|e| panic!("{e}"));
    let conn = reach(&engine, from, to, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .conn;
    assert!(conn.is_all(), "an invalid policy must not isolate prod/db");
}

/// `ipBlock.except` must be a strict subset of `cidr` (and a CIDR at all): the API
/// server refuses the policy otherwise, so it isolates nothing, and the reason
/// names the entry.
#[test]
fn an_except_outside_or_equal_to_its_cidr_makes_the_policy_refused() {
    for (except, why) in [
        ("10.1.0.0/24", "must be a strict subset of `cidr`"),
        ("10.0.0.0/16", "must be a strict subset of `cidr`"),
        ("10.0.0.0/8", "must be a strict subset of `cidr`"),
        ("fd00::/64", "must be a strict subset of `cidr`"),
        ("10.0.0.0/40", "ipBlock.except[1]"),
    ] {
        let text = format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: bad, namespace: prod}}\nspec:\n  podSelector: {{}}\n  egress:\n  - to: [{{ipBlock: {{cidr: 10.0.0.0/16, except: [10.0.1.0/24, \"{except}\"]}}}}]\n"
        );
        let inv = inventory(&text);
        let model = Model::from_inventory(&inv);
        assert!(model.policies.is_empty(), "{except}: the policy was kept");
        assert_eq!(model.issues.len(), 1, "{except}: {:?}", model.issues);
        assert!(
            model.issues[0].message.contains(why),
            "{except}: {:?}",
            model.issues
        );
    }
    // A strict subset is fine.
    let ok = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ok, namespace: prod}\nspec:\n  podSelector: {}\n  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.0/24]}}]\n";
    let inv = inventory(ok);
    let model = Model::from_inventory(&inv);
    assert!(model.issues.is_empty(), "{:?}", model.issues);
    assert_eq!(model.policies.len(), 1);
}

/// An AdminNetworkPolicy the API server's CRD schema refuses is left out whole,
/// with the reason: priority outside 0..1000, an action outside the enum, a rule
/// without peers, a subject or peer that sets two kinds.
#[test]
fn an_admin_policy_the_api_server_refuses_is_left_out_whole() {
    let anp = |priority: i64, subject: &str, rule: &str| {
        format!(
            "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {{name: p}}\nspec:\n  priority: {priority}\n  subject: {subject}\n  ingress:\n  - {rule}\n"
        )
    };
    let allow_all = "{action: Allow, from: [{namespaces: {}}]}";
    let cases = [
        (anp(1001, "{namespaces: {}}", allow_all), "outside 0..1000"),
        (anp(-1, "{namespaces: {}}", allow_all), "outside 0..1000"),
        (
            anp(
                5,
                "{namespaces: {}}",
                "{action: Drop, from: [{namespaces: {}}]}",
            ),
            "\"Drop\"",
        ),
        (
            anp(5, "{namespaces: {}}", "{action: Allow, from: []}"),
            "at least one `from` peer",
        ),
        (
            anp(5, "{namespaces: {}, pods: {podSelector: {}}}", allow_all),
            "exactly one is allowed",
        ),
        (
            anp(
                5,
                "{namespaces: {}}",
                "{action: Deny, from: [{namespaces: {}, networks: [10.0.0.0/8]}]}",
            ),
            "exactly one is allowed",
        ),
    ];
    for (text, why) in cases {
        let inv = inventory(&text);
        let model = Model::from_inventory(&inv);
        assert!(model.admin.is_empty(), "{why}: the policy was kept");
        assert!(
            model.issues.iter().any(|i| i.message.contains(why)),
            "{why}: {:?}",
            model.issues
        );
    }
    let inv = inventory(&anp(1000, "{namespaces: {}}", allow_all));
    let model = Model::from_inventory(&inv);
    assert_eq!(model.admin.len(), 1, "{:?}", model.issues);
}

/// Custom resources that carry a pod template (an Argo Rollout here) are
/// workloads for `reach`, `matrix` and lint, and isolated by the policies that
/// select their pods; np-guard-compatible `connlist` keeps np-guard's kinds.
#[test]
fn a_rollout_is_a_workload_everywhere_but_in_npguard_connlist() {
    let text = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web, namespace: prod}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web-only-8080, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - ports: [{port: 8080}]\n";
    let inv = inventory(text);
    let npguard = Model::from_inventory(&inv);
    assert!(npguard.workloads.iter().all(|w| w.kind != "Rollout"));
    let model = Model::from_inventory_all_workloads(&inv);
    let rollout = model
        .workloads
        .iter()
        .find(|w| w.kind == "Rollout")
        .expect("the Rollout is a workload");
    assert_eq!(
        (rollout.namespace.as_str(), rollout.name.as_str()),
        ("prod", "web")
    );
    let engine = Engine::new(&model);
    let from = Endpoint::parse(&model, "0.0.0.0/0").unwrap_or_else(|e| panic!("{e}"));
    let to = Endpoint::parse(&model, "prod/web").unwrap_or_else(|e| panic!("{e}"));
    let conn = reach(&engine, from, to, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .conn;
    assert_eq!(conn, tcp(&[8080]), "the policy isolates the Rollout's pods");
}
