//! Property tests: `*` on `*` allows everything in its namespace (and nothing
//! elsewhere), RBAC is additive, and aggregation is an idempotent fixpoint.

mod common;

use std::collections::BTreeSet;

use common::obj;
use palisade_core::Object;
use palisade_rbac::{Policy, PolicyRule, Request, ResourceAttributes, UserInfo};
use proptest::prelude::*;
use serde_json::{Value, json};

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("*".to_owned()),
        "[a-z]{1,6}",
        "[a-z]{1,4}/[a-z*]{1,4}",
        Just("pods".to_owned()),
        Just("get".to_owned()),
        Just("apps".to_owned()),
    ]
}

fn any_request(namespace: impl Strategy<Value = String>) -> impl Strategy<Value = Request> {
    (
        word(),
        word(),
        "[a-z*]{1,8}",
        prop_oneof![Just(String::new()), "[a-z*]{1,6}"],
        namespace,
        word(),
    )
        .prop_map(|(verb, group, resource, sub, ns, name)| {
            Request::Resource(
                ResourceAttributes::new(&verb, &group, &resource, &ns)
                    .with_subresource(&sub)
                    .with_name(&name),
            )
        })
}

proptest! {
    #[test]
    fn star_on_star_in_a_namespace_allows_everything_there(request in any_request(Just("team".to_owned()))) {
        let objects = vec![
            obj(json!({"kind": "Role", "metadata": {"name": "all", "namespace": "team"},
                       "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})),
            obj(json!({"kind": "RoleBinding", "metadata": {"name": "all", "namespace": "team"},
                       "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "all"},
                       "subjects": [{"kind": "User", "name": "u"}]})),
        ];
        let policy = Policy::from_objects(&objects);
        let user = UserInfo::exact("u", &[]);
        prop_assert!(policy.can(&user, &request));
        // The same request elsewhere, or at cluster scope, is not granted by a RoleBinding.
        let Request::Resource(mut attrs) = request else { unreachable!() };
        attrs.namespace = "other".into();
        prop_assert!(!policy.can(&user, &Request::Resource(attrs.clone())));
        attrs.namespace = String::new();
        prop_assert!(!policy.can(&user, &Request::Resource(attrs)));
    }
}

/// A small random policy over tiny alphabets, so that rules, subjects and
/// requests actually meet.
fn rule_json() -> impl Strategy<Value = Value> {
    let pick =
        |options: &'static [&'static str]| proptest::sample::subsequence(options.to_vec(), 0..=2);
    (
        pick(&["get", "list", "*", "create"]),
        pick(&["", "apps", "*"]),
        pick(&["pods", "pods/log", "*", "*/log", "deployments"]),
        pick(&["a", "b"]),
    )
        .prop_map(|(verbs, groups, resources, names)| {
            json!({"verbs": verbs, "apiGroups": groups, "resources": resources, "resourceNames": names})
        })
}

fn binding_json(index: usize) -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just("RoleBinding"), Just("ClusterRoleBinding")],
        prop_oneof![Just("ns1"), Just("ns2")],
        prop_oneof![Just("Role"), Just("ClusterRole")],
        0..3usize,
        proptest::sample::subsequence(vec![("User", "u1"), ("User", "u2"), ("Group", "g1"), ("ServiceAccount", "sa")], 1..=2),
    )
        .prop_map(move |(kind, ns, ref_kind, role, subjects)| {
            let subjects: Vec<Value> = subjects.into_iter().map(|(k, n)| json!({"kind": k, "name": n})).collect();
            json!({"kind": kind, "metadata": {"name": format!("b{index}"), "namespace": ns},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": format!("r{role}")},
                   "subjects": subjects})
        })
}

fn policy_objects() -> impl Strategy<Value = Vec<Value>> {
    let roles = proptest::collection::vec(
        (
            prop_oneof![Just("Role"), Just("ClusterRole")],
            proptest::collection::vec(rule_json(), 0..3),
        ),
        3,
    );
    let bindings = (0..4usize).prop_flat_map(|n| (0..n).map(binding_json).collect::<Vec<_>>());
    (roles, bindings).prop_map(|(roles, bindings)| {
        let mut out: Vec<Value> = roles
            .into_iter()
            .enumerate()
            .map(|(i, (kind, rules))| json!({"kind": kind, "metadata": {"name": format!("r{i}"), "namespace": "ns1"}, "rules": rules}))
            .collect();
        out.extend(bindings);
        out
    })
}

fn users() -> Vec<UserInfo> {
    vec![
        UserInfo::exact("u1", &[]),
        UserInfo::exact("u2", &["g1"]),
        UserInfo::service_account("ns1", "sa"),
        UserInfo::service_account("ns2", "sa"),
    ]
}

