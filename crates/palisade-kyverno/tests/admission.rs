//! Kyverno policies behind the webhook's admission policy trait: Enforce
//! denies with Kyverno's blocked message, Audit warns, PolicyExceptions
//! exempt, namespaceSelector reads the namespace source, UPDATE keeps
//! existing violations, DELETE skips pattern rules.

use palisade_admission::namespaces::StaticNamespaces;
use palisade_admission::{Context, Policy, Request, Verdict, decode_request};
use palisade_core::Object;
use palisade_kyverno::admission::KyvernoAdmission;
use palisade_kyverno::policy_set::KyvernoSet;
use serde_json::{Value, json};

/// Pods need a `team` label; the failure action is a parameter.
fn team_label_policy(name: &str, action: &str) -> String {
    format!(
        r#"
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: {name}
spec:
  validationFailureAction: {action}
  rules:
  - name: team-label
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: "Pods need a team label."
      pattern:
        metadata:
          labels:
            team: "?*"
"#
    )
}

fn objects(yaml: &str) -> Vec<Object> {
    palisade_load::load_bytes("policies.yaml".into(), yaml.as_bytes(), &Default::default())
        .expect("test policies parse")
        .objects
}

fn kyverno(yaml: &str) -> KyvernoAdmission {
    let objects = objects(yaml);
    let set = KyvernoSet::build(objects.iter());
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    KyvernoAdmission::new(set)
}

fn pod(name: &str, namespace: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": namespace, "labels": labels},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
}

/// An AdmissionReview request for a Pod; `object` and `old_object` as the
/// operation has them.
fn request(
    operation: &str,
    namespace: &str,
    object: Option<Value>,
    old_object: Option<Value>,
) -> Request {
    let name = object
        .as_ref()
        .or(old_object.as_ref())
        .and_then(|o| o["metadata"]["name"].as_str())
        .unwrap_or("")
        .to_owned();
    let mut request = json!({
        "uid": "u1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "name": name, "namespace": namespace, "operation": operation,
        "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
    });
    if let Some(object) = object {
        request["object"] = object;
    }
    if let Some(old) = old_object {
        request["oldObject"] = old;
    }
    let body = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                      "request": request});
    decode_request(body.to_string().as_bytes()).expect("test review decodes")
}

