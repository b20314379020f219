//! Lint rules: one fixture per rule (`lint_fixtures/`), a combined fixture that
//! triggers each once, and a smoke run over every input folder of the shared
//! np-guard corpus.

mod common;

use std::path::Path;

use palisade_core::{Analyzer, Inventory};
use palisade_load::{Limits, load_bytes};
use palisade_netpol::{Engine, Model, NetworkPolicyLint, lint};

const FIXTURE: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: nobody}}}]
  - ports: [{port: http}]
  - ports: [{port: 8080}]
  - ports: [{port: htp}]
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.0/24]}}]
    ports: [{port: 443}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typo, namespace: shop}
spec: {podSelector: {matchLabels: {app: wbe}}}
---
# The API server refuses an except entry outside its cidr: the policy is left out.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad-except, namespace: shop}
spec:
  podSelector: {}
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]
"#;

#[test]
fn each_rule_fires_where_expected() {
    let load = load_bytes(
        "fixture.yaml".into(),
        FIXTURE.as_bytes(),
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let inventory = Inventory::new(load.objects);
    let model = Model::from_inventory(&inventory);
    let engine = Engine::new(&model);
    let findings = lint(&engine);
    let mut got: Vec<(String, u32)> = findings
        .iter()
        .map(|f| (f.rule.clone(), f.line_column().map_or(0, |(line, _)| line)))
        .collect();
    got.sort();
    let want = [
        ("netpol/egress-deny-without-dns", 6),
        ("netpol/invalid-policy", 33),
        ("netpol/missing-default-deny-egress", 1),
        ("netpol/missing-default-deny-ingress", 1),
        ("netpol/named-port-unresolved", 16),
        ("netpol/peer-matches-nothing", 13),
        ("netpol/policy-selects-nothing", 21),
        // Rule 3 (8080) is covered by rule 2 (http = 8080) and vice versa; the later one is reported.
        ("netpol/rule-shadowed", 15),
    ];
    let want: Vec<(String, u32)> = want.iter().map(|(r, l)| ((*r).to_owned(), *l)).collect();
    assert_eq!(got, want, "{findings:#?}");
    assert!(
        findings
            .iter()
            .all(|f| f.remediation.is_some() && f.file() == Some("fixture.yaml"))
    );
}

/// Every registered lint rule has a fixture, `lint_fixtures/<name>.yaml`, whose
/// first line says where the rule must fire (`# expect: LINE[, LINE...]`). The
/// rule must fire exactly there; a rule without a fixture fails the test.
#[test]
fn every_lint_rule_fires_on_its_own_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint_fixtures");
    let rules = NetworkPolicyLint.rules();
    assert!(rules.len() >= 9);
    for rule in rules {
        let name = rule.id.strip_prefix("netpol/").unwrap_or(rule.id);
        let path = dir.join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: every lint rule needs a fixture ({e})", rule.id));
        let expected: Vec<u32> = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect:"))
            .unwrap_or_else(|| panic!("{}: first line must be `# expect: LINE`", path.display()))
            .split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            })
            .collect();
        let load = load_bytes(
            format!("{name}.yaml").into(),
            text.as_bytes(),
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let inventory = Inventory::new(load.objects);
        let model = Model::from_inventory(&inventory);
        let findings = lint(&Engine::new(&model));
        let mut lines: Vec<u32> = findings
            .iter()
            .filter(|f| f.rule == rule.id)
            .map(|f| f.line_column().map_or(0, |(line, _)| line))
            .collect();
        lines.sort_unstable();
        assert_eq!(lines, expected, "{}: {findings:#?}", rule.id);
    }
}

