//! Risk analysis: each catalogue rule fires on the grant it names, honours
//! upstream matching (no `pods/*` wildcard, apiGroups matter), and paths show chains.

mod common;

use common::obj;
use palisade_core::{Finding, Severity};
use palisade_rbac::{Policy, RiskOptions, analyze};
use serde_json::{Value, json};

fn cluster_role(name: &str, rules: Value) -> Value {
    json!({"kind": "ClusterRole", "metadata": {"name": name}, "rules": rules})
}

fn crb(name: &str, role: &str, subjects: Value) -> Value {
    json!({"kind": "ClusterRoleBinding", "metadata": {"name": name},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
           "subjects": subjects})
}

fn rb(ns: &str, name: &str, kind: &str, role: &str, subjects: Value) -> Value {
    json!({"kind": "RoleBinding", "metadata": {"name": name, "namespace": ns},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
           "subjects": subjects})
}

fn run(objects: Vec<Value>, options: &RiskOptions) -> Vec<Finding> {
    let objects: Vec<_> = objects.into_iter().map(obj).collect();
    analyze(&Policy::from_objects(&objects), options)
}

fn find<'a>(findings: &'a [Finding], rule: &str, subject_text: &str) -> Option<&'a Finding> {
    findings
        .iter()
        .find(|f| f.rule == rule && f.message.contains(subject_text))
}

#[test]
fn bind_with_binding_writes_is_critical_and_names_the_path() {
    let f = run(
        vec![
            cluster_role(
                "binder",
                json!([
                    {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"]},
                    {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "verbs": ["create"]}
                ]),
            ),
            rb(
                "dev",
                "lead-binder",
                "ClusterRole",
                "binder",
                json!([{"kind": "User", "name": "lead"}]),
            ),
        ],
        &RiskOptions::default(),
    );
    let hit = find(&f, "rbac/esc-bind", "User lead").expect("esc-bind reported");
    assert_eq!(hit.severity, Severity::Critical);
    assert!(hit.message.contains("in namespace dev"), "{}", hit.message);
    assert!(
        hit.message
            .contains("RoleBinding/dev/lead-binder -> ClusterRole/binder rule #1"),
        "{}",
        hit.message
    );
    assert!(
        hit.remediation
            .as_deref()
            .is_some_and(|r| r.contains("bypasses"))
    );
}

#[test]
fn bind_restricted_by_name_is_high_and_bind_alone_is_not_reported() {
    let f = run(
        vec![
            cluster_role(
                "binder",
                json!([
                    {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["view"]},
                    {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "verbs": ["create"]}
                ]),
            ),
            cluster_role(
                "bind-only",
                json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["bind"]}]),
            ),
            rb(
                "dev",
                "a",
                "ClusterRole",
                "binder",
                json!([{"kind": "User", "name": "lead"}]),
            ),
            rb(
                "dev",
                "b",
                "ClusterRole",
                "bind-only",
                json!([{"kind": "User", "name": "other"}]),
            ),
        ],
        &RiskOptions::default(),
    );
    assert_eq!(
        find(&f, "rbac/esc-bind", "User lead").map(|f| f.severity),
        Some(Severity::High)
    );
    assert!(find(&f, "rbac/esc-bind", "User other").is_none());
}

#[test]
fn upstream_matching_decides_what_counts() {
    let f = run(
        vec![
            // `pods/*` is not a wildcard upstream: no exec finding.
            cluster_role(
                "literal",
                json!([{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["create"]}]),
            ),
            // Wrong group: secrets are in the core group.
            cluster_role(
                "wrong-group",
                json!([{"apiGroups": ["apps"], "resources": ["secrets"], "verbs": ["get"]}]),
            ),
            // `*` groups include the core group.
            cluster_role(
                "star-group",
                json!([{"apiGroups": ["*"], "resources": ["secrets"], "verbs": ["list"]}]),
            ),
            crb(
                "a",
                "literal",
                json!([{"kind": "User", "name": "u-literal"}]),
            ),
            crb(
                "b",
                "wrong-group",
                json!([{"kind": "User", "name": "u-wrong"}]),
            ),
            crb(
                "c",
                "star-group",
                json!([{"kind": "User", "name": "u-star"}]),
            ),
        ],
        &RiskOptions::default(),
    );
    assert!(find(&f, "rbac/exec-pods", "u-literal").is_none());
    assert!(find(&f, "rbac/sec-read", "u-wrong").is_none());
    assert_eq!(
        find(&f, "rbac/sec-read", "u-star").map(|f| f.severity),
        Some(Severity::High)
    );
}