fn create(pod: Value) -> Request {
    let namespace = pod["metadata"]["namespace"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    request("CREATE", &namespace, Some(pod), None)
}

fn namespaces() -> StaticNamespaces {
    let mut namespaces = StaticNamespaces::default();
    namespaces.insert("prod", [("tier".to_owned(), "prod".to_owned())].into());
    namespaces.insert("dev", Default::default());
    namespaces
}

fn admit(policy: &KyvernoAdmission, request: &Request) -> Verdict {
    let namespaces = namespaces();
    let context = Context {
        namespaces: &namespaces,
        existing_pods: None,
        deadline: None,
    };
    policy
        .admit(request, &context)
        .expect("Kyverno policies answer without error")
}

fn denial_message(verdict: &Verdict) -> &str {
    &verdict.denial.as_ref().expect("a denial").message
}

#[test]
fn an_enforce_failure_denies_with_kyvernos_blocked_message() {
    let policy = kyverno(&team_label_policy("require-team", "Enforce"));
    let verdict = admit(&policy, &create(pod("web", "dev", json!({}))));
    let status = verdict.denial.as_ref().expect("a denial");
    assert_eq!(status.code, 403);
    assert_eq!(status.reason, "Forbidden");
    assert_eq!(
        status.message,
        // yaml.v2 quotes the message (it holds ": ") and folds it past
        // column 80, as Kyverno's webhook sends it.
        "\n\nresource Pod/dev/web was blocked due to the following policies \n\nrequire-team:\n  team-label: 'validation error: Pods need a team label. rule team-label failed at\n    path /metadata/labels/team/'\n"
    );
    assert!(verdict.warnings.is_empty(), "{:?}", verdict.warnings);

    // The same pod with the label passes.
    let verdict = admit(&policy, &create(pod("web", "dev", json!({"team": "a"}))));
    assert!(verdict.denial.is_none());
    assert!(verdict.warnings.is_empty());
}

#[test]
fn failures_of_several_enforce_policies_are_listed_by_policy() {
    let policy = kyverno(&format!(
        "{}{}",
        team_label_policy("zz-second", "Enforce"),
        team_label_policy("aa-first", "Enforce")
    ));
    let verdict = admit(&policy, &create(pod("web", "dev", json!({}))));
    let message = denial_message(&verdict);
    let first = message.find("aa-first:\n  team-label: ").expect("aa-first");
    let second = message
        .find("zz-second:\n  team-label: ")
        .expect("zz-second");
    // Kyverno marshals a map of policies: sorted by name.
    assert!(first < second, "{message}");
}

#[test]
fn an_audit_failure_warns_and_allows() {
    let policy = kyverno(&team_label_policy("require-team", "Audit"));
    let verdict = admit(&policy, &create(pod("web", "dev", json!({}))));
    assert!(verdict.denial.is_none(), "{:?}", verdict.denial);
    assert_eq!(verdict.warnings.len(), 1, "{:?}", verdict.warnings);
    // Kyverno's warning text: `policy <policy>.<rule>: <message>`.
    assert_eq!(
        verdict.warnings[0],
        "policy require-team.team-label: validation error: Pods need a team label. rule team-label failed at path /metadata/labels/team/"
    );
    // An Enforce policy next to it still decides alone.
    let both = kyverno(&format!(
        "{}{}",
        team_label_policy("audited", "Audit"),
        team_label_policy("enforced", "Enforce")
    ));
    let verdict = admit(&both, &create(pod("web", "dev", json!({}))));
    let message = denial_message(&verdict);
    assert!(message.contains("enforced:\n"), "{message}");
    assert!(!message.contains("audited"), "{message}");
    assert_eq!(verdict.warnings.len(), 1, "{:?}", verdict.warnings);
    assert!(
        verdict.warnings[0].starts_with("policy audited.team-label: "),
        "{:?}",
        verdict.warnings
    );
}

#[test]
fn a_policy_exception_exempts_the_object_it_matches() {
    let exception = r#"
---
apiVersion: kyverno.io/v2
kind: PolicyException
metadata:
  name: legacy-web
  namespace: kyverno
spec:
  exceptions:
  - policyName: require-team
    ruleNames: [team-label]
  match:
    any:
    - resources:
        kinds: [Pod]
        namespaces: [dev]
        names: ["legacy-*"]
"#;
    let policy = kyverno(&format!(
        "{}{exception}",
        team_label_policy("require-team", "Enforce")
    ));
    let exempt = admit(&policy, &create(pod("legacy-web", "dev", json!({}))));
    assert!(exempt.denial.is_none(), "{:?}", exempt.denial);
    assert!(exempt.warnings.is_empty(), "{:?}", exempt.warnings);
    // Not exempt: another name, or the same name in another namespace.
    let other = admit(&policy, &create(pod("web", "dev", json!({}))));
    assert!(other.denial.is_some());
    let elsewhere = admit(&policy, &create(pod("legacy-web", "prod", json!({}))));
    assert!(elsewhere.denial.is_some());
}

#[test]
fn an_exception_for_another_rule_exempts_nothing() {
    let exception = r#"
---
apiVersion: kyverno.io/v2
kind: PolicyException
metadata:
  name: wrong-rule
  namespace: kyverno
spec:
  exceptions:
  - policyName: require-team
    ruleNames: [some-other-rule]
  match:
    any:
    - resources:
        kinds: [Pod]
"#;
    let policy = kyverno(&format!(
        "{}{exception}",
        team_label_policy("require-team", "Enforce")
    ));
    let verdict = admit(&policy, &create(pod("web", "dev", json!({}))));
    assert!(verdict.denial.is_some());
}

#[test]
fn namespace_selector_reads_labels_from_the_namespace_source() {
    let policy = kyverno(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: prod-team
spec:
  validationFailureAction: Enforce
  rules:
  - name: team-label
    match:
      any:
      - resources:
          kinds: [Pod]
          namespaceSelector:
            matchLabels:
              tier: prod
    validate:
      message: "Production pods need a team label."
      pattern:
        metadata:
          labels:
            team: "?*"
"#,
    );
    // `prod` has tier=prod in the namespace source; `dev` has no labels;
    // `unknown` is not in it at all.
    let prod = admit(&policy, &create(pod("web", "prod", json!({}))));
    assert!(
        denial_message(&prod).contains("resource Pod/prod/web was blocked"),
        "{prod:?}"
    );
    let dev = admit(&policy, &create(pod("web", "dev", json!({}))));
    assert!(dev.denial.is_none(), "{:?}", dev.denial);
    let unknown = admit(&policy, &create(pod("web", "unknown", json!({}))));
    assert!(unknown.denial.is_none(), "{:?}", unknown.denial);
    // Labels on the pod itself do not count as namespace labels.
    let pod_labelled = admit(&policy, &create(pod("web", "dev", json!({"tier": "prod"}))));
    assert!(pod_labelled.denial.is_none());
}

#[test]
fn an_update_that_keeps_an_existing_violation_is_allowed() {
    let policy = kyverno(&team_label_policy("require-team", "Enforce"));
    let unlabelled = pod("web", "dev", json!({}));
    let labelled = pod("web", "dev", json!({"team": "a"}));
    let mut relabelled = unlabelled.clone();
    relabelled["metadata"]["labels"] = json!({"app": "web"});

    // The old object already failed the rule: Kyverno lets the update in.
    let kept = admit(
        &policy,
        &request("UPDATE", "dev", Some(relabelled.clone()), Some(unlabelled)),
    );
    assert!(kept.denial.is_none(), "{:?}", kept.denial);
    assert!(kept.warnings.is_empty(), "{:?}", kept.warnings);

    // The old object passed: the update introduces the violation.
    let introduced = admit(
        &policy,
        &request("UPDATE", "dev", Some(relabelled.clone()), Some(labelled)),
    );
    assert!(
        denial_message(&introduced).contains("team-label: 'validation error"),
        "{introduced:?}"
    );
}

#[test]
fn allow_existing_violations_false_denies_the_update_too() {
    let yaml = team_label_policy("require-team", "Enforce").replace(
        "      message: \"Pods need a team label.\"",
        "      allowExistingViolations: false\n      message: \"Pods need a team label.\"",
    );
    assert!(yaml.contains("allowExistingViolations: false"));
    let policy = kyverno(&yaml);
    let unlabelled = pod("web", "dev", json!({}));
    let verdict = admit(
        &policy,
        &request("UPDATE", "dev", Some(unlabelled.clone()), Some(unlabelled)),
    );
    assert!(verdict.denial.is_some());
}

#[test]
fn delete_skips_pattern_rules_but_runs_deny_rules() {
    let policy = kyverno(&team_label_policy("require-team", "Enforce"));
    let unlabelled = pod("web", "dev", json!({}));
    let deleted = admit(
        &policy,
        &request("DELETE", "dev", None, Some(unlabelled.clone())),
    );
    assert!(deleted.denial.is_none(), "{:?}", deleted.denial);
    assert!(deleted.warnings.is_empty(), "{:?}", deleted.warnings);

    // A deny rule is evaluated on DELETE, with the old object as request.oldObject.
    let guard = kyverno(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: protect-pinned
spec:
  validationFailureAction: Enforce
  rules:
  - name: no-delete
    match:
      any:
      - resources:
          kinds: [Pod]
          operations: [DELETE]
    validate:
      message: "{{ request.oldObject.metadata.name }} is pinned."
      deny:
        conditions:
          any:
          - key: "{{ request.oldObject.metadata.labels.pinned || '' }}"
            operator: Equals
            value: "true"
"#,
    );
    let pinned = pod("db", "dev", json!({"pinned": "true"}));
    let verdict = admit(&guard, &request("DELETE", "dev", None, Some(pinned)));
    assert_eq!(
        denial_message(&verdict),
        "\n\nresource Pod/dev/db was blocked due to the following policies \n\nprotect-pinned:\n  no-delete: db is pinned.\n"
    );
    let verdict = admit(&guard, &request("DELETE", "dev", None, Some(unlabelled)));
    assert!(verdict.denial.is_none(), "{:?}", verdict.denial);
    // The DELETE-only rule does not match a CREATE.
    let verdict = admit(&guard, &create(pod("db", "dev", json!({"pinned": "true"}))));
    assert!(verdict.denial.is_none());
}

#[test]
fn no_policies_and_connect_requests_are_allowed() {
    let empty = KyvernoAdmission::new(KyvernoSet::default());
    let verdict = admit(&empty, &create(pod("web", "dev", json!({}))));
    assert!(verdict.denial.is_none());
    let policy = kyverno(&team_label_policy("require-team", "Enforce"));
    let verdict = admit(
        &policy,
        &request("CONNECT", "dev", Some(pod("web", "dev", json!({}))), None),
    );
    assert!(verdict.denial.is_none());
}
