//! Realistic manifests fixed from what the analyzers report: the diff of each
//! is a snapshot, the fixed file reads as the original objects plus exactly
//! the expected fields, and a re-scan reports none of the fixed findings.

mod common;

use palisade_core::Node;
use palisade_fix::FixOptions;
use serde_json::json;

use common::{fix_from_scan, objects, scan};

const DEPLOYMENT: &str = "\
# The storefront. Owned by team-shop.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: \"registry.example/web:1.4.2\"  # pinned
          ports:
            - containerPort: 8080
          securityContext:
            runAsUser: 1000
        # the sidecar ships logs
        - name: logs
          image: 'registry.example/logs:2.0'
          securityContext: {capabilities: {drop: [NET_RAW]}}
";

#[test]
fn a_deployment_with_a_sidecar() {
    let (fix, before) = fix_from_scan("web.yaml", DEPLOYMENT.as_bytes(), FixOptions::default());
    insta::assert_snapshot!(fix.diff());

    // The fixed tree is the original tree with exactly these fields added.
    let mut expected = objects("web.yaml", DEPLOYMENT.as_bytes())[0]
        .root()
        .to_json();
    let pod = &mut expected["spec"]["template"]["spec"];
    pod["securityContext"] =
        json!({"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}});
    pod["automountServiceAccountToken"] = json!(false);
    let web = &mut pod["containers"][0]["securityContext"];
    web["allowPrivilegeEscalation"] = json!(false);
    web["capabilities"] = json!({"drop": ["ALL"]});
    web["readOnlyRootFilesystem"] = json!(true);
    let logs = &mut pod["containers"][1]["securityContext"];
    logs["allowPrivilegeEscalation"] = json!(false);
    logs["capabilities"]["drop"] = json!(["NET_RAW", "ALL"]);
    logs["readOnlyRootFilesystem"] = json!(true);
    let fixed = objects("web.yaml", &fix.fixed);
    assert_eq!(
        fixed.len(),
        2,
        "the Deployment and the appended NetworkPolicy"
    );
    assert_eq!(
        fixed[0].root().to_json(),
        Node::from_json(&expected).to_json()
    );

    // Everything that was reported is gone, and the file reads again the same way.
    assert!(!before.is_empty());
    let after = scan(&fixed);
    assert!(after.is_empty(), "{after:#?}");
    assert!(fix.notes.is_empty(), "{:?}", fix.notes);
    let mut rules: Vec<&str> = fix.applied.iter().map(|a| a.rule.as_str()).collect();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "netpol/missing-default-deny-egress",
            "netpol/missing-default-deny-ingress",
            "pss/allowPrivilegeEscalation",
            "pss/capabilities_restricted",
            "pss/runAsNonRoot",
            "pss/seccompProfile_restricted",
            "workload/automount-service-account-token",
            "workload/read-only-root-filesystem",
        ]
    );
}

const CRONJOB_FLOW: &str = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: jobs}
spec:
  schedule: '0 3 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          securityContext: {runAsNonRoot: true}
          containers: [{name: report, image: 'registry.example/report:3', args: [--daily]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: jobs}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
";

#[test]
fn a_cronjob_in_flow_style_next_to_its_policy() {
    let (fix, _) = fix_from_scan(
        "report.yaml",
        CRONJOB_FLOW.as_bytes(),
        FixOptions::default(),
    );
    insta::assert_snapshot!(fix.diff());
    assert!(scan(&objects("report.yaml", &fix.fixed)).is_empty());
}

const JSON_POD: &str = r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "name": "debug",
    "namespace": "tools"
  },
  "spec": {
    "containers": [
      {
        "name": "shell",
        "image": "busybox:1.36",
        "securityContext": {
          "privileged": true
        }
      }
    ]
  }
}
"#;

#[test]
fn a_json_pod_with_an_explicit_privileged_container() {
    let (fix, _) = fix_from_scan("debug.json", JSON_POD.as_bytes(), FixOptions::default());
    insta::assert_snapshot!(fix.diff());
    let (risky, _) = fix_from_scan(
        "debug.json",
        JSON_POD.as_bytes(),
        FixOptions { unsafe_edits: true },
    );
    assert!(
        risky.fixed_text().contains("\"privileged\": false"),
        "{}",
        risky.fixed_text()
    );
    assert!(!fix.fixed_text().contains("\"privileged\": false"));
}
