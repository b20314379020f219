//! Each kind of expectation, passing and failing, each failure for its reason,
//! against a small input: RBAC in staging and production, a default-deny and
//! an allow policy in production, Pod Security restricted in production.

use std::path::Path;
use std::sync::Arc;

use palisade_admission::{Admission, PodSecurity};
use palisade_core::Inventory;
use palisade_intent::cluster::AdmissionCluster;
use palisade_intent::{Outcome, Setup, evaluate, read};
use palisade_rbac::Defaults;

const INPUT: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: production
  labels: {pod-security.kubernetes.io/enforce: restricted}
---
apiVersion: v1
kind: Namespace
metadata: {name: staging}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-viewer, namespace: staging}
rules:
  - {apiGroups: [""], resources: [pods, pods/log], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: developers-view, namespace: staging}
subjects: [{kind: Group, name: developers, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: Role, name: pod-viewer, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: developers-read-nodes}
subjects: [{kind: Group, name: developers, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: system:node-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: system:node-reader}
rules:
  - {apiGroups: [""], resources: [nodes], verbs: [get]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: production}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-staging-to-web, namespace: production}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: staging}}}]
      ports: [{protocol: TCP, port: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: staging, labels: {app: client}}
spec: {containers: [{name: c, image: busybox}]}
"#;

/// Runs one expectation (YAML of one list item) against [`INPUT`].
fn run(item: &str) -> Result<Outcome, Vec<String>> {
    run_on(INPUT, item)
}

/// Runs one expectation against `input`.
fn run_on(input: &str, item: &str) -> Result<Outcome, Vec<String>> {
    let loaded =
        palisade_load::load_bytes("input.yaml".into(), input.as_bytes(), &Default::default())
            .expect("the input reads");
    let inventory = Inventory::new(loaded.objects);
    let text = format!(
        "apiVersion: palisade.dev/v1alpha1\nkind: SecurityExpectations\nexpectations:\n{item}"
    );
    let expectations =
        read("exp.yaml", text.as_bytes(), Path::new(".")).map_err(|e| vec![e.to_string()])?;
    let admission = Admission::new(vec![Arc::new(PodSecurity::new(Default::default()))]);
    let cluster = AdmissionCluster::new(inventory.objects(), &[]);
    let setup = Setup {
        inventory: &inventory,
        defaults: Defaults::Roles,
        admission: &admission,
        cluster: &cluster,
        controller: None,
    };
    let mut outcomes = evaluate(&expectations, &setup)?;
    Ok(outcomes.remove(0))
}

fn outcome(item: &str) -> Outcome {
    run(item).unwrap_or_else(|e| panic!("{item}: {e:?}"))
}

#[test]
fn can_passes_with_the_granting_binding_and_fails_when_nothing_grants() {
    let pass = outcome(
        "  - can: {groups: [developers], verb: get, resource: pods/log, namespace: staging}\n",
    );
    assert!(pass.passed, "{pass:?}");
    assert!(
        pass.explanation
            .contains("RoleBinding/staging/developers-view -> Role/staging/pod-viewer"),
        "{}",
        pass.explanation
    );
    let fail = outcome(
        "  - can: {groups: [developers], verb: get, resource: pods/log, namespace: production}\n",
    );
    assert!(!fail.passed);
    assert!(
        fail.explanation.starts_with("denied: no RBAC rule grants"),
        "{}",
        fail.explanation
    );
}

#[test]
fn cannot_fails_naming_what_grants_it() {
    let pass = outcome(
        "  - cannot: {groups: [developers], verb: delete, resource: pods, namespace: staging}\n",
    );
    assert!(pass.passed, "{pass:?}");
    let fail = outcome(
        "  - cannot: {groups: [developers], verb: list, resource: pods, namespace: staging}\n",
    );
    assert!(!fail.passed);
    assert!(
        fail.explanation
            .contains("allowed by RoleBinding/staging/developers-view"),
        "{}",
        fail.explanation
    );
}

#[test]
fn only_lists_each_extra_permission_with_its_binding() {
    let with_nodes = "  - only:\n      groups: [developers]\n      rules:\n        - {namespace: staging, verbs: [get, list, watch], resources: [pods, pods/log]}\n        - {verbs: [get], resources: [nodes]}\n";
    let pass = outcome(with_nodes);
    assert!(pass.passed, "{pass:?}");
    assert!(
        pass.explanation.contains("are not counted"),
        "the exclusion is said: {}",
        pass.explanation
    );
    let fail = outcome(
        "  - only:\n      groups: [developers]\n      rules:\n        - {namespace: staging, verbs: [get, list], resources: [pods, pods/log]}\n",
    );
    assert!(!fail.passed);
    assert!(
        fail.details.iter().any(|d| d.contains("nodes")
            && d.contains("cluster-wide")
            && d.contains("ClusterRoleBinding/developers-read-nodes")),
        "{:?}",
        fail.details
    );
    assert!(
        fail.details
            .iter()
            .any(|d| d.contains("watch") && d.contains("in staging")),
        "{:?}",
        fail.details
    );
    assert!(
        !fail
            .details
            .iter()
            .any(|d| d.contains("verbs=[get]") && d.contains("in staging")),
        "listed permissions are not extras: {:?}",
        fail.details
    );
}

/// Only the bootstrap `system:discovery` binding of the bootstrap role is
/// what every user holds: one of that name pointing elsewhere is counted.
#[test]
fn only_counts_a_binding_that_borrows_a_bootstrap_name() {
    let hostile = format!(
        "{INPUT}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: system:discovery}}\nsubjects: [{{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}}]\nroleRef: {{kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}}\n"
    );
    let item = "  - only:\n      groups: [developers]\n      rules:\n        - {namespace: staging, verbs: [get, list, watch], resources: [pods, pods/log]}\n        - {verbs: [get], resources: [nodes]}\n";
    let outcome = run_on(&hostile, item).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!outcome.passed, "{outcome:?}");
    assert!(
        outcome
            .details
            .iter()
            .any(|d| d.contains("ClusterRoleBinding/system:discovery")),
        "{:?}",
        outcome.details
    );
}