#[test]
fn cluster_scoped_grants_through_a_rolebinding_are_not_reported() {
    let f = run(
        vec![
            cluster_role(
                "node-proxy",
                json!([{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}]),
            ),
            rb(
                "dev",
                "np",
                "ClusterRole",
                "node-proxy",
                json!([{"kind": "User", "name": "ns-user"}]),
            ),
            crb(
                "np",
                "node-proxy",
                json!([{"kind": "User", "name": "cluster-user"}]),
            ),
        ],
        &RiskOptions::default(),
    );
    assert!(find(&f, "rbac/node-proxy", "ns-user").is_none());
    assert_eq!(
        find(&f, "rbac/node-proxy", "cluster-user").map(|f| f.severity),
        Some(Severity::Critical)
    );
}

#[test]
fn pod_creation_leads_to_the_namespace_service_accounts() {
    let f = run(
        vec![
            cluster_role(
                "pod-maker",
                json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
            ),
            cluster_role(
                "admin-all",
                json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
            ),
            rb(
                "ci",
                "dev-pods",
                "ClusterRole",
                "pod-maker",
                json!([{"kind": "User", "name": "dev"}]),
            ),
            crb(
                "deployer-admin",
                "admin-all",
                json!([{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]),
            ),
            crb(
                "other-admin",
                "admin-all",
                json!([{"kind": "ServiceAccount", "name": "x", "namespace": "elsewhere"}]),
            ),
        ],
        &RiskOptions::default(),
    );
    let path = find(
        &f,
        "rbac/path-escalation",
        "User dev can become ServiceAccount ci/deployer",
    )
    .expect("path found");
    assert_eq!(path.severity, Severity::Critical);
    assert!(
        path.message.contains("can create pods that run as"),
        "{}",
        path.message
    );
    assert!(
        path.message.contains("ClusterRoleBinding/deployer-admin"),
        "{}",
        path.message
    );
    // Only the namespace's own accounts are reachable.
    assert!(find(&f, "rbac/path-escalation", "elsewhere/x").is_none());
}

#[test]
fn impersonation_by_name_leads_to_that_identity() {
    let f = run(
        vec![
            cluster_role(
                "be-ops",
                json!([{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"], "resourceNames": ["ops-bot"]}]),
            ),
            cluster_role(
                "secrets",
                json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]),
            ),
            crb(
                "support-be-ops",
                "be-ops",
                json!([{"kind": "User", "name": "support"}]),
            ),
            crb(
                "ops-secrets",
                "secrets",
                json!([{"kind": "User", "name": "ops-bot"}]),
            ),
        ],
        &RiskOptions::default(),
    );
    assert_eq!(
        find(&f, "rbac/imp-user-group", "User support").map(|f| f.severity),
        Some(Severity::High)
    );
    // support already holds a high finding, so a path to another high grant adds nothing.
    assert!(find(&f, "rbac/path-escalation", "User support").is_none());
    assert!(find(&f, "rbac/sec-read", "User ops-bot").is_some());
}

#[test]
fn system_identities_are_hidden_unless_asked_but_broad_groups_are_not() {
    let objects = vec![
        cluster_role(
            "pods",
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
        ),
        cluster_role(
            "secrets",
            json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
        ),
        crb(
            "ctrl",
            "pods",
            json!([{"kind": "ServiceAccount", "name": "ctrl", "namespace": "kube-system"}]),
        ),
        crb(
            "everyone",
            "secrets",
            json!([{"kind": "Group", "name": "system:authenticated"}]),
        ),
        crb(
            "anon",
            "pods",
            json!([{"kind": "User", "name": "system:anonymous"}]),
        ),
    ];
    let default = run(objects.clone(), &RiskOptions::default());
    assert!(find(&default, "rbac/wl-create-pods", "kube-system/ctrl").is_none());
    assert_eq!(
        find(&default, "rbac/broad-group", "system:authenticated").map(|f| f.severity),
        Some(Severity::Critical),
        "high secret read, one step up"
    );
    assert_eq!(
        find(&default, "rbac/anon-binding", "system:anonymous").map(|f| f.severity),
        Some(Severity::Critical)
    );
    let all = run(
        objects,
        &RiskOptions {
            include_system: true,
            ..RiskOptions::default()
        },
    );
    assert!(find(&all, "rbac/wl-create-pods", "kube-system/ctrl").is_some());
}

#[test]
fn invalid_objects_are_findings_not_failures() {
    let f = run(
        vec![
            crb(
                "dangling",
                "does-not-exist",
                json!([{"kind": "User", "name": "a"}]),
            ),
            json!({"kind": "ClusterRoleBinding", "metadata": {"name": "to-role"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
                   "subjects": [{"kind": "User", "name": "a"}]}),
            crb(
                "weird",
                "does-not-exist-either",
                json!([{"kind": "Robot", "name": "r2"}, {"kind": "ServiceAccount", "name": "nons"}]),
            ),
            json!({"kind": "ClusterRole", "metadata": {"name": "broken"}, "rules": "not a list"}),
            json!({"kind": "RoleBinding", "metadata": {"name": "no-ref"}}),
        ],
        &RiskOptions::default(),
    );
    assert!(find(&f, "rbac/missing-role", "ClusterRoleBinding/dangling").is_some());
    assert!(find(&f, "rbac/invalid-binding", "ClusterRoleBinding/to-role").is_some());
    assert!(find(&f, "rbac/invalid-subject", "\"Robot\"").is_some());
    assert!(find(&f, "rbac/invalid-subject", "\"nons\" has no namespace").is_some());
    assert!(find(&f, "rbac/invalid-binding", "RoleBinding/default/no-ref").is_some());
}

#[test]
fn findings_snapshot() {
    let f = run(
        vec![
            cluster_role(
                "ops",
                json!([
                    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["tls"]},
                    {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]},
                    {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations"], "verbs": ["patch"]}
                ]),
            ),
            crb("ops", "ops", json!([{"kind": "Group", "name": "ops"}])),
        ],
        &RiskOptions::default(),
    );
    let view: Vec<(String, String, String)> = f
        .iter()
        .map(|f| (f.severity.to_string(), f.rule.clone(), f.message.clone()))
        .collect();
    insta::assert_json_snapshot!(view);
}

#[test]
fn chains_of_several_links_are_shown_link_by_link() {
    let f = run(chain_objects(), &RiskOptions::default());
    let path = find(
        &f,
        "rbac/path-escalation",
        "User dev can become ServiceAccount b/y",
    )
    .expect("two-link path");
    assert_eq!(path.severity, Severity::Critical);
    let first = path
        .message
        .find("User dev can create pods that run as ServiceAccount a/x")
        .expect("first link");
    let second = path
        .message
        .find("ServiceAccount a/x can impersonate ServiceAccount b/y in namespace b")
        .expect("second link");
    assert!(first < second, "{}", path.message);
    // With one link allowed, the chain is out of reach (x itself holds only a
    // name-restricted impersonation, which is medium).
    let short = run(
        chain_objects(),
        &RiskOptions {
            path_depth: 1,
            ..RiskOptions::default()
        },
    );
    assert!(find(&short, "rbac/path-escalation", "User dev").is_none());
}

fn chain_objects() -> Vec<Value> {
    vec![
        cluster_role(
            "pod-maker",
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
        ),
        cluster_role(
            "be-y",
            json!([{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"], "resourceNames": ["y"]}]),
        ),
        cluster_role(
            "admin-all",
            json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
        ),
        rb(
            "a",
            "dev-pods",
            "ClusterRole",
            "pod-maker",
            json!([{"kind": "User", "name": "dev"}]),
        ),
        rb(
            "b",
            "x-be-y",
            "ClusterRole",
            "be-y",
            json!([{"kind": "ServiceAccount", "name": "x", "namespace": "a"}]),
        ),
        crb(
            "y-admin",
            "admin-all",
            json!([{"kind": "ServiceAccount", "name": "y", "namespace": "b"}]),
        ),
    ]
}

/// RBAC-WL-PRIVILEGED-SA: a workload whose pods run with a powerful
/// ServiceAccount's token is reported at the workload, with the grant's
/// severity; no token (automount off), a harmless account, or a medium grant
/// are not.
#[test]
fn workloads_running_as_a_powerful_service_account_are_reported_at_the_workload() {
    let deployment = |name: &str, account: Option<&str>, automount: Option<bool>| {
        let mut spec = json!({"containers": [{"name": "c", "image": "i"}]});
        if let Some(account) = account {
            spec["serviceAccountName"] = json!(account);
        }
        if let Some(automount) = automount {
            spec["automountServiceAccountToken"] = json!(automount);
        }
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": "build"},
               "spec": {"template": {"spec": spec}}})
    };
    let objects: Vec<_> = vec![
        cluster_role(
            "all",
            json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
        ),
        cluster_role(
            "events",
            json!([{"apiGroups": [""], "resources": ["events"], "verbs": ["delete"]}]),
        ),
        crb(
            "ci-all",
            "all",
            json!([{"kind": "ServiceAccount", "name": "ci", "namespace": "build"}]),
        ),
        rb(
            "build",
            "d",
            "ClusterRole",
            "events",
            json!([{"kind": "ServiceAccount", "name": "default", "namespace": "build"}]),
        ),
        deployment("runner", Some("ci"), None),
        deployment("tokenless", Some("ci"), Some(false)),
        deployment("plain", None, None),
        // The deprecated alias counts when serviceAccountName is absent.
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "old", "namespace": "build"},
               "spec": {"serviceAccount": "ci", "containers": [{"name": "c", "image": "i"}]}}),
    ]
    .into_iter()
    .map(obj)
    .collect();
    let inventory = palisade_core::Inventory::new(objects);
    let findings = palisade_rbac::risks::analyze_with_workloads(
        &Policy::from_inventory(&inventory),
        &RiskOptions::default(),
        Some(&inventory),
    );
    let reported: Vec<(&str, Severity)> = findings
        .iter()
        .filter(|f| f.rule == "rbac/wl-privileged-sa")
        .map(|f| {
            (
                f.message.split(" runs as ").next().unwrap_or(""),
                f.severity,
            )
        })
        .collect();
    assert_eq!(
        reported,
        [
            ("Deployment build/runner", Severity::Critical),
            ("Pod build/old", Severity::Critical)
        ]
    );
}

