//! The authorizer's reasons and the SPEC's scoping corner cases, checked through
//! the public API (the conformance kit checks decisions, not reasons).

mod common;

use common::obj;
use palisade_rbac::{
    ImpersonationTarget, Operation, Policy, Reason, Request, ResourceAttributes, SubjectRef,
    UserInfo,
};
use serde_json::json;

fn policy() -> Policy {
    let objects = vec![
        obj(
            json!({"kind": "ClusterRole", "metadata": {"name": "reader"},
                   "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]},
                             {"apiGroups": [""], "resources": ["pods", "nodes"], "verbs": ["get"]},
                             {"nonResourceURLs": ["/healthz/*"], "verbs": ["get"]}]}),
        ),
        obj(
            json!({"kind": "RoleBinding", "metadata": {"name": "rb", "namespace": "a"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"},
                   "subjects": [{"kind": "ServiceAccount", "name": "bot"}]}),
        ),
        obj(
            json!({"kind": "ClusterRoleBinding", "metadata": {"name": "crb"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"},
                   "subjects": [{"kind": "Group", "name": "ops"}]}),
        ),
    ];
    Policy::from_objects(&objects)
}

fn get(resource: &str, ns: &str, name: &str) -> Request {
    Request::Resource(ResourceAttributes::new("get", "", resource, ns).with_name(name))
}

#[test]
fn the_reason_names_binding_role_and_rule() {
    let p = policy();
    let bot = UserInfo::service_account("a", "bot");
    let decision = p.authorize(&bot, &get("pods", "a", "p"));
    let Reason::Rule(grant) = decision.reason else {
        panic!("expected a rule grant, got {:?}", decision.reason)
    };
    assert_eq!(p.binding(grant.binding).name, "rb");
    assert_eq!(p.role(grant.role).name, "reader");
    assert_eq!(grant.rule, 1);
    assert!(
        p.describe(&grant)
            .starts_with("RoleBinding/a/rb -> ClusterRole/reader rule #2"),
        "the second rule (index 1) is shown as #2"
    );
}

#[test]
fn a_rolebinding_to_a_clusterrole_is_scoped_to_its_namespace() {
    let p = policy();
    let bot = UserInfo::service_account("a", "bot");
    assert!(p.can(&bot, &get("pods", "a", "p")));
    assert!(!p.can(&bot, &get("pods", "b", "p")));
    assert!(
        !p.can(&bot, &get("nodes", "", "n1")),
        "cluster-scoped: not through an RB"
    );
    assert!(!p.can(&bot, &Request::non_resource("get", "/healthz/etcd")));
    // The same role through the CRB grants all of it.
    let op = UserInfo::exact("o", &["ops"]);
    assert!(p.can(&op, &get("nodes", "", "n1")));
    assert!(p.can(&op, &Request::non_resource("get", "/healthz/etcd")));
    assert!(!p.can(&op, &Request::non_resource("get", "/healthz")));
}

#[test]
fn masters_are_allowed_outside_rbac() {
    let p = policy();
    let root = UserInfo::exact("root", &["system:masters"]);
    let decision = p.authorize(&root, &get("secrets", "kube-system", "x"));
    assert!(decision.allowed);
    assert_eq!(decision.reason, Reason::PrivilegedGroup);
    assert_eq!(
        p.authorize(&UserInfo::exact("nobody", &[]), &get("pods", "a", "p"))
            .reason,
        Reason::NoMatch
    );
}

#[test]
fn rules_for_lists_cluster_then_namespace_grants() {
    let p = policy();
    let user = UserInfo {
        name: "system:serviceaccount:a:bot".into(),
        groups: vec!["ops".into()],
    };
    let in_a = p.rules_for(&user, "a");
    assert_eq!(in_a.len(), 6);
    assert_eq!(p.binding(in_a[0].grant.binding).name, "crb");
    assert_eq!(p.binding(in_a[5].grant.binding).name, "rb");
    assert_eq!(
        p.rules_for(&user, "").len(),
        3,
        "-A shows cluster grants only"
    );
}

#[test]
fn who_can_reports_defaulted_service_account_namespaces_and_paths() {
    let p = policy();
    let who = p.who_can(&get("pods", "a", "p"));
    let subjects: Vec<&SubjectRef> = who.iter().map(|e| &e.subject).collect();
    assert_eq!(
        subjects,
        [
            &SubjectRef::group("ops"),
            &SubjectRef::service_account("a", "bot")
        ]
    );
    assert_eq!(p.via_view(&who[1].via)[0].binding, "RoleBinding/a/rb");
    let any = p.who_can_any_namespace(&get("pods", "zzz", "p"));
    assert_eq!(
        any.len(),
        2,
        "-A includes RoleBinding subjects of every namespace"
    );
    assert_eq!(p.who_can(&get("pods", "zzz", "p")).len(), 1);
}

#[test]
fn admission_of_a_binding_needs_bind_or_coverage() {
    let p = policy();
    let binding = obj(
        json!({"kind": "RoleBinding", "metadata": {"name": "x", "namespace": "a"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"},
        "subjects": [{"kind": "User", "name": "friend"}]}),
    );
    let op = UserInfo::exact("o", &["ops"]);
    // ops holds every rule of reader, but may not create rolebindings at all.
    assert!(!p.admit(&op, Operation::Create, &binding, None).allowed);
    let root = UserInfo::exact("root", &["system:masters"]);
    assert!(p.admit(&root, Operation::Create, &binding, None).allowed);
}

#[test]
fn impersonation_result_and_refusal() {
    let p = policy();
    let target = ImpersonationTarget {
        groups: vec!["g".into()],
        ..ImpersonationTarget::default()
    };
    assert!(
        p.impersonate(&UserInfo::exact("root", &["system:masters"]), &target)
            .is_err(),
        "no user: bad request"
    );
    let target = ImpersonationTarget {
        user: "system:serviceaccount:a:bot".into(),
        ..ImpersonationTarget::default()
    };
    let identity = p
        .impersonate(&UserInfo::exact("root", &["system:masters"]), &target)
        .expect("masters may");
    assert_eq!(identity, UserInfo::service_account("a", "bot"));
}

/// A `null` list item is `""` to the API server (Go's zero value), so
/// `apiGroups: [~]` is the core group and `resourceNames: [~]` is `[""]`, which
/// matches every request that names no object.
#[test]
fn null_list_items_are_empty_strings_as_the_api_server_decodes_them() {
    let objects = vec![
        obj(json!({"kind": "ClusterRole", "metadata": {"name": "nulls"},
                   "rules": [{"apiGroups": [null], "resources": ["secrets"], "verbs": ["get"]},
                             {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": [null], "verbs": ["get", "list"]}]})),
        obj(
            json!({"kind": "ClusterRoleBinding", "metadata": {"name": "nulls"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "nulls"},
                   "subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}]}),
        ),
    ];
    let policy = Policy::from_objects(&objects);
    let alice = UserInfo::exact("alice", &["system:authenticated"]);
    let can = |request: Request| policy.authorize(&alice, &request).allowed;
    assert!(
        can(get("secrets", "a", "s")),
        "apiGroups: [~] is the core group"
    );
    assert!(can(Request::Resource(ResourceAttributes::new(
        "list",
        "",
        "configmaps",
        "a"
    ))));
    assert!(
        !can(get("configmaps", "a", "named")),
        "resourceNames: [~] names only \"\""
    );
}