#[test]
fn lint_runs_on_the_shared_corpus() {
    let Some(suite) = common::suite() else { return };
    let mut dirs: Vec<_> = std::fs::read_dir(suite.join("np-guard/tests"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut total = 0;
    for dir in &dirs {
        let inventory = common::load(&suite, dir);
        let model = Model::from_inventory(&inventory);
        let engine = Engine::new(&model);
        let findings = lint(&engine);
        assert!(
            findings
                .iter()
                .all(|f| f.rule.starts_with("netpol/") && !f.message.is_empty()),
            "{dir}"
        );
        total += findings.len();
    }
    println!("lint: {} folders, {total} findings", dirs.len());
    assert!(dirs.len() > 100 && total > 0);
}

/// The `netpol/peer-matches-nothing` findings of a manifest, as their messages.
fn peer_findings(yaml: &str) -> Vec<String> {
    let load = load_bytes("peers.yaml".into(), yaml.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let inventory = Inventory::new(load.objects);
    let model = Model::from_inventory(&inventory);
    lint(&Engine::new(&model))
        .into_iter()
        .filter(|f| f.rule == "netpol/peer-matches-nothing")
        .map(|f| f.message)
        .collect()
}

/// A pod in `shop` and a policy there whose ingress peer is `peer` (a flow mapping).
fn shop_with_peer(peer: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata: {{name: web, namespace: shop, labels: {{app: web}}}}
spec: {{containers: [{{name: c}}]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: in, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  ingress:
  - from: [{peer}]
"
    )
}

#[test]
fn a_peer_in_a_namespace_outside_the_input_is_not_judged() {
    // kube-dns in kube-system, the ingress controller in ingress-nginx: the
    // input holds neither namespace, the API server labels both by name.
    for peer in [
        "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}",
        "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}",
        "{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [shop, ingress-nginx]}]}, podSelector: {matchLabels: {app: lb}}}",
    ] {
        assert_eq!(
            peer_findings(&shop_with_peer(peer)),
            Vec::<String>::new(),
            "{peer}"
        );
    }
}

#[test]
fn a_peer_in_a_namespace_with_workloads_and_no_match_is_reported() {
    // shop is in the input with its pods, none labelled app=lb.
    let found = peer_findings(&shop_with_peer(
        "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: lb}}}",
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].ends_with("no pod in the selected namespaces matches its podSelector"),
        "{found:?}"
    );
    // A name pinned to a namespace outside the input that another
    // requirement on the name excludes cannot hold the pods either.
    let found = peer_findings(&shop_with_peer(
        "{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [shop, other]}, {key: kubernetes.io/metadata.name, operator: NotIn, values: [other]}]}, podSelector: {matchLabels: {app: lb}}}",
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    // The policy's own namespace, which holds workloads.
    let found = peer_findings(&shop_with_peer("{podSelector: {matchLabels: {app: lb}}}"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].ends_with("no pod in namespace \"shop\" matches its podSelector"),
        "{found:?}"
    );
}

#[test]
fn a_peer_in_a_namespace_without_workloads_is_not_judged() {
    // Policies only, as a generated baseline is: no namespace shows its pods.
    let baseline = "apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: prod}
spec:
  podSelector: {}
  egress:
  - to: [{namespaceSelector: {matchLabels: {team: nobody}}}]
  - to: [{podSelector: {matchLabels: {app: db}}}]
";
    assert_eq!(peer_findings(baseline), Vec::<String>::new());
    // A declared namespace the selector matches, whose workloads are elsewhere.
    let declared = format!(
        "{}---
apiVersion: v1
kind: Namespace
metadata: {{name: monitoring, labels: {{team: obs}}}}
",
        shop_with_peer(
            "{namespaceSelector: {matchLabels: {team: obs}}, podSelector: {matchLabels: {app: prometheus}}}"
        )
    );
    assert_eq!(peer_findings(&declared), Vec::<String>::new());
    // The same selector with the monitoring pods in the input, not matching:
    // still unknown, since `team: obs` may select namespaces the input lacks.
    let grafana = "---
apiVersion: v1
kind: Pod
metadata: {name: grafana, namespace: monitoring, labels: {app: grafana}}
spec: {containers: [{name: c}]}
";
    let with_pods = format!("{declared}{grafana}");
    assert_eq!(peer_findings(&with_pods), Vec::<String>::new());
    // Pinned by name, the selector names only monitoring, whose pods are all
    // here and none is prometheus: a finding.
    let pinned = format!(
        "{}---
apiVersion: v1
kind: Namespace
metadata: {{name: monitoring, labels: {{team: obs}}}}
{grafana}",
        shop_with_peer(
            "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}, podSelector: {matchLabels: {app: prometheus}}}"
        )
    );
    let found = peer_findings(&pinned);
    assert_eq!(found.len(), 1, "{found:?}");
    // The usual DNS peer: every namespace, kube-dns pods. kube-system is not in
    // the input, so nothing can be said.
    let dns =
        shop_with_peer("{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}");
    assert_eq!(peer_findings(&dns), Vec::<String>::new());
}