fn probe_requests() -> Vec<Request> {
    let mut out = Vec::new();
    for ns in ["", "ns1", "ns2"] {
        for verb in ["get", "list", "create", "delete"] {
            for (group, resource, sub) in [
                ("", "pods", ""),
                ("", "pods", "log"),
                ("apps", "deployments", ""),
                ("x", "y", "log"),
            ] {
                for name in ["", "a"] {
                    out.push(Request::Resource(
                        ResourceAttributes::new(verb, group, resource, ns)
                            .with_subresource(sub)
                            .with_name(name),
                    ));
                }
            }
        }
    }
    out
}

fn build(values: &[Value]) -> (Vec<Object>, Policy) {
    let objects: Vec<Object> = values.iter().cloned().map(obj).collect();
    let policy = Policy::from_objects(&objects);
    (objects, policy)
}

proptest! {
    #[test]
    fn adding_a_binding_never_removes_a_permission(base in policy_objects(), extra in binding_json(99)) {
        let (_, before) = build(&base);
        let mut more = base.clone();
        more.push(extra);
        let (_, after) = build(&more);
        for user in users() {
            for request in probe_requests() {
                if before.can(&user, &request) {
                    prop_assert!(after.can(&user, &request), "{user:?} lost {request:?}");
                }
            }
        }
        for request in probe_requests() {
            let was: BTreeSet<_> = before.who_can(&request).into_iter().map(|e| e.subject).collect();
            let now: BTreeSet<_> = after.who_can(&request).into_iter().map(|e| e.subject).collect();
            prop_assert!(was.is_subset(&now), "who-can shrank for {request:?}");
        }
    }

    #[test]
    fn who_can_agrees_with_can_for_users(base in policy_objects()) {
        let (_, policy) = build(&base);
        for request in probe_requests() {
            let who: BTreeSet<_> = policy.who_can(&request).into_iter().map(|e| e.subject).collect();
            for (user, subject) in [
                (UserInfo::exact("u1", &[]), palisade_rbac::SubjectRef::user("u1")),
                (UserInfo::service_account("ns1", "sa"), palisade_rbac::SubjectRef::service_account("ns1", "sa")),
            ] {
                // The generated policies bind no group these users are in, so a
                // user can exactly when who-can lists it.
                prop_assert_eq!(policy.can(&user, &request), who.contains(&subject), "{:?} {:?}", user, request);
            }
        }
    }
}

fn aggregation_objects() -> impl Strategy<Value = Vec<Value>> {
    let role = (
        proptest::sample::subsequence(vec!["a", "b", "c"], 0..=2),
        proptest::option::of(proptest::sample::subsequence(
            vec!["a", "b", "c", "*"],
            1..=2,
        )),
        proptest::collection::vec(rule_json(), 0..2),
    );
    proptest::collection::vec(role, 1..6).prop_map(|roles| {
        roles
            .into_iter()
            .enumerate()
            .map(|(i, (labels, selectors, rules))| {
                let labels: serde_json::Map<String, Value> = labels.into_iter().map(|l| (l.to_owned(), json!("true"))).collect();
                let mut role = json!({"kind": "ClusterRole", "metadata": {"name": format!("c{i}"), "labels": labels}, "rules": rules});
                if let Some(selectors) = selectors {
                    // `*` stands for an empty selector, which matches every ClusterRole.
                    let selectors: Vec<Value> = selectors
                        .into_iter()
                        .map(|s| if s == "*" { json!({}) } else { json!({"matchLabels": {s: "true"}}) })
                        .collect();
                    role["aggregationRule"] = json!({"clusterRoleSelectors": selectors});
                }
                role
            })
            .collect()
    })
}

fn rule_set(rules: &[PolicyRule]) -> BTreeSet<PolicyRule> {
    rules.iter().cloned().collect()
}

proptest! {
    #[test]
    fn aggregation_is_an_idempotent_fixpoint(roles in aggregation_objects()) {
        let (_, first) = build(&roles);
        // Write the computed rules back, as the controller would, and aggregate again.
        let mut stored = roles.clone();
        for role in &mut stored {
            let name = role["metadata"]["name"].as_str().unwrap_or_default().to_owned();
            let rules = first.effective_rules(&name).unwrap_or_default();
            role["rules"] = serde_json::to_value(rules).unwrap_or(Value::Null);
        }
        let (_, second) = build(&stored);
        for role in &roles {
            let name = role["metadata"]["name"].as_str().unwrap_or_default();
            let once = first.effective_rules(name).map(rule_set);
            let twice = second.effective_rules(name).map(rule_set);
            prop_assert_eq!(&once, &twice, "{}", name);
            // Fixpoint: an aggregated role holds exactly the union of what it selects.
            if role.get("aggregationRule").is_some() {
                let me = first.find_role(palisade_rbac::RoleKind::ClusterRole, "", name).unwrap_or(usize::MAX);
                let selectors = &first.role(me).aggregation;
                let mut union = BTreeSet::new();
                for (id, other) in first.roles().iter().enumerate() {
                    if id != me && selectors.iter().flatten().any(|s| s.matches(&other.labels)) {
                        union.extend(first.rules_of(id).iter().cloned());
                    }
                }
                prop_assert_eq!(once, Some(union), "{}", name);
            }
        }
    }
}
