//! Gatekeeper constraints behind the admission policy trait: enforcement
//! actions, scoped actions, namespace selectors, deadlines.

use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade_admission::namespaces::StaticNamespaces;
use palisade_admission::{Admission, Context, decode_request};
use palisade_core::Object;
use palisade_policy::admission::GatekeeperAdmission;
use palisade_policy::inventory::inventory;
use palisade_policy::policy_set::PolicySet;

const TEMPLATE: &str = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: needsowner
spec:
  crd:
    spec:
      names:
        kind: NeedsOwner
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package needsowner
      violation[{"msg": msg}] {
        not input.review.object.metadata.labels.owner
        msg := sprintf("%v %v has no owner label", [input.review.kind.kind, input.review.object.metadata.name])
      }
"#;

const SLOW_TEMPLATE: &str = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: slow
spec:
  crd:
    spec:
      names:
        kind: Slow
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package slow
      violation[{"msg": "never"}] {
        count([x | x := numbers.range(1, 5000)[_]; y := numbers.range(1, 5000)[_]]) < 0
      }
"#;

fn objects(yaml: &str) -> Vec<Object> {
    palisade_load::load_bytes("policies.yaml".into(), yaml.as_bytes(), &Default::default())
        .expect("test policies parse")
        .objects
}

fn constraint(kind: &str, name: &str, spec: &str) -> String {
    format!(
        "---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}\n"
    )
}

fn admission(yaml: &str) -> Admission {
    let objects = objects(yaml);
    let set = PolicySet::build(objects.iter(), || inventory([]), Default::default());
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    Admission::new(vec![Arc::new(GatekeeperAdmission::new(set))])
}

fn pod_review(namespace: &str, labels: &str) -> palisade_admission::Request {
    let body = format!(
        r#"{{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {{
            "uid": "u1", "kind": {{"group": "", "version": "v1", "kind": "Pod"}},
            "resource": {{"group": "", "version": "v1", "resource": "pods"}},
            "name": "web", "namespace": "{namespace}", "operation": "CREATE",
            "userInfo": {{"username": "alice"}},
            "object": {{"apiVersion": "v1", "kind": "Pod",
                "metadata": {{"name": "web", "namespace": "{namespace}", "labels": {labels}}},
                "spec": {{"containers": [{{"name": "c", "image": "nginx"}}]}}}}}}}}"#
    );
    decode_request(body.as_bytes()).expect("test review decodes")
}

fn namespaces() -> StaticNamespaces {
    let mut namespaces = StaticNamespaces::default();
    namespaces.insert("prod", [("tier".to_owned(), "prod".to_owned())].into());
    namespaces.insert("dev", Default::default());
    namespaces
}

fn review(
    admission: &Admission,
    request: &palisade_admission::Request,
    deadline: Option<Instant>,
) -> palisade_admission::Response {
    let namespaces = namespaces();
    let context = Context {
        namespaces: &namespaces,
        existing_pods: None,
        deadline,
    };
    admission.review(request, &context).expect("no pods needed")
}

#[test]
fn deny_warn_and_dryrun_answer_as_gatekeeper() {
    let policies = format!(
        "{TEMPLATE}{}{}{}",
        constraint("NeedsOwner", "owner-deny", "  enforcementAction: deny"),
        constraint("NeedsOwner", "owner-warn", "  enforcementAction: warn"),
        constraint("NeedsOwner", "owner-dryrun", "  enforcementAction: dryrun"),
    );
    let admission = admission(&policies);
    let response = review(&admission, &pod_review("dev", "{}"), None);
    assert!(!response.allowed);
    let status = response.status.as_ref().expect("a denial status");
    assert_eq!(status.code, 403);
    assert_eq!(status.reason, "Forbidden");
    assert_eq!(status.message, "[owner-deny] Pod web has no owner label");
    assert_eq!(
        response.warnings,
        ["[owner-warn] Pod web has no owner label"]
    );
    assert_eq!(
        response
            .audit_annotations
            .get("dryrun.owner-dryrun")
            .map(String::as_str),
        Some("Pod web has no owner label")
    );

    let labelled = review(
        &admission,
        &pod_review("dev", r#"{"owner": "team-a"}"#),
        None,
    );
    assert!(labelled.allowed);
    assert!(labelled.warnings.is_empty());
}

#[test]
fn scoped_actions_apply_per_enforcement_point() {
    let spec = "  enforcementAction: scoped\n  scopedEnforcementActions:\n  - action: warn\n    enforcementPoints:\n    - name: validation.gatekeeper.sh\n  - action: deny\n    enforcementPoints:\n    - name: audit.gatekeeper.sh";
    let admission = admission(&format!(
        "{TEMPLATE}{}",
        constraint("NeedsOwner", "scoped", spec)
    ));
    let response = review(&admission, &pod_review("dev", "{}"), None);
    assert!(response.allowed, "warn only at the webhook");
    assert_eq!(response.warnings, ["[scoped] Pod web has no owner label"]);
}

#[test]
fn namespace_selector_uses_the_namespace_labels_and_unknown_namespaces_are_a_result() {
    let spec = "  match:\n    namespaceSelector:\n      matchLabels:\n        tier: prod";
    let admission = admission(&format!(
        "{TEMPLATE}{}",
        constraint("NeedsOwner", "prod-only", spec)
    ));
    assert!(!review(&admission, &pod_review("prod", "{}"), None).allowed);
    assert!(review(&admission, &pod_review("dev", "{}"), None).allowed);
    let unknown = review(&admission, &pod_review("nowhere", "{}"), None);
    assert!(!unknown.allowed);
    let message = &unknown.status.expect("denied").message;
    assert!(
        message.contains("unable to match constraints") && message.contains("missing Namespace"),
        "{message}"
    );
}

#[test]
fn a_runaway_policy_is_denied_at_the_deadline() {
    let admission = admission(&format!(
        "{SLOW_TEMPLATE}{}",
        constraint("Slow", "slow", "  enforcementAction: deny")
    ));
    let started = Instant::now();
    let response = review(
        &admission,
        &pod_review("dev", "{}"),
        Some(Instant::now() + Duration::from_millis(100)),
    );
    assert!(!response.allowed);
    let message = &response.status.expect("denied").message;
    assert!(
        message.starts_with("[slow] the policy did not finish before the request's deadline"),
        "{message}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn constraints_for_other_kinds_do_not_apply() {
    let spec = "  match:\n    kinds:\n    - apiGroups: [apps]\n      kinds: [Deployment]";
    let admission = admission(&format!(
        "{TEMPLATE}{}",
        constraint("NeedsOwner", "deployments", spec)
    ));
    assert!(review(&admission, &pod_review("dev", "{}"), None).allowed);
}