#[test]
fn reach_and_isolated_with_hypothetical_pods() {
    let pass = outcome(
        "  - reach: {from: staging/client, to: {namespace: production, labels: {app: web}}, port: 8080}\n",
    );
    assert!(pass.passed, "{pass:?}");
    assert!(
        pass.explanation
            .contains("synthetic pod production/palisade-hypothetical-1[Pod]"),
        "{}",
        pass.explanation
    );
    assert!(
        pass.explanation
            .contains("production/allow-staging-to-web rule #1 allows"),
        "{}",
        pass.explanation
    );
    let wrong_port = outcome(
        "  - reach: {from: staging/client, to: {namespace: production, labels: {app: web}}, port: 9090}\n",
    );
    assert!(!wrong_port.passed);
    let isolated = outcome(
        "  - isolated: {from: staging/client, to: {namespace: production, labels: {app: db}}}\n",
    );
    assert!(isolated.passed, "{isolated:?}");
    assert!(
        isolated
            .explanation
            .contains("isolated by production/default-deny"),
        "{}",
        isolated.explanation
    );
    let not_isolated = outcome(
        "  - isolated: {from: staging/client, to: {namespace: production, labels: {app: web}}}\n",
    );
    assert!(!not_isolated.passed);
}

#[test]
fn an_unknown_workload_is_an_error_at_the_endpoint() {
    let errors =
        run("  - reach: {from: staging/nobody, to: 10.0.0.1}\n").expect_err("an unknown endpoint");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("exp.yaml:4:19: unknown endpoint"),
        "{errors:?}"
    );
}

#[test]
fn admission_uses_pod_security_with_upstreams_message() {
    let root = "{apiVersion: v1, kind: Pod, metadata: {name: root, namespace: production}, spec: {containers: [{name: app, image: nginx, securityContext: {runAsUser: 0}}]}}";
    let pass = outcome(&format!(
        "  - rejected: {{object: {root}, by: pod-security, message: 'violates PodSecurity \"restricted:latest\"'}}\n"
    ));
    assert!(pass.passed, "{pass:?}");
    assert!(
        pass.explanation.starts_with(
            "rejected: pods \"root\" is forbidden: violates PodSecurity \"restricted:latest\": "
        ),
        "{}",
        pass.explanation
    );
    let wrong_by = outcome(&format!(
        "  - rejected: {{object: {root}, by: some-constraint}}\n"
    ));
    assert!(!wrong_by.passed);
    assert!(
        wrong_by
            .explanation
            .contains("not by some-constraint (denied by pod-security)"),
        "{}",
        wrong_by.explanation
    );
    let wrong_message = outcome(&format!(
        "  - rejected: {{object: {root}, message: 'baseline'}}\n"
    ));
    assert!(!wrong_message.passed);
    let admitted_fails = outcome(&format!("  - admitted: {{object: {root}}}\n"));
    assert!(!admitted_fails.passed);
    let staging = "{apiVersion: v1, kind: Pod, metadata: {name: root, namespace: staging}, spec: {containers: [{name: app, image: nginx, securityContext: {runAsUser: 0}}]}}";
    assert!(outcome(&format!("  - admitted: {{object: {staging}}}\n")).passed);
    assert!(!outcome(&format!("  - rejected: {{object: {staging}}}\n")).passed);
}