/// RBAC-HYG-MANY-ROLES, namespace part: more than five distinct subjects bound
/// in one namespace is reported once, at info, naming them.
#[test]
fn a_namespace_with_more_than_five_subjects_is_reported() {
    let role = json!({"kind": "Role", "metadata": {"name": "r", "namespace": "team"},
                      "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]});
    let users = |n: usize| {
        (0..n)
            .map(|i| json!({"kind": "User", "name": format!("u{i}")}))
            .collect::<Vec<_>>()
    };
    let crowded = |n: usize| {
        let findings = run(
            vec![
                role.clone(),
                rb("team", "b", "Role", "r", Value::Array(users(n))),
            ],
            &RiskOptions::default(),
        );
        findings
            .into_iter()
            .filter(|f| f.rule == "rbac/hyg-many-roles")
            .map(|f| (f.severity, f.message))
            .collect::<Vec<_>>()
    };
    assert!(crowded(5).is_empty());
    let six = crowded(6);
    assert_eq!(six.len(), 1, "{six:?}");
    assert_eq!(six[0].0, Severity::Info);
    assert!(
        six[0].1.starts_with(
            "namespace team has 6 subjects bound by RoleBindings (more than 5): User u0, "
        ),
        "{}",
        six[0].1
    );
}

/// RBAC-NODE-STEAL-PODS from a namespaced grant: node writes cluster-wide plus
/// pod deletion granted only by a RoleBinding in a privileged namespace.
#[test]
fn stealing_pods_through_a_rolebinding_in_a_privileged_namespace_is_reported() {
    let mallory = json!([{"kind": "User", "name": "mallory"}]);
    let objects = vec![
        cluster_role(
            "nodes",
            json!([{"apiGroups": [""], "resources": ["nodes"], "verbs": ["patch"]}]),
        ),
        crb("nodes", "nodes", mallory.clone()),
        json!({"kind": "Role", "metadata": {"name": "del", "namespace": "kube-system"},
               "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]}]}),
        rb("kube-system", "del", "Role", "del", mallory.clone()),
        json!({"kind": "Role", "metadata": {"name": "del", "namespace": "apps"},
               "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]}]}),
        rb("apps", "del", "Role", "del", mallory),
    ];
    let findings = run(objects, &RiskOptions::default());
    let steal: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "rbac/node-steal-pods")
        .collect();
    assert_eq!(steal.len(), 1, "{steal:#?}");
    assert!(
        steal[0].message.contains("in namespace kube-system"),
        "{}",
        steal[0].message
    );
    assert_eq!(steal[0].severity, Severity::High);
}

/// A path through a ServiceAccount's implicit groups: the accounts of `build`
/// have no bindings of their own, but `system:serviceaccounts:build` (which every
/// one of them holds, and the user does not) is bound to full control; so is
/// `system:serviceaccounts` in the second case, reached from any namespace.
#[test]
fn a_path_reaches_the_implicit_groups_of_the_accounts_a_pod_can_run_as() {
    let all = cluster_role(
        "all",
        json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
    );
    let pods = json!({"kind": "Role", "metadata": {"name": "pods", "namespace": "build"},
                      "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]});
    let dev = rb(
        "build",
        "dev",
        "Role",
        "pods",
        json!([{"kind": "User", "name": "dev"}]),
    );
    for group in ["system:serviceaccounts:build", "system:serviceaccounts"] {
        let findings = run(
            vec![
                all.clone(),
                pods.clone(),
                dev.clone(),
                crb("g", "all", json!([{"kind": "Group", "name": group}])),
            ],
            &RiskOptions::default(),
        );
        let path = find(&findings, "rbac/path-escalation", "User dev")
            .unwrap_or_else(|| panic!("{group}: no path in {findings:#?}"));
        assert_eq!(path.severity, Severity::Critical);
        assert!(
            path.message.contains(&format!("(Group {group})")),
            "{}",
            path.message
        );
    }
    // The namespace's group of another namespace is not reached.
    let findings = run(
        vec![
            all,
            pods,
            dev,
            crb(
                "g",
                "all",
                json!([{"kind": "Group", "name": "system:serviceaccounts:prod"}]),
            ),
        ],
        &RiskOptions::default(),
    );
    assert!(find(&findings, "rbac/path-escalation", "User dev").is_none());
}

/// RBAC-HYG-DEFAULT-SA, automount part: a declared `default` account that mounts
/// its token is reported (low); one that sets automountServiceAccountToken:
/// false, other accounts, and kube-system's (a system identity) are not.
#[test]
fn a_declared_default_account_that_mounts_its_token_is_reported() {
    let account = |ns: &str, name: &str, automount: Option<bool>| {
        let mut sa = json!({"kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}});
        if let Some(a) = automount {
            sa["automountServiceAccountToken"] = json!(a);
        }
        sa
    };
    let findings = run(
        vec![
            account("shop", "default", None),
            account("prod", "default", Some(false)),
            account("shop", "web", None),
            account("kube-system", "default", None),
        ],
        &RiskOptions::default(),
    );
    let reported: Vec<(&str, Severity)> = findings
        .iter()
        .filter(|f| f.rule == "rbac/hyg-default-sa")
        .map(|f| (f.message.as_str(), f.severity))
        .collect();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(reported[0].0.starts_with(
        "ServiceAccount shop/default does not set automountServiceAccountToken: false"
    ));
    assert_eq!(reported[0].1, Severity::Low);
}
